/**
 * Random, reproducible GraphQL operations over a client class's gateway schema: the inputs of the
 * differential test (differential.test.ts), which runs each through the planned path and through
 * plain stitching and holds the two answers equal.
 *
 * Pure: an operation is a function of the schema, the class's limits, the argument pools and one
 * seed (mulberry32, the seed's own PRNG), so a failing operation is reproduced from its seed alone.
 * The generator walks the schema with graphql-js's type information and builds valid documents
 * by construction (the tests assert `validate()` rather than trust it): arguments from pools of
 * values that exist in the demo seed (and a few that do not, or that the resolvers refuse),
 * literal or through variables, aliases, inline and named fragments, @include/@skip, `__typename`.
 * Depth, width and the rows an operation may fan out to are bounded as it is built, so it stays
 * cheap on the stack; the class's limits (depth, aliases, directives, cost, tokens) are then
 * measured with GraphQL Armor's own rules, as the gateway does, and an operation over them is
 * drawn again from the same PRNG.
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNamedType, getNullableType, GraphQLBoolean, GraphQLNonNull, isEnumType, isLeafType, isListType, isNonNullType, isObjectType, Kind, Lexer,
  OperationTypeNode, print, Source, TokenKind, validate,
  type ArgumentNode, type ConstValueNode, type DirectiveNode, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLArgument, type GraphQLField,
  type GraphQLInputType, type GraphQLObjectType, type GraphQLSchema, type ListTypeNode, type NamedTypeNode, type SelectionNode, type TypeNode,
  type ValidationContext, type ValueNode, type VariableDefinitionNode, type VariableNode,
} from 'graphql';
import { parseSelectionSet } from '@graphql-tools/utils';
import type { OperationLimits } from '../src/config.js';
import { builtInSubgraphs } from '../src/subgraphs.js';
import { encodeCursor } from '../src/subgraph-kit/connection.js';
import { SEED_END, demoSizes, demoTenants, pick, prng } from '../dev/stack/demo.js';

type Random = () => number;
type Arguments = Readonly<Record<string, unknown>>;

/** Where argument values come from; a required argument without a value makes its field unused. */
export interface ArgumentPools {
  /** Whole argument sets of a field whose arguments belong together (a window's from and to), by `Type.field`. */
  byField: Readonly<Record<string, readonly Arguments[]>>;
  /** Values of any other argument of that name; an optional one is given only now and then. */
  byName: Readonly<Record<string, readonly unknown[]>>;
  /** Rows a list field is expected to return per parent, by `Type.field`, where neither `first`, `maxPoints` nor `ids` says. */
  fanOut: Readonly<Record<string, number>>;
}

