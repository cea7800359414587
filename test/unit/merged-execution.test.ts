/**
 * Which operations the merged path takes (src/gateway/merged-execution.ts), decided from the
 * document alone. Its answers are held equal to plain stitching's by test/differential.test.ts.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import { stitchSchemas } from '@graphql-tools/stitch';
import { execute, GraphQLScalarType, parse, subscribe } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schemaForClass } from '../../src/gateway/class-schemas.js';
import { compiledEvents } from '../../src/gateway/compiled-execution.js';
import { mergedExecution, type LocalSubgraph } from '../../src/gateway/merged-execution.js';
import { buildGatewaySchema } from '../../src/gateway/stitch.js';
import { builtInSubgraphs } from '../../src/subgraphs.js';
import { subgraphSchema } from '../../src/subgraph-kit/subgraph.js';

const local = (names: readonly string[]): LocalSubgraph[] =>
  builtInSubgraphs.filter((subgraph) => names.includes(subgraph.name)).map((subgraph) => ({ name: subgraph.name, schema: subgraphSchema(subgraph), merge: subgraph.merge }));
const gatewaySchema = schemaForClass(buildGatewaySchema(builtInSubgraphs), 'interactive');
const allLocal = mergedExecution(local(['main', 'telemetry', 'legacy', 'training']));

const q1 = `query Q1($id: ID!) { company(id: $id) { id name
  users(first: 50) { edges { node { id name lastPosition { recordedAt latitude longitude } } } }
  invoices(status: OPEN) { number totalCents dueOn lines { lineNo description quantity unitPriceCents } } } }`;
const q3 = `query Q3($id: ID!, $from: DateTime!, $to: DateTime!) { company(id: $id) { id name openBalanceCents
  users(first: 50) { edges { node { id name trackedSeconds(from: $from, to: $to) devices { id lastPosition { recordedAt } } } } } } }`;

describe('the operations the merged path answers', () => {
  it.each([
    ['Q1 (main, then telemetry and legacy at one position each)', q1],
    ['Q3', q3],
    ['a fragment spread and an inline fragment', '{ company(id: "1") { ...C } } fragment C on Company { ... on Company { invoices { number } } name }'],
    ['entering main again from telemetry, once', '{ device(id: "7") { user { name company { name } } } }'],
    ['root fields of several subgraphs', '{ company(id: "1") { name } device(id: "7") { serial } invoice(number: "1") { totalCents } }'],
  ])('%s', (_name, query) => {
    expect(allLocal.answers(parse(query), gatewaySchema)).toBe(true);
  });

  it.each([
    // Stitching reads legacy's part of all of them in one batch; here each level would ask on its own.
    ['a subgraph entered at two positions', '{ company(id: "1") { invoices { number } projects { company { openBalanceCents } } } }'],
    ['a mutation', 'mutation { stopTimeEntry(id: "1") { id } }'],
    ['@defer', '{ company(id: "1") { name ... @defer { invoices { number } } } }'],
    ['introspection', '{ __schema { queryType { name } } }'],
  ])('not %s', (_name, query) => {
    expect(allLocal.answers(parse(query), gatewaySchema)).toBe(false);
  });

  it('not a field of a subgraph it was not given (a foreign one)', () => {
    const withoutLegacy = mergedExecution(local(['main', 'telemetry', 'training']));
    expect(withoutLegacy.answers(parse(q1), gatewaySchema)).toBe(false);
    expect(withoutLegacy.answers(parse(q3.replace('openBalanceCents', '')), gatewaySchema)).toBe(true);
  });

  it("a remote subgraph's fields too, unless a literal argument is one its types refuse (stitching places that refusal)", () => {
    const notCalled = () => Promise.reject(new Error('not called: deciding reads the document only'));
    const telemetryRemote = mergedExecution(local(['main', 'telemetry', 'legacy', 'training']).map((subgraph) => (subgraph.name === 'telemetry' ? { ...subgraph, remote: notCalled } : subgraph)));
    expect(telemetryRemote.answers(parse(q1), gatewaySchema)).toBe(true);
    expect(telemetryRemote.answers(parse('{ device(id: "1") { track(from: "2026-10-01T00:00:00Z", to: "2026-10-01T01:00:00Z") { heading } user { name } } }'), gatewaySchema)).toBe(true);
    expect(telemetryRemote.answers(parse('{ device(id: "1") { track(from: "yesterday", to: "2026-10-01T01:00:00Z") { heading } user { name } } }'), gatewaySchema)).toBe(false);
    // In-process, the field's own resolver refuses it, at the field.
    expect(allLocal.answers(parse('{ device(id: "1") { track(from: "yesterday", to: "2026-10-01T01:00:00Z") { heading } user { name } } }'), gatewaySchema)).toBe(true);
  });

  const event = 'subscription { positionRecorded { device { id serial user { name company { name } } } position { recordedAt } } }';

  it("a subscription's events, when its source runs here: the selection as a query would be taken", () => {
    expect(allLocal.answersEvents(parse(event), gatewaySchema)).toBe(true);
    // …and they run compiled.
    expect(compiledEvents(parse(event), allLocal.schemaFor(gatewaySchema), undefined)).not.toBeNull();
    // Not as an operation of its own (yoga's subscribe runs it), nor a query as events.
    expect(allLocal.answers(parse(event), gatewaySchema)).toBe(false);
    expect(allLocal.answersEvents(parse('{ device(id: "7") { serial } }'), gatewaySchema)).toBe(false);
    // A selection the merged path leaves to stitching stays there for events too.
    expect(allLocal.answersEvents(parse('subscription { positionRecorded { device { id } ... @defer { position { recordedAt } } } }'), gatewaySchema)).toBe(false);
    // A service serves no subscriptions: telemetry remote has no source here.
    const notCalled = () => Promise.reject(new Error('not called'));
    const telemetryRemote = mergedExecution(local(['main', 'telemetry', 'legacy', 'training']).map((subgraph) => (subgraph.name === 'telemetry' ? { ...subgraph, remote: notCalled } : subgraph)));
    expect(telemetryRemote.answersEvents(parse(event), gatewaySchema)).toBe(false);
    // main remote: the event's user is read from the service, as a query's would be.
    const mainRemote = mergedExecution(local(['main', 'telemetry', 'legacy', 'training']).map((subgraph) => (subgraph.name === 'main' ? { ...subgraph, remote: notCalled } : subgraph)));
    expect(mainRemote.answersEvents(parse(event), gatewaySchema)).toBe(true);
  });

  it('builds the executable schema once per class schema, with the subgraphs’ resolvers in place of stitching’s', () => {
    const schema = allLocal.schemaFor(gatewaySchema);
    expect(allLocal.schemaFor(gatewaySchema)).toBe(schema);
    expect(schema.getQueryType()!.getFields().company!.resolve).not.toBe(gatewaySchema.getQueryType()!.getFields().company!.resolve);
  });
});

/**
 * Two small subgraphs over the same `Thing` (rows in the test, no database): `a` lists things and
 * stores its enum as codes, `b` adds fields keyed by id and a custom scalar. What crosses between
 * them must look as it would on the wire.
 */
