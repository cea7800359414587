/**
 * Batching: a nested cross-repo query costs one round trip per repo per nesting level, however
 * many rows it touches (ARCHITECTURE.md, rule 4).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { extraMainTrips, mainUrl, openGateway, pgRows } from './support.js';

const gateway = openGateway();
afterAll(() => gateway.close());

const dashboard = /* GraphQL */ `
  query Dashboard($companies: Int!) {
    companies(first: $companies) {
      edges {
        node {
          name
          users(first: 50) {
            edges { node { name lastPosition { recordedAt latitude } devices { serial } } }
          }
          invoices(status: OPEN) { number totalCents lines { lineNo unitPriceCents } }
        }
      }
    }
  }
`;

describe('round trips', () => {
  it('costs the same per repo for 2 and 20 companies, at most one per repo per nesting level', async () => {
    const small = await gateway.request(dashboard, { companies: 2 });
    const large = await gateway.request(dashboard, { companies: 20 });
    expect(small.errors).toBeUndefined();
    expect(large.errors).toBeUndefined();
    expect(large.data!.companies.edges).toHaveLength(20);
    const users = large.data!.companies.edges.flatMap((e: any) => e.node.users.edges);
    expect(users.length).toBe(400);
    expect(users.some((u: any) => u.node.devices.length === 2)).toBe(true);

    const trips = (response: typeof small) =>
      Object.fromEntries(Object.entries(response.extensions!.repos!).map(([repo, usage]) => [repo, usage.roundTrips]));
    expect(trips(small)).toEqual(trips(large));
    // main: companies, then users (level 1, 2); telemetry: devices with their last fix (level 3);
    // legacy: invoices (level 2), then lines (level 3); training: none (no window reaches into it).
    expect(trips(large)).toEqual({ main: 2 + extraMainTrips.legacyLookup(), telemetry: 1, legacy: 2, training: 0 });
  });

  it('batches merged lookups from many parents into one call per repo', async () => {
    const response = await gateway.request(/* GraphQL */ `
      { users(ids: ["1", "2", "3", "4", "5", "6", "7", "8"]) { name company { name openBalanceCents } devices { serial user { email } } } }
    `);
    expect(response.errors).toBeUndefined();
    expect(response.extensions!.repos).toMatchObject({
      // users with their companies, one statement (a join: the selection goes on to company); the
      // devices' users are the same users, already in this request's DataLoader cache, so they
      // cost nothing (in-process).
      main: { roundTrips: 1 + extraMainTrips.legacyLookup() + extraMainTrips.uncachedLevel() },
      telemetry: { roundTrips: 1 },
      legacy: { roundTrips: 1 },
    });
  });

  it.each([
    ['directly', '{ user(id: "7") { id name company { id name createdAt } } }'],
    ['through a named fragment', '{ user(id: "7") { ...withCompany } } fragment withCompany on User { id name company { id name createdAt } }'],
    ['through an inline fragment, aliased', '{ user(id: "7") { id name ... on User { employer: company { id name createdAt } } } }'],
  ])('fetches a user with its company in one statement (a join), asked %s', async (_how, query) => {
    const response = await gateway.request(query);
    expect(response.errors).toBeUndefined();
    const [row] = await pgRows(mainUrl(), `
      SELECT u.id::text, u.name, c.id::text AS company_id, c.name AS company_name, c.created_at
      FROM users u JOIN companies c ON c.id = u.company_id WHERE u.id = 7`);
    const user = response.data!.user;
    expect({ id: user.id, name: user.name, company: user.company ?? user.employer }).toEqual({
      id: row!.id, name: row!.name, company: { id: row!.company_id, name: row!.company_name, createdAt: row!.created_at.toISOString() },
    });
    expect(response.extensions!.repos!.main!.roundTrips).toBe(1);
  });
});