export interface GeneratedOperation {
  /** Regenerates this operation alone: `generateOperation(schema, limits, seed)`. */
  seed: number;
  document: DocumentNode;
  query: string;
  variables: Record<string, unknown>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const seedEnd = SEED_END.getTime();
const isoWindow = (fromMs: number, toMs: number) => ({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() });
const ids = (...values: number[]) => values.map(String);

/**
 * The demo seed's rows (dev/stack/demo.ts): ids that exist for acme or globex (devices alternate
 * between them, so half of them are the other tenant's), ids that exist nowhere or cannot be ids,
 * and windows over the seed's week of fixes and 90 days of time entries. Every window ends by
 * SEED_END: a running entry counts up to `to`, not to now, and tests that record fixes record them later.
 */
export const demoArguments: ArgumentPools = {
  byField: {
    'Query.company': ids(1, 2, 3, 4, 7, 13, demoSizes.companiesPerTenant, 999_999).map((id) => ({ id })).concat([{ id: 'x' }]),
    'Query.user': ids(1, 7, 12, 40, 41, 361, demoSizes.usersPerTenant, 0, 999_999).map((id) => ({ id })),
    'Query.users': [{ ids: ids(1, 2, 999_999) }, { ids: [] }, { ids: ids(12, 12, 400) }, { ids: ids(361, 5, 20) }, { ids: ['x', '3'] }],
    // 1 and 3 are acme's, 2 and 1000 globex's, 981–999 acme's unassigned ones.
    'Query.device': ids(1, 2, 3, 7, 981, 999, demoSizes.devices, 999_999).map((id) => ({ id })),
    // Invoices belong to either tenant's customers; every 50th has a zero due date.
    'Query.invoice': ids(1, 2, 3, 50, 100, 2_500, demoSizes.invoices, 999_999).map((number) => ({ number })).concat([{ number: 'x' }]),
    'Query.positionsInArea': [
      ...demoTenants.map(({ home }) => ({
        minLatitude: home.lat - 0.2, maxLatitude: home.lat + 0.2, minLongitude: home.lon - 0.3, maxLongitude: home.lon + 0.3, ...isoWindow(seedEnd - 2 * HOUR, seedEnd),
      })),
      { minLatitude: 52.3, minLongitude: 13.1, maxLatitude: 52.7, maxLongitude: 13.7, ...isoWindow(seedEnd - 20 * HOUR, seedEnd - 19 * HOUR), first: 5 },
      { minLatitude: 0, minLongitude: 0, maxLatitude: 1, maxLongitude: 1, ...isoWindow(seedEnd - 2 * HOUR, seedEnd) },
      // The next page after a fix of device 1 (an area cursor: instant and device).
      {
        minLatitude: 52.3, minLongitude: 13.1, maxLatitude: 52.7, maxLongitude: 13.7, ...isoWindow(seedEnd - 2 * HOUR, seedEnd), first: 3,
        after: Buffer.from(`a1:${new Date(seedEnd - HOUR).toISOString()}|1`).toString('base64url'),
      },
      // Refused: wider than 24 hours; the box upside down.
      { minLatitude: 52.3, minLongitude: 13.1, maxLatitude: 52.7, maxLongitude: 13.7, ...isoWindow(seedEnd - 25 * HOUR, seedEnd) },
      { minLatitude: 52.7, minLongitude: 13.1, maxLatitude: 52.3, maxLongitude: 13.7, ...isoWindow(seedEnd - HOUR, seedEnd) },
    ],
    'Device.track': [
      isoWindow(seedEnd - 2 * HOUR, seedEnd),
      isoWindow(seedEnd - 30 * HOUR, seedEnd - 29 * HOUR),
      { ...isoWindow(seedEnd - 7 * DAY, seedEnd), maxPoints: 24 },
      { ...isoWindow(seedEnd - DAY, seedEnd), maxPoints: 5 },
      { ...isoWindow(seedEnd - 40 * DAY, seedEnd - 33 * DAY), maxPoints: 10 },
      // Refused: wider than 31 days; `from` after `to`; maxPoints out of range.
      { ...isoWindow(seedEnd - 40 * DAY, seedEnd), maxPoints: 10 },
      isoWindow(seedEnd, seedEnd - HOUR),
      { ...isoWindow(seedEnd - DAY, seedEnd), maxPoints: 0 },
    ],
    'User.timeEntries': [
      isoWindow(seedEnd - 7 * DAY, seedEnd),
      isoWindow(seedEnd - 2 * DAY, seedEnd - DAY),
      isoWindow(seedEnd - 60 * DAY, seedEnd - 53 * DAY),
      isoWindow(seedEnd - 200 * DAY, seedEnd - 190 * DAY),
      isoWindow(seedEnd, seedEnd - DAY),
    ],
    'User.trackedSeconds': [
      isoWindow(seedEnd - 7 * DAY, seedEnd),
      isoWindow(seedEnd - 90 * DAY, seedEnd),
      isoWindow(seedEnd - 3 * HOUR, seedEnd),
      isoWindow(seedEnd, seedEnd - DAY),
    ],
    'Query.trainingPositions': [isoWindow(seedEnd - 7 * DAY, seedEnd), isoWindow(seedEnd - 60 * DAY, seedEnd - 30 * DAY), isoWindow(seedEnd, seedEnd - DAY)],
    'Query.trainingTimeEntries': [isoWindow(seedEnd - 90 * DAY, seedEnd), isoWindow(seedEnd - 7 * DAY, seedEnd)],
  },
  byName: {
    // -1 and 501 are refused (at most 500).
    first: [0, 1, 2, 3, 3, 5, 5, 10, 20, -1, 501],
    after: [encodeCursor('2'), encodeCursor('10'), encodeCursor('999999'), 'zzz', null],
    status: ['OPEN', 'PAID', 'VOID', null],
    deviceIds: [ids(1, 3), [], null, ['x']],
    userIds: [ids(1, 2), [], null],
  },
  fanOut: {
    // About 170 invoices per coded company (5,000 over 30 customers), fewer with a status.
    'Company.invoices': 170,
    'Invoice.lines': demoSizes.linesPerInvoice,
    'Company.projects': 2,
    'User.devices': 2,
    // A user has about 1.4 entries a day; the windows above span a week at most.
    'User.timeEntries': 10,
    // A track without maxPoints: a fix every 10 minutes over the short windows above.
    'Device.track': 15,
  },
};

/** How large one operation may grow, drawn per operation within the class's limits. */
interface Shape {
  /** Field levels below the root (GraphQL Armor's depth, fragments counting as a level). */
  maxDepth: number;
  /** Most objects one field path may fan out to (lists times pages), so no operation loads thousands of rows. */
  maxRows: number;
}

/** A selection set's response names, so a later field or fragment never conflicts with an earlier one (OverlappingFieldsCanBeMerged). */
interface Scope {
  byResponseName: Map<string, { signature: string; inner: Scope }>;
}
const newScope = (): Scope => ({ byResponseName: new Map() });

/** A fragment that only selects argument-free leaves: it can be spread anywhere its type is selected. */
interface ReusableFragment {
  name: string;
  fields: string[];
}

const nonNullBoolean = new GraphQLNonNull(GraphQLBoolean);
const chance = (random: Random, probability: number) => random() < probability;

/** The key fields of the merged types (the descriptors' `merge`): what stitching fetches their other parts by, as `Type.field`. */
const mergeKeys = new Set(
  builtInSubgraphs.flatMap((subgraph) =>
    Object.entries(subgraph.merge).flatMap(([typeName, config]) =>
      parseSelectionSet(config.selectionSet!).selections.flatMap((selection) => (selection.kind === Kind.FIELD ? [`${typeName}.${selection.name.value}`] : [])),
    ),
  ),
);
const intUpTo = (random: Random, max: number) => Math.floor(random() * (max + 1));

/** One operation being built: its variables, fragments and the counts the class's limits bound. */
class OperationBuilder {
  readonly variableDefinitions: VariableDefinitionNode[] = [];
  readonly variables: Record<string, unknown> = {};
  readonly fragments: FragmentDefinitionNode[] = [];
  private readonly reusable = new Map<string, ReusableFragment[]>();
  private aliases = 0;
  private directives = 0;
  private names = 0;

