/**
 * Operations one subgraph answers alone skip the stitching layer (use-single-subgraph.ts). The
 * answer must be the one stitching gives, to the byte: data, errors, and round trips. Each
 * operation runs through a gateway that passes through and one that never does.
 */
import { isInputObjectType, isInterfaceType, isObjectType, parse, type GraphQLField } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../src/gateway/stitch.js';
import { builtInSubgraphs as subgraphs } from '../src/subgraphs.js';
import { soleSubgraph } from '../src/gateway/use-single-subgraph.js';
import { subgraphSchema } from '../src/subgraph-kit/subgraph.js';
import { openGateway, openPlainStitchingGateway, type GraphQLResponse } from './support.js';

const passThrough = openGateway();
const stitchedOnly = openPlainStitchingGateway();
afterAll(() => Promise.all([passThrough.close(), stitchedOnly.close()]));

const week = { from: '2026-10-25T00:00:00Z', to: '2026-11-01T00:00:00Z' };
const operations: [string, string, Record<string, unknown>?][] = [
  ['user with company (main)', '{ user(id: "7") { id name email company { id name createdAt } } }'],
  ['missing user (main)', '{ user(id: "999999") { id } }'],
  ['companies → users → time entries (main)',
    'query ($from: DateTime!, $to: DateTime!) { companies(first: 3) { edges { cursor node { id name users(first: 4) { pageInfo { hasNextPage endCursor } edges { node { id trackedSeconds(from: $from, to: $to) timeEntries(from: $from, to: $to) { id startedAt endedAt note project { name } } } } } } } pageInfo { hasNextPage } } }', week],
  ['devices with last positions (telemetry)', '{ devices(first: 40) { edges { cursor node { id serial label lastPosition { recordedAt latitude longitude speedKmh heading } } } pageInfo { endCursor hasNextPage } } }'],
  ['a downsampled track (telemetry)', 'query ($from: DateTime!, $to: DateTime!) { device(id: "1") { id track(from: $from, to: $to, maxPoints: 20) { recordedAt latitude longitude } user { id } } }', week],
  ['a window too wide (telemetry, BAD_USER_INPUT)', '{ device(id: "1") { track(from: "2026-01-01T00:00:00Z", to: "2026-11-01T00:00:00Z") { recordedAt } } }'],
  ['an invoice with lines (legacy)', '{ invoice(number: "1") { number status totalCents dueOn lines { lineNo quantity unitPriceCents } } }'],
  ['__typename at the root', '{ __typename user(id: "1") { __typename id } }'],
];

function comparable(response: GraphQLResponse): unknown {
  // Round trips must agree too; only the milliseconds may differ.
  const repos = Object.fromEntries(Object.entries(response.extensions?.repos ?? {}).map(([repo, usage]) => [repo, usage.roundTrips]));
  return { data: response.data, errors: response.errors, repos };
}

describe('single-subgraph operations', () => {
  it.each(operations)('%s: the same answer as through stitching', async (_name, query, variables) => {
    const [fast, stitched] = await Promise.all([passThrough.request(query, variables), stitchedOnly.request(query, variables)]);
    expect(comparable(fast)).toEqual(comparable(stitched));
    expect(fast.data ?? fast.errors).toBeTruthy();
  });

  it.each([
    ['a page too large', '{ companies(first: 501) { edges { cursor } } }', undefined],
    ['a cursor it did not issue', '{ devices(after: "zzz") { edges { cursor } } }', undefined],
    ['a malformed DateTime variable', 'query ($f: DateTime!) { user(id: "1") { trackedSeconds(from: $f, to: $f) } }', { f: 'nope' }],
  ])('%s: refused with the same code as through stitching', async (_name, query, variables) => {
    const [fast, stitched] = await Promise.all([passThrough.request(query, variables), stitchedOnly.request(query, variables)]);
    const codes = (response: GraphQLResponse) => response.errors?.map((error) => error.extensions?.code);
    expect(codes(fast)).toEqual(codes(stitched));
    expect(codes(fast)).toEqual(['BAD_USER_INPUT']);
  });

  it('coerces variables against the class schema: api cannot send a hidden input field', async () => {
    const query = 'mutation ($input: StartTimeEntryInput!) { startTimeEntry(input: $input) { id } }';
    const variables = { input: { userId: '1', projectId: '1', note: 'hidden from api' } };
    const [fast, stitched] = await Promise.all([
      passThrough.request(query, variables, { clientClass: 'api' }),
      stitchedOnly.request(query, variables, { clientClass: 'api' }),
    ]);
    expect(fast.data ?? undefined).toBeUndefined();
    expect(fast.errors![0]!.message).toMatch(/"note" is not defined by type "StartTimeEntryInput"/);
    expect(comparable(fast)).toEqual(comparable(stitched));
  });

  it('passes through only what one subgraph can answer, never introspection', () => {
    const schemas = subgraphs.map(subgraphSchema);
    const owner = (query: string) => {
      const schema = soleSubgraph(parse(query), schemas);
      return schema ? subgraphs[schemas.indexOf(schema)]!.name : 'stitched';
    };
    expect(owner('{ user(id: "1") { company { name } } }')).toBe('main');
    expect(owner('{ devices { edges { node { lastPosition { latitude } } } } }')).toBe('telemetry');
    expect(owner('{ user(id: "1") { name lastPosition { latitude } } }')).toBe('stitched');
    expect(owner('{ company(id: "1") { name openBalanceCents } }')).toBe('stitched');
    expect(owner('{ __schema { types { name } } }')).toBe('stitched');
    expect(owner('{ user(id: "1") { __type(name: "User") { name } } }')).toBe('stitched');
    // A subgraph without a Mutation type validates any mutation vacuously: it must never be the one chosen.
    const withoutMutations = subgraphSchema(subgraphs.find((subgraph) => subgraph.name === 'training')!);
    expect(withoutMutations.getMutationType()).toBeUndefined();
    expect(soleSubgraph(parse('mutation { recordPositions(deviceId: "1", positions: []) { inserted } }'), [withoutMutations, ...schemas])).toBe(schemas[1]);
    expect(soleSubgraph(parse('subscription { positionRecorded { position { latitude } } }'), [withoutMutations, ...schemas])).toBe(schemas[1]);
  });

  it('keeps every field of every subgraph typed as in the gateway schema (what passing through relies on)', () => {
    const gateway = buildGatewaySchema();
    const differences: string[] = [];
    for (const subgraph of subgraphs) {
      for (const type of Object.values(subgraphSchema(subgraph).getTypeMap())) {
        const inGateway = gateway.getType(type.name);
        if (type.name.startsWith('__') || !inGateway) continue;
        if (!(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) continue;
        if (!(isObjectType(inGateway) || isInterfaceType(inGateway) || isInputObjectType(inGateway))) continue;
        const gatewayFields = inGateway.getFields() as Record<string, Partial<GraphQLField<unknown, unknown>> & { type: unknown }>;
        for (const [name, field] of Object.entries(type.getFields() as Record<string, Partial<GraphQLField<unknown, unknown>> & { type: unknown }>)) {
          const other = gatewayFields[name];
          if (!other) continue;
          const signature = (f: typeof field) => `${String(f.type)}(${(f.args ?? []).map((a) => `${a.name}: ${String(a.type)} = ${JSON.stringify(a.defaultValue)}`).join(', ')})`;
          if (signature(field) !== signature(other)) differences.push(`${subgraph.name} ${type.name}.${name}: ${signature(field)} vs ${signature(other)}`);
        }
      }
    }
    expect(differences).toEqual([]);
  });
});
