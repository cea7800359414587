/**
 * Which operations the merged path takes (src/gateway/merged-execution.ts), decided from the
 * document alone. Its answers are held equal to plain stitching's by test/differential.test.ts.
 */
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schemaForClass } from '../../src/gateway/class-schemas.js';
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

  it('not a field of a subgraph that is not in-process (legacy remote)', () => {
    const withoutLegacy = mergedExecution(local(['main', 'telemetry', 'training']));
    expect(withoutLegacy.answers(parse(q1), gatewaySchema)).toBe(false);
    expect(withoutLegacy.answers(parse(q3.replace('openBalanceCents', '')), gatewaySchema)).toBe(true);
  });

  it('builds the executable schema once per class schema, with the subgraphs’ resolvers in place of stitching’s', () => {
    const schema = allLocal.schemaFor(gatewaySchema);
    expect(allLocal.schemaFor(gatewaySchema)).toBe(schema);
    expect(schema.getQueryType()!.getFields().company!.resolve).not.toBe(gatewaySchema.getQueryType()!.getFields().company!.resolve);
  });
});