  constructor(
    private readonly random: Random,
    private readonly limits: OperationLimits,
    private readonly pools: ArgumentPools,
    private readonly shape: Shape,
  ) {}

  /** The selections of `type` at `level` (1: the root's fields), merged into `scope`. */
  selectionSet(type: GraphQLObjectType, level: number, scope: Scope, rows: number): SelectionNode[] {
    const want = 1 + intUpTo(this.random, level === 1 ? 2 : Math.max(1, 5 - level));
    const selections: SelectionNode[] = [];
    for (let attempt = 0; attempt < want * 3 && selections.length < want; attempt += 1) {
      const selection = this.selection(type, level, scope, rows);
      if (selection) selections.push(selection);
    }
    // Every type has __typename, and selecting it twice never conflicts.
    return selections.length > 0 ? selections : [field('__typename')];
  }

  private selection(type: GraphQLObjectType, level: number, scope: Scope, rows: number): SelectionNode | undefined {
    const roll = this.random();
    const room = level < this.shape.maxDepth;
    if (roll < 0.07) return this.typename(scope);
    if (roll < 0.14 && room) return this.inlineFragment(type, level, scope, rows);
    if (roll < 0.2 && room) return this.fragmentSpread(type, level, scope, rows);
    // In name order: the same seed gives the same operation over the running schema and its printed (sorted) contract.
    const candidates = Object.values(type.getFields())
      .filter((definition) => room || isLeafType(getNamedType(definition.type)))
      .sort((a, b) => a.name.localeCompare(b.name));
    // Mostly a field not selected yet; now and then one again, whose selections then merge.
    const fresh = candidates.filter((definition) => !scope.byResponseName.has(definition.name));
    const from = fresh.length > 0 && !chance(this.random, 0.1) ? fresh : candidates;
    return from.length > 0 ? this.field(type, pick(this.random, from), level, scope, rows) : undefined;
  }