describe('one walk over two subgraphs', () => {
  const instant = new GraphQLScalarType({
    name: 'Instant',
    serialize: (value) => (value as Date).toISOString(),
    parseValue: (value) => {
      const date = new Date(value as string);
      if (Number.isNaN(date.getTime())) throw new TypeError(`not an instant: ${String(value)}`);
      return date;
    },
  });
  const rows = [{ id: 1, name: 'one', status: 'o' }, { id: 2, name: 'two', status: 'c' }, { id: 3, name: 'three', status: 'o' }];
  const calls: { ids: string[] }[] = [];
  const seen: unknown[] = [];
  const a = {
    name: 'a',
    schema: makeExecutableSchema({
      typeDefs: 'enum Status { OPEN CLOSED } type Thing { id: ID! name: String! status: Status! } type Query { things: [Thing!]! _thingsById(ids: [ID!]!): [Thing]! }',
      resolvers: {
        Status: { OPEN: 'o', CLOSED: 'c' },
        Query: {
          things: () => rows,
          _thingsById: (_root: unknown, { ids }: { ids: string[] }) => ids.map((id) => rows.find((row) => String(row.id) === id) ?? null),
        },
      },
    }),
    // Without an entry point here, a Thing b made could not get a's fields: the type would be stitched.
    merge: { Thing: { selectionSet: '{ id }', fieldName: '_thingsById', key: ({ id }: { id: string }) => id, argsFromKeys: (ids: readonly unknown[]) => ({ ids }) } },
  };
  const b = {
    name: 'b',
    schema: makeExecutableSchema({
      typeDefs: 'scalar Instant type Thing { id: ID! extra: String after(at: Instant!): Instant } type Query { _thingsByIds(ids: [ID!]!): [Thing]! }',
      resolvers: {
        Instant: instant,
        Query: { _thingsByIds: (_root: unknown, args: { ids: string[] }) => (calls.push(args), args.ids.map((id) => (id === '3' ? null : { id, extra: `extra ${id}` }))) },
        Thing: { after: (_thing: unknown, { at }: { at: unknown }) => (seen.push(at), new Date((at as Date).getTime() + 1000)) },
      },
    }),
    merge: { Thing: { selectionSet: '{ id }', fieldName: '_thingsByIds', key: ({ id }: { id: string }) => id, argsFromKeys: (ids: readonly unknown[]) => ({ ids }) } },
  };
  const gateway = stitchSchemas({ subschemas: [a, b].map(({ schema, merge }) => ({ schema, merge })) });
  const merged = mergedExecution([a, b]);

  it("answers with each subgraph's fields, its enum by name and its scalar as its own type serialises it, b's parts read in one call", async () => {
    const document = parse('{ things { name status extra after(at: "2026-01-01T00:00:00Z") } }');
    expect(merged.answers(document, gateway)).toBe(true);
    const result = await execute({ schema: merged.schemaFor(gateway), document, contextValue: {} });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      things: [
        { name: 'one', status: 'OPEN', extra: 'extra 1', after: '2026-01-01T00:00:01.000Z' },
        { name: 'two', status: 'CLOSED', extra: 'extra 2', after: '2026-01-01T00:00:01.000Z' },
        // b has no part of thing 3: its fields are null, as through stitching.
        { name: 'three', status: 'OPEN', extra: null, after: null },
      ],
    });
    // The ids as b's ID parses them, all in one call; the argument as b's scalar parses it.
    expect(calls).toEqual([{ ids: ['1', '2', '3'] }]);
    expect(seen.every((at) => at instanceof Date)).toBe(true);
  });

  it("fails only the fields that take a variable the owning subgraph's scalar refuses", async () => {
    const document = parse('query ($at: Instant!) { things { name after(at: $at) } }');
    expect(merged.answers(document, gateway)).toBe(true);
    const result = await execute({ schema: merged.schemaFor(gateway), document, contextValue: {}, variableValues: { at: 'garbage' } });
    const viaStitching = await execute({ schema: gateway, document, contextValue: {}, variableValues: { at: 'garbage' } });
    expect(result.data).toEqual({ things: rows.map(({ name }) => ({ name, after: null })) });
    expect(viaStitching.data).toEqual(result.data);
    // b's parts of all three are asked with the variable, which b refuses: every `after` fails, as through stitching.
    expect(result.errors!.map((error) => error.path)).toEqual([0, 1, 2].map((i) => ['things', i, 'after']));
    expect(result.errors!.map((error) => error.message)).toEqual(viaStitching.errors!.map((error) => error.message));
    expect(result.errors![0]!.message).toMatch(/^Variable "\$at" got invalid value "garbage"/);
  });

  it("executes a subscription's events from its own subgraph's source, each event's parts of b read in one call per burst", async () => {
    const withEvents = {
      ...a,
      schema: makeExecutableSchema({
        typeDefs: 'enum Status { OPEN CLOSED } type Thing { id: ID! name: String! status: Status! } type Query { things: [Thing!]! _thingsById(ids: [ID!]!): [Thing]! } type Subscription { thingChanged: Thing! }',
        resolvers: {
          Status: { OPEN: 'o', CLOSED: 'c' },
          Query: { things: () => rows, _thingsById: (_root: unknown, { ids }: { ids: string[] }) => ids.map((id) => rows.find((row) => String(row.id) === id) ?? null) },
          Subscription: {
            thingChanged: {
              // The source emits keys; the field's own resolver makes the event's object of them.
              async *subscribe() {
                yield { changed: 1 };
                yield { changed: 2 };
              },
              resolve: (event: { changed: number }) => rows.find((row) => row.id === event.changed),
            },
          },
        },
      }),
    };
    const withEventsGateway = stitchSchemas({ subschemas: [withEvents, b].map(({ schema, merge }) => ({ schema, merge })) });
    const mergedWithEvents = mergedExecution([withEvents, b]);
    const document = parse('subscription { thingChanged { name status extra } }');
    expect(mergedWithEvents.answersEvents(document, withEventsGateway)).toBe(true);
    calls.length = 0;
    const stream = (await subscribe({ schema: mergedWithEvents.schemaFor(withEventsGateway), document, contextValue: {} })) as AsyncIterable<unknown>;
    const events: unknown[] = [];
    for await (const result of stream) events.push(result);
    expect(events).toEqual([
      { data: { thingChanged: { name: 'one', status: 'OPEN', extra: 'extra 1' } } },
      { data: { thingChanged: { name: 'two', status: 'CLOSED', extra: 'extra 2' } } },
    ]);
    // graphql-js's subscribe executes one event after the other (the gateway's executor runs a burst's together).
    expect(calls).toEqual([{ ids: ['1'] }, { ids: ['2'] }]);
    // Compiled (as the gateway runs them), an event is the same answer; both events at once, b's parts in one call.
    const compiled = compiledEvents(document, mergedWithEvents.schemaFor(withEventsGateway), undefined);
    expect(compiled).not.toBeNull();
    calls.length = 0;
    const context = {};
    expect(await Promise.all([{ changed: 1 }, { changed: 2 }].map((changed) => compiled!(changed, context, {})))).toEqual(events);
    expect(calls).toEqual([{ ids: ['1', '2'] }]);
  });

  it('leaves a type to stitching when a subgraph with fields of it the others lack has no entry point for it', () => {
    const withoutEntry = mergedExecution([{ ...a, merge: {} }, b]);
    expect(withoutEntry.answers(parse('{ things { name extra } }'), gateway)).toBe(false);
  });
});
