/**
 * Subgraphs as Federation v2 services: their SDL composes with standard composition into the
 * gateway's own API schema, and `npm run subgraph -- <name>` (real child processes over the real
 * stack) answers `_entities` batches with the rows SQL reads, one statement per entity type,
 * only to a verified caller of a class that sees the subgraph, and only with its tenant's rows.
 */
import { composeServices } from '@theguild/federation-composition';
import { buildASTSchema, lexicographicSortSchema, parse, printSchema, visit, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { federationSdl } from '../src/federation/federation-sdl.js';
import { buildGatewaySchema } from '../src/gateway/stitch.js';
import { builtInSubgraphs } from '../src/subgraphs.js';
import { mysqlRows, pgRows, stackInfo, startSubgraphService, tokenFor, type GraphQLResponse, type SubgraphService } from './support.js';

const composed = (services: { name: string; sdl: string }[]) => composeServices(services.map(({ name, sdl }) => ({ name, typeDefs: parse(sdl) })));

/** Types, fields, arguments and their types, sorted; descriptions left out (composition and stitching pick them differently). */
function shape(sdl: string): string {
  const withoutDescriptions = visit(parse(sdl), { enter: (node) => ('description' in node && node.description ? { ...node, description: undefined } : undefined) }) as DocumentNode;
  const schema = lexicographicSortSchema(buildASTSchema(withoutDescriptions, { assumeValidSDL: true }));
  // graphql-scalars' SafeInt carries @specifiedBy in the stitched schema, not in an SDL's plain `scalar SafeInt`.
  return printSchema(schema).replace(/ @specifiedBy\([^)]*\)/g, '').replace(/\n{3,}/g, '\n\n');
}