  private typename(scope: Scope): FieldNode {
    const alias = this.alias('__typename', scope, signatureOf('__typename'));
    return { ...field('__typename'), ...(alias && { alias: { kind: Kind.NAME, value: alias } }) };
  }

  /** `… on Type` (or a bare `…`), sometimes under @include or @skip; its fields merge into the enclosing selection set. */
  private inlineFragment(type: GraphQLObjectType, level: number, scope: Scope, rows: number): SelectionNode {
    return {
      kind: Kind.INLINE_FRAGMENT,
      typeCondition: chance(this.random, 0.7) ? namedType(type.name) : undefined,
      directives: this.conditionalDirectives(),
      selectionSet: { kind: Kind.SELECTION_SET, selections: this.selectionSet(type, level + 1, scope, rows) },
    };
  }

  /** A spread of a new named fragment, or of an earlier leaf-only one of the same type. */
  private fragmentSpread(type: GraphQLObjectType, level: number, scope: Scope, rows: number): SelectionNode {
    const earlier = (this.reusable.get(type.name) ?? []).filter((fragment) => fragment.fields.every((name) => compatible(scope, name, signatureOf(name))));
    if (earlier.length > 0 && chance(this.random, 0.6)) {
      const fragment = pick(this.random, earlier);
      for (const name of fragment.fields) claim(scope, name, signatureOf(name));
      return spread(fragment.name);
    }
    const name = `${type.name}Part${(this.names += 1)}`;
    const selections = this.selectionSet(type, level + 1, scope, rows);
    this.fragments.push({ kind: Kind.FRAGMENT_DEFINITION, name: { kind: Kind.NAME, value: name }, typeCondition: namedType(type.name), selectionSet: { kind: Kind.SELECTION_SET, selections } });
    const fields = leafFieldsOnly(selections);
    if (fields) this.reusable.set(type.name, [...(this.reusable.get(type.name) ?? []), { name, fields }]);
    return spread(name);
  }

  private field(parent: GraphQLObjectType, definition: GraphQLField<unknown, unknown>, level: number, scope: Scope, rows: number): FieldNode | undefined {
    const coordinate = `${parent.name}.${definition.name}`;
    const values = this.argumentValues(coordinate, definition.args);
    if (!values) return undefined;
    const target = getNamedType(definition.type);
    if (!isLeafType(target) && level >= this.shape.maxDepth) return undefined;
    const fanned = rows * this.fanOut(parent, definition, values);
    if (fanned > this.shape.maxRows) return undefined;
    const variablesBefore = this.variableDefinitions.length;
    const args = this.argumentNodes(definition.args, values);
    // Another known bug of plain stitching (`knownDifferences`): a merged type's key field under
    // @skip/@include makes the merge fail (INTERNAL_SERVER_ERROR). Key fields stay unconditional.
    const directives = chance(this.random, 0.05) && !mergeKeys.has(coordinate) ? this.conditionalDirectives() : [];
    // A known bug of plain stitching (see `knownDifferences` in differential.test.ts): a field under
    // @skip/@include selected again under its response name is answered null. Such a field keeps
    // its response name to itself; a later selection of the same field gets an alias.
    const signature = signatureOf(definition.name, args) + (directives.length > 0 ? ' @conditional' : '');
    const alias = this.alias(definition.name, scope, signature);
    if (alias === undefined && !compatible(scope, definition.name, signature)) {
      // Its name is taken and no alias is left: the field goes, and so must any variable made for it or its directive.
      this.forgetVariablesFrom(variablesBefore);
      return undefined;
    }
    const inner = claim(scope, alias ?? definition.name, signature);
    return {
      kind: Kind.FIELD,
      name: { kind: Kind.NAME, value: definition.name },
      ...(alias && { alias: { kind: Kind.NAME, value: alias } }),
      arguments: args,
      directives,
      ...(isObjectType(target) && {
        selectionSet: { kind: Kind.SELECTION_SET, selections: this.steerClearOfVanishing(this.selectionSet(target, level + 1, inner, fanned)) },
      }),
    };
  }

