/**
 * The differential test's operation generator (test/operation-corpus.ts): the same seed gives the
 * same operations, every one valid against its class's schema and within its class's limits, and
 * together they use what the corpus is for (aliases, fragments, variables, directives, lists,
 * connections, fields of several repos).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, Kind, parse, validate, visit, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { classDefaults, projectRoot } from '../../src/config.js';
import { generateCorpus, generateOperation, limitsExceeded, operationSeed, vanishesWhenDelegated, type GeneratedOperation } from '../operation-corpus.js';

/** The checked-in contracts: what each class's gateway schema is (contracts.test.ts keeps them so). */
const contracts = {
  interactive: 'gateway.interactive.graphql',
  api: 'gateway.api.graphql',
  admin: 'gateway.graphql',
} as const;
type Asker = keyof typeof contracts;
const schemas = Object.fromEntries(
  Object.entries(contracts).map(([clientClass, file]) => [clientClass, buildSchema(readFileSync(path.join(projectRoot, 'schemas', file), 'utf8'))]),
) as Record<Asker, GraphQLSchema>;

const corpusOf = (clientClass: Asker, seed: number, size = 40): GeneratedOperation[] =>
  generateCorpus({ schema: schemas[clientClass], limits: classDefaults[clientClass].limits, seed, label: clientClass, size });

/** How often each thing the corpus should exercise appears in `documents`. */
function usage(documents: readonly DocumentNode[]): Record<string, number> {
  const counts: Record<string, number> = {};
  const count = (what: string) => void (counts[what] = (counts[what] ?? 0) + 1);
  for (const document of documents) {
    visit(document, {
      Field(node) {
        if (node.alias) count('alias');
        if (node.name.value === '__typename') count('__typename');
        if (node.name.value === 'edges') count('connection');
        if (['devices', 'lastPosition', 'track'].includes(node.name.value)) count('telemetry field');
        if (['invoices', 'openBalanceCents', 'lines', 'legacyCustomerName'].includes(node.name.value)) count('legacy field');
        if (['company', 'user', 'users', 'projects', 'timeEntries'].includes(node.name.value)) count('main field');
      },
      InlineFragment: () => count('inline fragment'),
      FragmentSpread: () => count('fragment spread'),
      VariableDefinition: (node) => count(node.defaultValue ? 'variable with a default' : 'variable'),
      Directive: () => count('@include/@skip'),
      IntValue: () => count('literal'),
      StringValue: () => count('literal'),
    });
    if (document.definitions.some((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)) count('named fragment');
  }
  return counts;
}

describe('generateCorpus', () => {
  it('gives the same operations for the same seed, and others for another seed or class', () => {
    const again = corpusOf('interactive', 7, 25);
    expect(again.map(({ query, variables }) => ({ query, variables }))).toEqual(corpusOf('interactive', 7, 25).map(({ query, variables }) => ({ query, variables })));
    expect(corpusOf('interactive', 8, 25).map((operation) => operation.query)).not.toEqual(again.map((operation) => operation.query));
    expect(new Set([operationSeed(7, 'api', 0), operationSeed(7, 'admin', 0), operationSeed(7, 'api', 1), operationSeed(8, 'api', 0)]).size).toBe(4);
  });

  it('regenerates any one operation from its own seed', () => {
    const [, second] = corpusOf('api', 3, 2);
    expect(generateOperation(schemas.api, classDefaults.api.limits, second!.seed).query).toBe(second!.query);
  });

  it.each(Object.keys(contracts) as Asker[])('yields documents valid against the %s schema and within its limits', (clientClass) => {
    for (const operation of corpusOf(clientClass, 15)) {
      expect(validate(schemas[clientClass], operation.document).map(String), operation.query).toEqual([]);
      expect(limitsExceeded(schemas[clientClass], operation.document, classDefaults[clientClass].limits), operation.query).toEqual([]);
      expect(JSON.parse(JSON.stringify(operation.variables))).toEqual(operation.variables);
    }
  });

  it('exercises aliases, fragments, variables, directives, __typename, connections and every repo', () => {
    const counts = usage(corpusOf('admin', 15, 100).map((operation) => operation.document));
    for (const what of [
      'alias', '__typename', 'connection', 'telemetry field', 'legacy field', 'main field', 'inline fragment', 'fragment spread', 'named fragment',
      'variable', 'variable with a default', '@include/@skip', 'literal',
    ]) {
      expect(counts[what] ?? 0, what).toBeGreaterThan(3);
    }
  });

  it('steers clear of the selections plain stitching is known to answer wrongly (differential.test.ts, knownDifferences)', () => {
    for (const { document, query } of [...corpusOf('interactive', 15, 100), ...corpusOf('admin', 16, 100)]) {
      const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
      visit(document, {
        Field(node) {
          if (!node.selectionSet) return;
          expect(node.selectionSet.selections.every((selection) => vanishesWhenDelegated(selection, fragments)), query).toBe(false);
          expect(conditionalFieldsSelectedAgain(node.selectionSet.selections, fragments), query).toEqual([]);
        },
      });
    }
  });
});

/** Response names selected more than once in `selections` (fragments merged in) where one selection has @skip or @include. */
function conditionalFieldsSelectedAgain(selections: readonly SelectionNode[], fragments: readonly FragmentDefinitionNode[]): string[] {
  const byResponseName = new Map<string, FieldNode[]>();
  const collect = (nodes: readonly SelectionNode[]) => {
    for (const node of nodes) {
      if (node.kind === Kind.FIELD) byResponseName.set((node.alias ?? node.name).value, [...(byResponseName.get((node.alias ?? node.name).value) ?? []), node]);
      else if (node.kind === Kind.INLINE_FRAGMENT) collect(node.selectionSet.selections);
      else collect(fragments.find((fragment) => fragment.name.value === node.name.value)!.selectionSet.selections);
    }
  };
  collect(selections);
  return [...byResponseName].filter(([, fields]) => fields.length > 1 && fields.some((field) => field.directives?.length)).map(([name]) => name);
}

describe('vanishesWhenDelegated', () => {
  /** For each selection of the first field of `query`: whether delegation leaves nothing of it. */
  const vanishing = (query: string) => {
    const document = parse(query);
    const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
    const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION)!;
    const field = operation.selectionSet.selections[0] as FieldNode;
    return field.selectionSet!.selections.map((selection) => vanishesWhenDelegated(selection, fragments));
  };

  it.each([
    ['{ user { ... { __typename } } }', [true]],
    ['{ user { ... on User { ... { __typename } } } }', [true]],
    ['{ user { ...F } } fragment F on User { ... { __typename } }', [true]],
    ['{ user { __typename ... { __typename } } }', [false, true]],
    ['{ user { ... { t: __typename } } }', [false]],
    ['{ user { ...F } } fragment F on User { __typename }', [false]],
    ['{ user { ... { __typename id } } }', [false]],
  ])('%s', (query, expected) => {
    expect(vanishing(query)).toEqual(expected);
  });
});