describe('Federation v2 SDL of the descriptors', () => {
  const services = builtInSubgraphs.map((subgraph) => ({ name: subgraph.name, sdl: federationSdl(subgraph, builtInSubgraphs) }));

  it('composes the four subgraphs without an error, into the schema the gateway stitches', () => {
    const result = composed(services);
    expect(result.errors?.map((error) => error.message) ?? []).toEqual([]);
    expect(shape(result.publicSdl!)).toEqual(shape(printSchema(buildGatewaySchema(builtInSubgraphs))));
  });

  it('keys each entity by its merge entry point and hides the entry points and internal types', () => {
    const sdl = Object.fromEntries(services.map(({ name, sdl }) => [name, sdl]));
    expect(sdl.main).toMatch(/^extend schema @link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.3", import: \["@inaccessible", "@key", "@shareable"\]\)/);
    expect(sdl.main).toContain('type Company @key(fields: "legacyCustomerCode") {');
    expect(sdl.main).toContain('type User @key(fields: "id") {');
    expect(sdl.main).toContain('type PageInfo @shareable {');
    expect(sdl.main).toContain('_companiesByLegacyCodes(codes: [String!]!): [Company]! @inaccessible');
    expect(sdl.telemetry).toContain('type User @key(fields: "id") {');
    expect(sdl.telemetry).toContain('_usersByIds(ids: [ID!]!): [User]! @inaccessible');
    expect(sdl.legacy).toContain('type Company @key(fields: "legacyCustomerCode") {');
    expect(sdl.legacy).toContain('input LegacyCompanyRef @inaccessible {');
    expect(sdl.training).not.toContain('@key');
    const publicSdl = composed(services).publicSdl!;
    for (const hidden of ['_companiesByLegacyCodes', '_usersByIds', '_companiesByLegacyRefs', 'LegacyCompanyRef']) expect(publicSdl).not.toContain(hidden);
  });
});

async function post(service: SubgraphService, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<{ status: number; body: GraphQLResponse }> {
  const response = await fetch(service.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token !== undefined && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse };
}

const entities = (selection: string) => `query ($representations: [_Any!]!) { _entities(representations: $representations) { __typename ${selection} } }`;

describe('subgraph services (npm run subgraph)', () => {
  const services: Record<string, SubgraphService> = {};
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    const started = await Promise.allSettled(['main', 'telemetry', 'legacy'].map((name) => startSubgraphService(name)));
    for (const result of started) if (result.status === 'fulfilled') services[result.value.name] = result.value;
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    [acme, globex] = await Promise.all([tokenFor('interactive', 'acme'), tokenFor('interactive', 'globex')]);
  });

  afterAll(async () => {
    for (const service of Object.values(services)) process.kill(-service.child.pid!, 'SIGTERM');
    await Promise.all(Object.values(services).map((service) => service.exited));
  });

  it('serves _service { sdl }, and the services compose with the training subgraph', async () => {
    const fetched = await Promise.all(
      Object.values(services).map(async (service) => ({ name: service.name, sdl: (await post(service, '{ _service { sdl } }', {}, acme)).body.data!._service.sdl as string })),
    );
    expect(fetched.find((service) => service.name === 'main')!.sdl).toEqual(federationSdl(builtInSubgraphs[0]!, builtInSubgraphs));
    const training = builtInSubgraphs.find((subgraph) => subgraph.name === 'training')!;
    expect(composed([...fetched, { name: 'training', sdl: federationSdl(training, builtInSubgraphs) }]).errors ?? []).toEqual([]);
  });

  it('main: a batch of users and companies equals SQL, one statement per entity type', async () => {
    const url = stackInfo().repos.main.tenants.acme!;
    const users = await pgRows(url, 'SELECT id::text AS id, name, email FROM users WHERE id = ANY($1::bigint[]) ORDER BY users.id', [[3, 7, 150, 399]]);
    const companies = await pgRows(url, 'SELECT legacy_customer_code AS "legacyCustomerCode", name FROM companies WHERE legacy_customer_code IS NOT NULL ORDER BY id LIMIT 4');
    const representations = [
      ...users.map(({ id }) => ({ __typename: 'User', id })),
      ...companies.map(({ legacyCustomerCode }) => ({ __typename: 'Company', legacyCustomerCode })),
      { __typename: 'User', id: '987654' },
    ];
    const { status, body } = await post(services.main!, entities('... on User { id name email } ... on Company { legacyCustomerCode name }'), { representations }, acme);
    expect(status).toBe(200);
    expect(body.data).toEqual({
      _entities: [...users.map((user) => ({ __typename: 'User', ...user })), ...companies.map((company) => ({ __typename: 'Company', ...company })), null],
    });
    expect(body.extensions!.repos!.main!.roundTrips).toBe(2);
  });

  it("telemetry: users' devices equal SQL, in one statement", async () => {
    const ids = ['1', '2', '3', '4', '5', '6'];
    const devices = await pgRows<{ userId: string; id: string; serial: string }>(
      stackInfo().repos.telemetry.url,
      `SELECT user_id::text AS "userId", id::text AS id, serial FROM devices WHERE tenant = 'acme' AND user_id = ANY($1::bigint[]) ORDER BY devices.id`,
      [ids],
    );
    const { body } = await post(services.telemetry!, entities('... on User { id devices { id serial } }'), { representations: ids.map((id) => ({ __typename: 'User', id })) }, acme);
    expect(body.data).toEqual({
      _entities: ids.map((id) => ({ __typename: 'User', id, devices: devices.filter((device) => device.userId === id).map(({ id: deviceId, serial }) => ({ id: deviceId, serial })) })),
    });
    expect(body.extensions!.repos!.telemetry!.roundTrips).toBe(1);
  });

  it("legacy: companies' invoices by customer code equal SQL; another tenant's codes answer null", async () => {
    const acmeCodes = (await pgRows(stackInfo().repos.main.tenants.acme!, 'SELECT legacy_customer_code AS code FROM companies WHERE legacy_customer_code IS NOT NULL ORDER BY id LIMIT 3')).map((row) => row.code as string);
    const globexCode = (await pgRows(stackInfo().repos.main.tenants.globex!, 'SELECT legacy_customer_code AS code FROM companies WHERE legacy_customer_code IS NOT NULL ORDER BY id LIMIT 1'))[0]!.code as string;
    const invoices = await mysqlRows<{ code: string; number: number; totalCents: number }>(
      'SELECT CUST_CD AS code, INV_NO AS number, ROUND(TOT_AMT * 100) AS totalCents FROM INV_HDR WHERE CUST_CD IN (?) ORDER BY INV_NO',
      [acmeCodes],
    );
    const representations = [...acmeCodes, globexCode, null].map((legacyCustomerCode) => ({ __typename: 'Company', legacyCustomerCode }));
    const { body } = await post(services.legacy!, entities('... on Company { legacyCustomerCode invoices { number totalCents } }'), { representations }, acme);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      _entities: [
        ...acmeCodes.map((code) => ({
          __typename: 'Company',
          legacyCustomerCode: code,
          invoices: invoices.filter((invoice) => invoice.code === code).map((invoice) => ({ number: String(invoice.number), totalCents: Number(invoice.totalCents) })),
        })),
        null,
        { __typename: 'Company', legacyCustomerCode: null, invoices: [] },
      ],
    });
    // One statement for the invoices; main's, in this process, is the tenant's customer codes.
    expect(body.extensions!.repos).toMatchObject({ legacy: { roundTrips: 1 }, main: { roundTrips: 1 } });
  });

  it('answers 401 UNAUTHENTICATED without a token, with a bad signature and with an expired token', async () => {
    const forged = `${acme.slice(0, acme.lastIndexOf('.'))}.${'A'.repeat(43)}`;
    for (const token of [undefined, forged, await tokenFor('interactive', 'acme', Math.floor(Date.now() / 1000) - 60)]) {
      const { status, body } = await post(services.main!, '{ _service { sdl } }', {}, token);
      expect(status).toBe(401);
      expect(body.errors!.map((error) => error.extensions!.code)).toEqual(['UNAUTHENTICATED']);
      expect(body.data).toBeUndefined();
    }
  });

  it("applies the class's visibility: ml is refused by main, api cannot ask for User.email", async () => {
    const ml = await post(services.main!, '{ _service { sdl } }', {}, await tokenFor('ml', 'acme'));
    expect(ml.status).toBe(403);
    expect(ml.body.errors!.map((error) => error.extensions!.code)).toEqual(['FORBIDDEN']);
    const representations = [{ __typename: 'User', id: '3' }];
    const api = await post(services.main!, entities('... on User { email }'), { representations }, await tokenFor('api', 'acme'));
    expect(api.body.data).toBeUndefined();
    expect(api.body.errors!.map((error) => error.message)).toEqual(['Cannot query field "email" on type "User".']);
    expect((await post(services.main!, entities('... on User { name }'), { representations }, await tokenFor('api', 'acme'))).body.data).toEqual({
      _entities: [{ __typename: 'User', name: (await pgRows(stackInfo().repos.main.tenants.acme!, 'SELECT name FROM users WHERE id = 3'))[0]!.name }],
    });
  });

  it("keeps tenants apart: the same keys give each tenant its own rows, never the other's", async () => {
    const ids = ['1', '2', '3', '4'];
    const representations = ids.map((id) => ({ __typename: 'User', id }));
    const usersOf = (tenant: string) => pgRows(stackInfo().repos.main.tenants[tenant]!, 'SELECT id::text AS id, name FROM users WHERE id = ANY($1::bigint[]) ORDER BY users.id', [ids]);
    const [acmeUsers, globexUsers] = await Promise.all([usersOf('acme'), usersOf('globex')]);
    expect(acmeUsers).not.toEqual(globexUsers);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? acme : globex)).map((token) => post(services.main!, entities('... on User { id name }'), { representations }, token)),
    );
    answers.forEach(({ body }, i) => {
      const expected = i % 2 === 0 ? acmeUsers : globexUsers;
      expect(body.data).toEqual({ _entities: expected.map((user) => ({ __typename: 'User', ...user })) });
    });
    const devices = await post(services.telemetry!, entities('... on User { devices { id } }'), { representations }, globex);
    // Device ids are odd for acme and even for globex in the demo seed.
    expect(devices.body.data!._entities.flatMap((user: { devices: { id: string }[] }) => user.devices).every((device: { id: string }) => Number(device.id) % 2 === 0)).toBe(true);
  });

  it('refuses a representation of a type the subgraph does not key, with BAD_USER_INPUT', async () => {
    const { body } = await post(services.telemetry!, entities('... on User { id }'), { representations: [{ __typename: 'Device', id: '1' }] }, acme);
    // `_entities` is non-null, so the error nulls the whole answer.
    expect(body.data).toBeNull();
    expect(body.errors!.map((error) => [error.extensions!.code, error.path])).toEqual([['BAD_USER_INPUT', ['_entities']]]);
  });
});