  /**
   * A known bug of plain stitching (graphql-tools' delegation drops an inline fragment that selects
   * only `__typename`, then the field it leaves empty: see `knownDifferences` in
   * differential.test.ts). Left in, every corpus would find it again and little else; a plain
   * `__typename` beside the fragments keeps the field, and the shape is pinned there instead.
   */
  private steerClearOfVanishing(selections: SelectionNode[]): SelectionNode[] {
    return selections.every((selection) => vanishesWhenDelegated(selection, this.fragments)) ? [field('__typename'), ...selections] : selections;
  }

  /**
   * A fresh alias now and then, and always where the plain name is taken by a different field
   * or arguments; undefined for the field's own name (or when the class allows no more aliases).
   */
  private alias(name: string, scope: Scope, signature: string): string | undefined {
    const needed = !compatible(scope, name, signature);
    // A margin under the limit: Armor counts the aliases of a fragment again at each spread.
    if ((!needed && !chance(this.random, 0.12)) || this.aliases >= this.limits.maxAliases / 2) return undefined;
    this.aliases += 1;
    return `${name.replace(/^__/, '')}${this.aliases}`;
  }

  /** Values for `args`: a set of the field's own, then single values by name; undefined when a required one has none. */
  private argumentValues(coordinate: string, args: readonly GraphQLArgument[]): Record<string, unknown> | undefined {
    const sets = this.pools.byField[coordinate];
    const values: Record<string, unknown> = { ...(sets && pick(this.random, sets)) };
    for (const arg of args) {
      if (arg.name in values) continue;
      const pool = this.pools.byName[arg.name];
      const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
      if (pool && (required || chance(this.random, 0.35))) values[arg.name] = pick(this.random, pool);
      else if (required) return undefined;
    }
    return values;
  }

  private argumentNodes(args: readonly GraphQLArgument[], values: Record<string, unknown>): ArgumentNode[] {
    return [...args]
      .sort((a, b) => a.name.localeCompare(b.name))
      .filter((arg) => arg.name in values)
      .map((arg) => ({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: arg.name }, value: this.valueNode(arg.name, arg.type, values[arg.name]) }));
  }

  /** A literal, or a variable (new, or an earlier one of the same type and value) carrying it. */
  private valueNode(name: string, type: GraphQLInputType, value: unknown): ValueNode {
    if (!chance(this.random, 0.4)) return literal(value, type);
    const typeName = String(type);
    const same = this.variableDefinitions.filter(
      (definition) => print(definition.type) === typeName && !definition.defaultValue && JSON.stringify(this.variables[definition.variable.name.value]) === JSON.stringify(value),
    );
    if (same.length > 0 && chance(this.random, 0.5)) return pick(this.random, same).variable;
    // A nullable variable sometimes carries its value as its default instead of in `variables`.
    const asDefault = !isNonNullType(type) && value !== null && chance(this.random, 0.2);
    return this.variable(name, type, value, asDefault);
  }

  private variable(name: string, type: GraphQLInputType, value: unknown, asDefault = false): VariableNode {
    const variable: VariableNode = { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: `${name}${(this.names += 1)}` } };
    this.variableDefinitions.push({ kind: Kind.VARIABLE_DEFINITION, variable, type: typeNode(type), ...(asDefault && { defaultValue: literal(value, type) as ConstValueNode }) });
    if (!asDefault) this.variables[variable.name.value] = value;
    return variable;
  }

  private forgetVariablesFrom(index: number): void {
    for (const definition of this.variableDefinitions.splice(index)) delete this.variables[definition.variable.name.value];
  }

  /** @include or @skip, with a literal or a Boolean variable, that keeps the selection or drops it. */
  private conditionalDirectives(): DirectiveNode[] {
    if (!chance(this.random, 0.3) || this.directives >= this.limits.maxDirectives / 2) return [];
    this.directives += 1;
    const keep = chance(this.random, 0.7);
    const name = chance(this.random, 0.5) ? 'include' : 'skip';
    const condition = name === 'include' ? keep : !keep;
    const value: ValueNode = chance(this.random, 0.5)
      ? { kind: Kind.BOOLEAN, value: condition }
      : this.variable(name === 'include' ? 'if' : 'unless', nonNullBoolean, condition);
    return [{ kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: name }, arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'if' }, value }] }];
  }

  /**
   * Rows of `definition` per parent: a page's `first` (or its default), a track's `maxPoints`,
   * the `ids` asked for, else the pool's estimate (10 for any other list). A connection's edges
   * were counted by the page, so they count 1.
   */
  private fanOut(parent: GraphQLObjectType, definition: GraphQLField<unknown, unknown>, values: Record<string, unknown>): number {
    const page = definition.args.find((arg) => arg.name === 'first');
    if (page) return Math.max(1, Number(values.first ?? page.defaultValue ?? 1));
    if (parent.name.endsWith('Connection') && definition.name === 'edges') return 1;
    if (Array.isArray(values.ids)) return Math.max(1, values.ids.length);
    if (typeof values.maxPoints === 'number') return Math.max(1, values.maxPoints);
    const estimate = this.pools.fanOut[`${parent.name}.${definition.name}`];
    return estimate ?? (isListType(getNullableType(definition.type)) ? 10 : 1);
  }
}

