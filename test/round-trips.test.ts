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
    // main: companies with their users' pages, one statement (levels 1 and 2 joined: the
    // selection goes on to users); telemetry: devices with their last fix (level 3); legacy:
    // invoices with their lines, one statement (levels 2 and 3 joined: the selection goes on to
    // lines); training: none (no window reaches into it).
    expect(trips(large)).toEqual({ main: 1 + extraMainTrips.legacyLookup(), telemetry: 1, legacy: 1, training: 0 });
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

describe('a page of companies with their users and time entries (Q4)', () => {
  const window = { from: '2026-10-01T00:00:00.000Z', to: '2026-10-08T00:00:00.000Z' };
  /** api's schema has no personal data (User.email, TimeEntry.note): its statement reads NULL in their place. */
  const q4 = (personal: boolean) => /* GraphQL */ `
    query ($from: DateTime!, $to: DateTime!, $after: String) {
      companies(first: 4, after: $after) { edges { node { id name
        users(first: 3) { pageInfo { hasNextPage } edges { node { id name ${personal ? 'email' : ''}
          timeEntries(from: $from, to: $to) { id startedAt endedAt ${personal ? 'note' : ''} } } } } } } }
    }`;

  /** What SQL says the page holds: companies 5-8 (after the 4th), three users each, their entries in the window. */
  async function expectedPage(seesPersonalData: boolean) {
    const users = await pgRows(mainUrl(), `
      SELECT c.id::text AS company_id, c.name AS company_name, u.id::text, u.name, u.email
      FROM companies c CROSS JOIN LATERAL (SELECT * FROM users WHERE company_id = c.id ORDER BY id LIMIT 3) u
      WHERE c.id BETWEEN 5 AND 8 ORDER BY c.id, u.id`);
    const entries = await pgRows(mainUrl(), `
      SELECT id::text, user_id::text, started_at, ended_at, note FROM time_entries
      WHERE user_id = ANY($1::bigint[]) AND started_at <= $3 AND coalesce(ended_at, 'infinity') >= $2
      ORDER BY started_at, id`, [users.map((user) => user.id), window.from, window.to]);
    const companyIds = [...new Set(users.map((user) => user.company_id as string))];
    return companyIds.map((companyId) => ({ node: {
      id: companyId,
      name: users.find((user) => user.company_id === companyId)!.company_name,
      users: { pageInfo: { hasNextPage: true }, edges: users.filter((user) => user.company_id === companyId).map((user) => ({ node: {
        id: user.id, name: user.name, ...(seesPersonalData && { email: user.email }),
        timeEntries: entries.filter((entry) => entry.user_id === user.id).map((entry) => ({
          id: entry.id, startedAt: entry.started_at.toISOString(), endedAt: entry.ended_at?.toISOString() ?? null, ...(seesPersonalData && { note: entry.note }),
        })),
      } })) },
    } }));
  }

  it.each([['interactive', true], ['api', false]] as const)('reads all three levels in one statement, equal to SQL, for %s', async (clientClass, seesPersonalData) => {
    const cursor = Buffer.from('k1:4').toString('base64url');
    const response = await gateway.request(q4(seesPersonalData), { ...window, after: cursor }, { clientClass });
    expect(response.errors).toBeUndefined();
    const expected = await expectedPage(seesPersonalData);
    expect(expected.flatMap((company) => company.node.users.edges).some((user) => user.node.timeEntries.length > 0)).toBe(true);
    expect(response.data!.companies.edges).toEqual(expected);
    expect(response.extensions!.repos!.main!.roundTrips).toBe(1);
  });

  it('answers a second selection with other arguments from its own statement, each right', async () => {
    const response = await gateway.request(/* GraphQL */ `
      query ($from: DateTime!, $to: DateTime!) {
        companies(first: 2) { edges { node { id
          few: users(first: 1) { edges { node { id } } }
          more: users(first: 3) { edges { node { id timeEntries(from: $from, to: $to) { id } } } } } } }
      }`, window);
    expect(response.errors).toBeUndefined();
    const users = await pgRows(mainUrl(), `
      SELECT u.company_id::text, u.id::text FROM companies c CROSS JOIN LATERAL (SELECT * FROM users WHERE company_id = c.id ORDER BY id LIMIT 3) u
      WHERE c.id <= 2 ORDER BY c.id, u.id`);
    for (const { node } of response.data!.companies.edges) {
      const ids = users.filter((user) => user.company_id === node.id).map((user) => user.id);
      expect(node.few.edges.map((edge: any) => edge.node.id)).toEqual(ids.slice(0, 1));
      expect(node.more.edges.map((edge: any) => edge.node.id)).toEqual(ids);
    }
    // the joined statement serves the first selection; the other's users, then their entries, follow
    expect(response.extensions!.repos!.main!.roundTrips).toBe(3);
  });

  it('reports bad arguments of a joined level at that level, not at the page', async () => {
    const response = await gateway.request(/* GraphQL */ `
      { companies(first: 1) { edges { node { id users(first: 2, after: "not-a-cursor") { edges { node { id } } } } } } }`);
    expect(response.errors).toEqual([expect.objectContaining({ path: ['companies', 'edges', 0, 'node', 'users'], extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
  });
});

describe('a company by id with its users and their tracked seconds (Q3 in main)', () => {
  const window = { from: '2026-10-01T00:00:00.000Z', to: '2026-10-08T00:00:00.000Z' };

  it('reads the company, its users page, their seconds and entries in one statement, equal to SQL', async () => {
    const response = await gateway.request(/* GraphQL */ `
      query ($from: DateTime!, $to: DateTime!) { company(id: "3") { id name
        users(first: 4) { edges { node { id trackedSeconds(from: $from, to: $to) timeEntries(from: $from, to: $to) { id } } } } } }`, window);
    expect(response.errors).toBeUndefined();
    const users = await pgRows(mainUrl(), `
      SELECT u.id::text,
        (SELECT coalesce(floor(sum(extract(epoch FROM least(coalesce(t.ended_at, now()), $2) - greatest(t.started_at, $1)))), 0)::int
         FROM time_entries t WHERE t.user_id = u.id AND t.started_at <= $2 AND coalesce(t.ended_at, 'infinity') >= $1) AS seconds,
        (SELECT coalesce(json_agg(t.id::text ORDER BY t.started_at, t.id), '[]') FROM time_entries t
         WHERE t.user_id = u.id AND t.started_at <= $2 AND coalesce(t.ended_at, 'infinity') >= $1) AS entries
      FROM users u WHERE u.company_id = 3 ORDER BY u.id LIMIT 4`, [window.from, window.to]);
    const [company] = await pgRows(mainUrl(), 'SELECT name FROM companies WHERE id = 3');
    expect(users.some((user) => user.seconds > 0)).toBe(true);
    expect(response.data!.company).toEqual({
      id: '3', name: company!.name,
      users: { edges: users.map((user) => ({ node: { id: user.id, trackedSeconds: user.seconds, timeEntries: user.entries.map((id: string) => ({ id })) } })) },
    });
    expect(response.extensions!.repos!.main!.roundTrips).toBe(1);
  });

  it('answers an unknown or malformed company id with null, as without users', async () => {
    const response = await gateway.request('{ a: company(id: "999999") { id users { edges { node { id } } } } b: company(id: "x") { id users { edges { node { id } } } } }');
    expect(response).toMatchObject({ data: { a: null, b: null } });
    expect(response.errors).toBeUndefined();
  });
});