function spread(name: string): SelectionNode {
  return { kind: Kind.FRAGMENT_SPREAD, name: { kind: Kind.NAME, value: name } };
}

function field(name: string): FieldNode {
  return { kind: Kind.FIELD, name: { kind: Kind.NAME, value: name } };
}

function namedType(name: string) {
  return { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: name } } as const;
}

/** What a variable of `type` declares (`[ID!]!`). */
function typeNode(type: GraphQLInputType): TypeNode {
  if (isNonNullType(type)) return { kind: Kind.NON_NULL_TYPE, type: typeNode(type.ofType) as NamedTypeNode | ListTypeNode };
  if (isListType(type)) return { kind: Kind.LIST_TYPE, type: typeNode(type.ofType) };
  return namedType(type.name);
}

/** How a field and its arguments read: two selections under one response name must read the same. */
function signatureOf(name: string, args: readonly ArgumentNode[] = []): string {
  return `${name}(${args.map((arg) => print(arg)).join(', ')})`;
}

/**
 * `value` as a literal of `type`. Not graphql-js's astFromValue: that serialises through the
 * scalar, and graphql-scalars' DateTime turns a string into a Date it cannot print.
 */
function literal(value: unknown, type: GraphQLInputType): ValueNode {
  const inner = getNullableType(type);
  if (value === null || value === undefined) return { kind: Kind.NULL };
  if (Array.isArray(value)) return { kind: Kind.LIST, values: value.map((item) => literal(item, isListType(inner) ? inner.ofType : inner)) };
  if (isEnumType(inner)) return { kind: Kind.ENUM, value: String(value) };
  if (typeof value === 'boolean') return { kind: Kind.BOOLEAN, value };
  if (typeof value === 'number') return Number.isInteger(value) ? { kind: Kind.INT, value: String(value) } : { kind: Kind.FLOAT, value: String(value) };
  return { kind: Kind.STRING, value: String(value) };
}

/** Whether `responseName` is free in `scope`, or taken by the same field with the same arguments. */
function compatible(scope: Scope, responseName: string, signature: string): boolean {
  const taken = scope.byResponseName.get(responseName);
  return !taken || taken.signature === signature;
}

/** Takes `responseName` in `scope`: the scope of its selections, shared with every other selection of it. */
function claim(scope: Scope, responseName: string, signature: string): Scope {
  let taken = scope.byResponseName.get(responseName);
  if (!taken) scope.byResponseName.set(responseName, (taken = { signature, inner: newScope() }));
  return taken.inner;
}

const isPlainTypename = (selection: SelectionNode) => selection.kind === Kind.FIELD && !selection.alias && selection.name.value === '__typename';

/**
 * Whether graphql-tools' delegation (finalizeGatewayRequest, @graphql-tools/delegate 12) leaves
 * nothing of `selection`: an inline fragment whose selections are plain `__typename`s (it filters
 * them out and drops the fragment left empty) or selections that vanish so, or a spread of a
 * fragment made only of those. A plain `__typename` outside an inline fragment is kept.
 */
export function vanishesWhenDelegated(selection: SelectionNode, fragments: readonly FragmentDefinitionNode[]): boolean {
  if (selection.kind === Kind.INLINE_FRAGMENT) {
    return selection.selectionSet.selections.filter((inner) => !isPlainTypename(inner)).every((inner) => vanishesWhenDelegated(inner, fragments));
  }
  if (selection.kind === Kind.FRAGMENT_SPREAD) {
    const fragment = fragments.find((definition) => definition.name.value === selection.name.value);
    return fragment !== undefined && fragment.selectionSet.selections.every((inner) => vanishesWhenDelegated(inner, fragments));
  }
  return false;
}

/** The field names of `selections` when they are all plain argument-free leaves, else undefined. */
function leafFieldsOnly(selections: readonly SelectionNode[]): string[] | undefined {
  const plain = selections.every((selection) => selection.kind === Kind.FIELD && !selection.alias && !selection.arguments?.length && !selection.directives?.length && !selection.selectionSet);
  return plain ? selections.map((selection) => (selection as FieldNode).name.value) : undefined;
}

/** Lexer tokens of `text`, as GraphQL Armor's max-tokens parser counts them. */
export function tokenCount(text: string): number {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count += 1;
  return count;
}

/** What of `limits` the document exceeds, measured by GraphQL Armor's rules as the gateway applies them ([] when none). */
export function limitsExceeded(schema: GraphQLSchema, document: DocumentNode, limits: OperationLimits): string[] {
  const refusals: string[] = [];
  const options = { exposeLimits: true, propagateOnRejection: false, onReject: [(_context: ValidationContext | null, error: Error) => void refusals.push(error.message)] };
  const rules = [
    maxDepthRule({ n: limits.maxDepth, ...options }),
    maxAliasesRule({ n: limits.maxAliases, ...options }),
    maxDirectivesRule({ n: limits.maxDirectives, ...options }),
    costLimitRule({ maxCost: limits.maxCost, ...options }),
  ] as unknown as Parameters<typeof validate>[2];
  validate(schema, document, rules);
  const tokens = tokenCount(print(document));
  if (tokens > limits.maxTokens) refusals.push(`Token limit of ${limits.maxTokens} exceeded, found ${tokens}.`);
  return refusals;
}

/** One query over `schema`, within `limits`; the same seed gives the same operation. */
export function generateOperation(schema: GraphQLSchema, limits: OperationLimits, seed: number, pools: ArgumentPools = demoArguments): GeneratedOperation {
  const random = prng(seed);
  const query = schema.getQueryType();
  if (!query) throw new Error('the schema has no Query type');
  // Over a limit (rarely: a page multiplies the cost of all below it), drawn again, smaller each time.
  for (let attempt = 0; ; attempt += 1) {
    const maxDepth = Math.max(2, Math.min(limits.maxDepth - 2, 3 + intUpTo(random, 6)) - attempt);
    const builder = new OperationBuilder(random, limits, pools, { maxDepth, maxRows: chance(random, 0.5) ? 60 : 400 });
    const selections = builder.selectionSet(query, 1, newScope(), 1);
    const named = builder.variableDefinitions.length > 0 || chance(random, 0.5);
    const document: DocumentNode = {
      kind: Kind.DOCUMENT,
      definitions: [
        {
          kind: Kind.OPERATION_DEFINITION,
          operation: OperationTypeNode.QUERY,
          ...(named && { name: { kind: Kind.NAME, value: `Generated${seed}` } }),
          variableDefinitions: builder.variableDefinitions,
          selectionSet: { kind: Kind.SELECTION_SET, selections },
        },
        ...builder.fragments,
      ],
    };
    if (limitsExceeded(schema, document, limits).length === 0 || attempt >= 20) {
      return { seed, document, query: print(document), variables: builder.variables };
    }
  }
}

/** The seed of the `index`-th operation of a corpus: FNV-1a over the corpus seed, a label (class and tenant) and the index. */
export function operationSeed(corpusSeed: number, label: string, index: number): number {
  let hash = 0x811c9dc5;
  for (const char of `${corpusSeed}/${label}/${index}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return hash >>> 0;
}

export interface CorpusOptions {
  schema: GraphQLSchema;
  limits: OperationLimits;
  seed: number;
  /** Keeps the corpora of different classes (or tenants) from one seed apart. */
  label: string;
  size: number;
  pools?: ArgumentPools;
}

export function generateCorpus({ schema, limits, seed, label, size, pools }: CorpusOptions): GeneratedOperation[] {
  return Array.from({ length: size }, (_, index) => generateOperation(schema, limits, operationSeed(seed, label, index), pools));
}
