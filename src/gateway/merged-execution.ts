/**
 * Cross-repo operations, executed in one walk: the class's gateway schema with every field
 * resolved by the resolver of the subgraph that owns it, called directly, or, for a subgraph
 * reached over HTTP, read from its answer to its part of the operation. Stitching would
 * delegate each subgraph's part as a sub-operation, execute it there (graphql-js, per field), then walk the answer a second time in the gateway, object by object
 * (annotating, merging, re-resolving every field): on Q1 that second walk was a third of the
 * gateway's CPU (BENCHMARKS.md). Here graphql-js walks once and the subgraphs' resolvers, their
 * DataLoaders and their join-ahead run as they do under stitching, so the statements are the
 * same; `test/differential.test.ts` holds the answers, errors and round trips equal to plain
 * stitching's over a generated corpus.
 *
 * What stitching decided per request is decided once here, per field: which subgraphs own it.
 * An object of a type several subgraphs make (User, Company) remembers which one produced it (and
 * the selection it was produced for); a field of another subgraph on it reads that subgraph's
 * part of the entity through the same merge entry point stitching uses (`merge[Type]`: key
 * fields, `fieldName`, `argsFromKeys`), batched by a DataLoader per request, subgraph and type,
 * as batch-delegate batches: the objects of one position arrive together, so one call.
 *
 * Values cross the boundary as they would on the wire: a subgraph's arguments, and the variables
 * its own fields use, are coerced by its own schema (the gateway's scalars pass values through),
 * and its custom scalars and enums are serialised by its own types (`OPEN`, not legacy's `'O'`).
 * Arguments are coerced as values (`parseValue`), not literals: stitching delivers them so too,
 * and a subgraph's stricter `parseLiteral` (Latitude refusing the literal `0`) would refuse what
 * stitching answers.
 *
 * A remote subgraph (remote-subgraph.ts) is asked once per level, as stitching asks it: its root
 * fields together in one request, and its parts of the entities at one position through its merge
 * entry point, batched by the same DataLoader per type (and the entity requests of one tick in one
 * HTTP request, by batch-execute). Each request carries that subgraph's cut of the client's
 * selection from there down (remote-parts.ts), so the answer is already the response's shape and
 * its values already serialised: fields of the subgraph read it by response key, and only where
 * another subgraph takes over does the walk ask again. Stitching instead delegates through
 * graphql-tools' request transforms and then merges and re-resolves every object of the answer:
 * on Q1 all-remote that was most of the gateway's CPU (BENCHMARKS.md).
 *
 * A subscription's events run here too (`answersEvents`, live/shared-subscriptions.ts): the
 * source is its subgraph's own `subscribe`, each event is executed over the class schema as a
 * query's root value would be, and the event's fields of other subgraphs are read as above,
 * batched per batching window. Under stitching each event was executed twice, in the subgraph
 * and again in the gateway. (A remote part's error that has no place in an event's data is not
 * reported with the event, as stitching does not report it either: the window's state is shared
 * by its events, so it could not be told which event's it was.)
 *
 * Not here (stitching answers them): @defer/@stream, introspection, mutations, abstract types,
 * and any operation touching a field no subgraph of ours owns (a foreign subgraph's). See
 * use-single-subgraph.ts for the routing.
 */
import { getBatchingExecutor } from '@graphql-tools/batch-execute';
import type { MergedTypeConfig } from '@graphql-tools/delegate';
import { MapperKind, mapSchema, parseSelectionSet, type ExecutionResult, type Executor } from '@graphql-tools/utils';
import DataLoader from 'dataloader';
import {
  coerceInputValue,
  defaultFieldResolver,
  getNamedType,
  GraphQLError,
  isLeafType,
  isObjectType,
  isSpecifiedScalarType,
  Kind,
  valueFromASTUntyped,
  type ArgumentNode,
  typeFromAST,
  type DocumentNode,
  type GraphQLNamedType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  visit,
  type FieldNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLFieldResolver,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { entityPart, entryVariables, keyAlias, ownSelections, partOperation, partVariables, failedPart, placeErrors, raised, raisedAt, raisedUnder, reservedNames, rootFailure, withItemErrorsAt, type Cut, type Ownership, type Part } from './remote-parts.js';

/**
 * A subgraph as this module needs it: its executable schema and its merge config; for a remote
 * one (remote-subgraph.ts), the executor that sends its parts of the operation to its service.
 */
export interface LocalSubgraph {
  name: string;
  schema: GraphQLSchema;
  merge: Readonly<Record<string, MergedTypeConfig>>;
  remote?: Executor;
}

/** Which subgraph produced an object, and the resolve info of the field it was produced for (its selection). */
interface Origin {
  subgraph: LocalSubgraph;
  info: GraphQLResolveInfo;
  /** Other fields the same subgraph handed the same object out for (a loader's cached row under two aliases): see `at`. */
  elsewhere?: GraphQLResolveInfo[];
}

/** The response keys of a path, list indexes left out: which position of the operation it is. */
function positionOf(path: GraphQLResolveInfo['path'] | undefined): string {
  let position = '';
  for (let step = path; step; step = step.prev) if (typeof step.key === 'string') position = `${step.key}.${position}`;
  return position;
}

/**
 * The origin of `parent` as produced for the field whose child `info` is resolving: a remote
 * subgraph's part of an entity asks for the selection of that position, and an object handed out
 * at two positions (`company1: company` and `company`) has a selection at each.
 */
function at(origin: Origin, info: GraphQLResolveInfo): Origin {
  if (!origin.elsewhere) return origin;
  const position = positionOf(info.path.prev);
  const found = [origin.info, ...origin.elsewhere].find((candidate) => positionOf(candidate.path) === position);
  return found ? { subgraph: origin.subgraph, info: found } : origin;
}

const then = <T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> =>
  value instanceof Promise ? value.then(next) : next(value);

/**
 * Marks objects as `origin.subgraph`'s, in `marks` (the request's: one object can be handed to
 * two executions, as a row of loaders that live subscriptions of one tenant share, and each
 * execution reads its own selection and variables from the mark). An object that subgraph
 * already marked keeps its mark (a loader's cached row handed out again). A list may hold
 * promises (graphql-js allows it): each item is marked once resolved, before graphql-js sees it
 * (its callback runs first).
 */
function tag(value: unknown, origin: Origin, marks: WeakMap<object, Origin>): unknown {
  if (Array.isArray(value)) value.forEach((item) => tag(item, origin, marks));
  else if (value instanceof Promise) value.then((item) => tag(item, origin, marks), () => {});
  else if (value !== null && typeof value === 'object' && !(value instanceof Error)) {
    const marked = marks.get(value);
    if (marked?.subgraph !== origin.subgraph) marks.set(value, origin);
    else if (marked.info.fieldNodes !== origin.info.fieldNodes && !marked.elsewhere?.some((info) => info.fieldNodes === origin.info.fieldNodes)) {
      (marked.elsewhere ??= []).push(origin.info);
    }
  }
  return value;
}

/**
 * `value` coerced by a subgraph's input type. A value its scalar refuses (a malformed DateTime
 * the gateway's pass-through scalar let by) is the client's error, worded as graphql-js words it
 * so it is coded BAD_USER_INPUT with the argument's name (mask-error.ts), as through stitching.
 */
function coerceFor(value: unknown, type: GraphQLInputType, refusal: string): unknown {
  return coerceInputValue(value, type, (_path, invalid, error) => {
    throw new GraphQLError(`${refusal} ${JSON.stringify(invalid)}; ${error.message}`);
  });
}

/** Per operation, the variables each subgraph's fields take as arguments (by subgraph name): filled by `crossings`. */
const variablesUsed = new WeakMap<OperationDefinitionNode, Map<string, Set<string>>>();

/**
 * The subgraph's variables, coerced by its own schema (once per request and subgraph): those its
 * own fields use, as its part of the operation would carry them under stitching. The others stay
 * as the gateway coerced them, so a variable malformed for one subgraph fails only its fields.
 */
const coercedVariables = new WeakMap<object, Map<LocalSubgraph, Record<string, unknown>>>();
function variablesFor(subgraph: LocalSubgraph, info: GraphQLResolveInfo): Record<string, unknown> {
  const used = variablesUsed.get(info.operation)?.get(subgraph.name);
  const definitions = (info.operation.variableDefinitions ?? []).filter((definition) => used?.has(definition.variable.name.value));
  if (definitions.length === 0) return info.variableValues;
  let bySubgraph = coercedVariables.get(info.variableValues);
  if (!bySubgraph) coercedVariables.set(info.variableValues, (bySubgraph = new Map()));
  let coerced = bySubgraph.get(subgraph);
  if (!coerced) {
    coerced = { ...info.variableValues };
    for (const definition of definitions) {
      const name = definition.variable.name.value;
      const type = typeFromAST(subgraph.schema, definition.type as never);
      if (type && coerced[name] !== undefined) coerced[name] = coerceFor(coerced[name], type as GraphQLInputType, `Variable "$${name}" got invalid value`);
    }
    bySubgraph.set(subgraph, coerced);
  }
  return coerced;
}

/**
 * Parts of the operation per position, built once: keyed by the position's first field node (the
 * document's own, so they live as long as it), then by the whole list of field nodes merged there,
 * the operation (two operations of a document may share a fragment, not their variables) and the
 * subgraphs the part is from and for.
 */
const parts = new WeakMap<FieldNode, { nodes: readonly FieldNode[]; operation: OperationDefinitionNode; key: string; part: Part }[]>();
function partAt(info: GraphQLResolveInfo, key: string, build: () => Part): Part {
  const { fieldNodes: nodes, operation } = info;
  const known = parts.get(nodes[0]!) ?? [];
  parts.set(nodes[0]!, known);
  const found = known.find((entry) => entry.key === key && entry.operation === operation && entry.nodes.length === nodes.length && entry.nodes.every((node, i) => node === nodes[i]));
  if (found) return found.part;
  const part = build();
  known.push({ nodes, operation, key, part });
  return part;
}

const selectionsOf = (nodes: readonly FieldNode[]) => nodes.flatMap((node) => node.selectionSet?.selections ?? []);

/** A remote subgraph's root fields of the operation as one operation of its own: the fields (aliases, arguments, directives) with the subgraph's cut of their selections. */
const rootParts = new WeakMap<OperationDefinitionNode, Map<string, Part>>();
function rootPart(info: GraphQLResolveInfo, cut: Cut): Part {
  const byTarget = rootParts.get(info.operation) ?? new Map<string, Part>();
  rootParts.set(info.operation, byTarget);
  let part = byTarget.get(cut.target.name);
  if (!part) {
    const selections = ownSelections(info.operation.selectionSet.selections, cut.target.schema.getQueryType()!, undefined, cut);
    byTarget.set(cut.target.name, (part = partOperation(selections, info.operation, cut.target.schema)));
  }
  return part;
}

/** One subgraph's definition of one field, ready to be called on an object of that subgraph. */
class OwnedField {
  private readonly resolve: GraphQLFieldResolver<unknown, unknown>;
  private readonly hasArgs: boolean;
  /** Root fields and composite fields with their own resolver may look ahead (lookahead.ts): they get the subgraph's view of the info. */
  private readonly needsOwnInfo: boolean;
  private readonly leaf: GraphQLLeafType | undefined;
  /** Whether the objects it returns must remember their subgraph: set by FieldOwners (types several subgraphs make differently). */
  remembersOrigin = false;

  constructor(
    readonly subgraph: LocalSubgraph,
    private readonly type: GraphQLObjectType,
    private readonly field: GraphQLField<unknown, unknown>,
    private readonly isRoot: boolean,
    private readonly ownership: Ownership,
  ) {
    this.resolve = field.resolve ?? defaultFieldResolver;
    this.hasArgs = field.args.length > 0;
    const named = getNamedType(field.type);
    // Built-in scalars serialise alike on both sides; custom ones and enums by the subgraph's type.
    this.leaf = isLeafType(named) && !isSpecifiedScalarType(named) ? named : undefined;
    this.needsOwnInfo = isRoot || (!isLeafType(named) && field.resolve !== undefined);
    this.source = this.sourceOfEvents();
  }

  get returnType() {
    return this.field.type;
  }

  /**
   * A subscription root field's source of events, when its subgraph runs here (a service serves
   * no subscriptions): its own `subscribe`, given arguments and info as `run` gives a resolver.
   */
  readonly source: GraphQLFieldResolver<unknown, unknown> | undefined;

  private sourceOfEvents(): GraphQLFieldResolver<unknown, unknown> | undefined {
    const subscribe = this.field.subscribe;
    if (this.subgraph.remote || !subscribe) return undefined;
    return (parent, gatewayArgs, context, info) =>
      subscribe(parent, this.hasArgs ? this.ownArgs(gatewayArgs) : gatewayArgs, context, { ...info, schema: this.subgraph.schema, parentType: this.type, returnType: this.field.type, variableValues: variablesFor(this.subgraph, info) });
  }

  argumentType(name: string): GraphQLInputType | undefined {
    return this.field.args.find((arg) => arg.name === name)?.type;
  }

  run(parent: unknown, gatewayArgs: Record<string, unknown>, context: unknown, info: GraphQLResolveInfo): unknown {
    if (this.subgraph.remote) return this.isRoot ? this.fetchRoot(context, info) : this.read(parent, context, info);
    const args = this.hasArgs ? this.ownArgs(gatewayArgs) : gatewayArgs;
    const ownInfo = this.needsOwnInfo
      ? { ...info, schema: this.subgraph.schema, parentType: this.type, returnType: this.field.type, variableValues: variablesFor(this.subgraph, info) }
      : info;
    const value = this.resolve(parent, args, context, ownInfo);
    if (this.leaf) return then(value, (v) => serializeLeaf(v, this.leaf!));
    return this.remembersOrigin ? then(value, (v) => tag(v, { subgraph: this.subgraph, info }, requestState(context as object).origins)) : value;
  }

  /** On an object of a remote subgraph's answer: the value under the field's response key, as the service serialised it. */
  private read(parent: unknown, context: unknown, info: GraphQLResolveInfo): unknown {
    const value = withItemErrorsAt((parent as Record<string, unknown>)[info.path.key], info);
    if (value instanceof Error) throw raisedAt(value, info);
    return this.remembersOrigin ? tag(value, { subgraph: this.subgraph, info }, requestState(context as object).origins) : value;
  }

  /**
   * A remote subgraph's root field: the subgraph's part of the operation from the root down, all
   * its root fields in one request (asked once per request, by the first of them to resolve).
   */
  private fetchRoot(context: unknown, info: GraphQLResolveInfo): unknown {
    const state = requestState(context as object);
    let answer = state.roots.get(this.subgraph);
    if (!answer) {
      const part = rootPart(info, { target: this.subgraph, ownership: this.ownership, fragments: info.fragments });
      const asked = this.subgraph.remote!({ document: part.document, variables: partVariables(part, info.variableValues), context: context as Record<string, unknown>, operationType: 'query' as never });
      answer = then(asked as ExecutionResult | Promise<ExecutionResult>, (result) => {
        if (result.data) keepUnplaced(state, placeErrors(result.data as Record<string, unknown>, result.errors ?? []));
        return result;
      });
      state.roots.set(this.subgraph, answer);
    }
    return then(answer, (result) => {
      const data = result.data as Record<string, unknown> | null | undefined;
      if (data) return this.read(data, context, info);
      // Refused as a whole (a variable its types refuse): every root field fails with it.
      if (data === undefined) throw failedPart(this.subgraph.name, result.errors);
      // No data: a non-null root field of this subgraph failed, and fails the whole response
      // here too; the others answer null, as stitching answers them.
      const own = rootFailure(result.errors ?? [], info.path.key as string);
      if (own) throw raisedAt(own, info);
      if (!result.errors?.length) throw failedPart(this.subgraph.name, []);
      return null;
    });
  }

  /** The gateway's coerced arguments (its scalars pass values through, its enums are names), coerced again by the subgraph's types. */
  private ownArgs(gatewayArgs: Record<string, unknown>): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    for (const arg of this.field.args) {
      if (gatewayArgs[arg.name] !== undefined) args[arg.name] = coerceFor(gatewayArgs[arg.name], arg.type, `Argument "${arg.name}" has invalid value`);
    }
    return args;
  }
}

function serializeLeaf(value: unknown, type: GraphQLLeafType): unknown {
  if (value === null || value === undefined || value instanceof Error) return value;
  return Array.isArray(value) ? value.map((item) => serializeLeaf(item, type)) : type.serialize(value);
}

/**
 * A subgraph's part of entities other subgraphs produced, through its merge entry point: per
 * request, subgraph and type, one DataLoader (one call per level, as batch-delegate) and one
 * answer per object (sibling fields of one subgraph share it).
 */
class EntityReader {
  readonly keyFields: string[];
  private readonly entry: GraphQLField<unknown, unknown>;

  constructor(
    private readonly subgraph: LocalSubgraph,
    private readonly typeName: string,
    private readonly config: MergedTypeConfig,
    private readonly ownership: Ownership,
  ) {
    this.keyFields = parseSelectionSet(config.selectionSet!).selections.flatMap((selection) => (selection.kind === Kind.FIELD ? [selection.name.value] : []));
    this.entry = subgraph.schema.getQueryType()!.getFields()[config.fieldName!]!;
  }

  /** Whether every subgraph that produces this type can give this one's key fields. */
  keyedBy(producers: readonly LocalSubgraph[]): boolean {
    return producers.every((producer) => this.keyFields.every((name) => (producer.schema.getType(this.typeName) as GraphQLObjectType).getFields()[name]));
  }

  read(parent: object, origin: Origin, fields: FieldOwners, context: object): unknown {
    const state = requestState(context);
    const parts = state.parts.get(this) ?? new WeakMap<object, unknown>();
    state.parts.set(this, parts);
    if (parts.has(parent)) return parts.get(parent);
    const keyObject = Object.fromEntries(this.keyFields.map((name) => [name, fields.keyValue(this.typeName, name, origin, parent, context)]));
    const part = then(resolveAll(keyObject), (resolvedKeys) => {
      const key = this.config.key!(resolvedKeys);
      if (key === null || key === undefined) return null;
      let loader = state.loaders.get(this);
      if (!loader) state.loaders.set(this, (loader = this.subgraph.remote ? this.remoteLoader(context, origin) : this.loader(context, origin.info)));
      return loader.load(key);
    });
    parts.set(parent, part);
    return part;
  }

  private loader(context: object, producedFor: GraphQLResolveInfo): DataLoader<unknown, unknown> {
    return new DataLoader(
      async (keys) => {
        const raw = this.config.argsFromKeys!(keys) as Record<string, unknown>;
        const args = Object.fromEntries(this.entry.args.flatMap((arg) => (raw[arg.name] === undefined ? [] : [[arg.name, coerceInputValue(raw[arg.name], arg.type)]])));
        // The entry point sees the selection the entities were produced for, as stitching's delegated request would (join-ahead looks at it).
        const info: GraphQLResolveInfo = {
          ...producedFor,
          fieldName: this.entry.name,
          fieldNodes: producedFor.fieldNodes.map((node): FieldNode => ({ ...node, alias: undefined, name: { kind: Kind.NAME, value: this.entry.name }, arguments: [], directives: [] })),
          returnType: this.entry.type,
          parentType: this.subgraph.schema.getQueryType()!,
          schema: this.subgraph.schema,
          variableValues: variablesFor(this.subgraph, producedFor),
        };
        const entities = (await (this.entry.resolve ?? defaultFieldResolver)(undefined, args, context, info)) as unknown[];
        return tag(entities, { subgraph: this.subgraph, info: producedFor }, requestState(context).origins) as unknown[];
      },
      { cacheKeyFn: (key) => (typeof key === 'object' ? JSON.stringify(key) : key) },
    );
  }

  /**
   * A remote subgraph's parts of the entities, through the same entry point over HTTP: one
   * request per level (with the other parts of that tick, by the batching executor), asking for
   * what the subgraph resolves on these objects from here down (remote-parts.ts).
   */
  private remoteLoader(context: object, origin: Origin): DataLoader<unknown, unknown> {
    const producedFor = origin.info;
    const cut: Cut = { target: this.subgraph, ownership: this.ownership, fragments: producedFor.fragments };
    const part = partAt(producedFor, `${origin.subgraph.name} → ${this.subgraph.name}.${this.typeName}`, () =>
      entityPart(this.entry, ownSelections(selectionsOf(producedFor.fieldNodes), this.subgraph.schema.getType(this.typeName) as GraphQLObjectType, origin.subgraph.name, cut), producedFor.operation, this.subgraph.schema),
    );
    return new DataLoader(
      async (keys) => {
        const variables = { ...partVariables(part, producedFor.variableValues), ...entryVariables(this.config.argsFromKeys!(keys) as Record<string, unknown>) };
        const result = (await getBatchingExecutor(context, this.subgraph.remote!)({ document: part.document, variables, context, operationType: 'query' as never })) as ExecutionResult;
        const data = result.data as Record<string, unknown> | null | undefined;
        if (!data) return keys.map(() => failedPart(this.subgraph.name, result.errors));
        keepUnplaced(requestState(context), placeErrors(data, result.errors ?? []));
        const entities = data[this.entry.name];
        if (!Array.isArray(entities)) return keys.map(() => (entities instanceof Error ? entities : failedPart(this.subgraph.name, [])));
        return tag(entities, { subgraph: this.subgraph, info: producedFor }, requestState(context).origins) as unknown[];
      },
      { cacheKeyFn: (key) => (typeof key === 'object' ? JSON.stringify(key) : key) },
    );
  }
}

const resolveAll = (object: Record<string, unknown>): Record<string, unknown> | Promise<Record<string, unknown>> =>
  Object.values(object).some((value) => value instanceof Promise)
    ? Promise.all(Object.entries(object).map(async ([name, value]) => [name, await value] as const)).then(Object.fromEntries)
    : object;

/** Per request (context): the entity loaders and each object's part per subgraph. */
interface RequestState {
  loaders: Map<EntityReader, DataLoader<unknown, unknown>>;
  parts: Map<EntityReader, WeakMap<object, unknown>>;
  /** Each remote subgraph's answer to its root fields. */
  roots: Map<LocalSubgraph, ExecutionResult | Promise<ExecutionResult>>;
  /** Errors of remote answers that name no field that failed: the response reports them as they are. */
  unplaced: GraphQLError[];
  /**
   * Their sources: batch-execute hands an error without a path to every part of a joined
   * request. (Merged execution enters a subgraph at one position, so its parts are not joined
   * today; the guard keeps a joined answer's error from being reported once per part.)
   */
  unplacedSeen: WeakSet<object>;
  /** Which subgraph made each object of a marked type, and for which field (`tag`). */
  origins: WeakMap<object, Origin>;
}

function keepUnplaced(state: RequestState, errors: readonly { message: string; extensions?: Record<string, unknown> }[]): void {
  for (const error of errors) {
    if (state.unplacedSeen.has(error)) continue;
    state.unplacedSeen.add(error);
    state.unplaced.push(raised(error));
  }
}
const states = new WeakMap<object, RequestState>();
function requestState(context: object): RequestState {
  let state = states.get(context);
  if (!state) states.set(context, (state = { loaders: new Map(), parts: new Map(), roots: new Map(), unplaced: [], unplacedSeen: new WeakSet(), origins: new WeakMap() }));
  return state;
}

/** The object types named `typeName` in the subgraphs that have one. */
const typesNamed = (typeName: string, subgraphs: readonly LocalSubgraph[]): GraphQLObjectType[] =>
  subgraphs.flatMap((subgraph) => {
    const type = subgraph.schema.getType(typeName);
    return isObjectType(type) ? [type] : [];
  });

/**
 * Whether an object of `typeName` is the same thing whichever subgraph made it: one subgraph has
 * the type, or every one that has it has the same fields (names, types, arguments), each read
 * from the object as it is (PageInfo). Only objects of the other types remember their subgraph.
 */
function isPlainValueEverywhere(typeName: string, subgraphs: readonly LocalSubgraph[]): boolean {
  const shapes = typesNamed(typeName, subgraphs);
  if (shapes.length < 2) return true;
  const shapeOf = (type: GraphQLObjectType) =>
    Object.values(type.getFields())
      .map((field) => `${field.name}(${field.args.map((arg) => `${arg.name}:${String(arg.type)}`).join()}):${String(field.type)}`)
      .sort()
      .join();
  return shapes.every((type) => shapeOf(type) === shapeOf(shapes[0]!) && Object.values(type.getFields()).every((field) => !field.resolve));
}

/** Every field's owners among the in-process subgraphs, and the readers of their merged types' parts. */
class FieldOwners implements Ownership {
  private readonly owners = new Map<string, OwnedField[]>();
  private readonly readers = new Map<string, EntityReader>();
  /** Types reachable only through stitching (a merged part that cannot be keyed from every producer, or has no entry point). */
  private readonly unreachable = new Set<string>();
  /** Types whose objects must carry their subgraph (see isPlainValueEverywhere). */
  private readonly marked = new Set<string>();
  private readonly rootTypes = new Set<string>();

  constructor(subgraphs: readonly LocalSubgraph[]) {
    for (const subgraph of subgraphs) {
      const roots = new Set([subgraph.schema.getQueryType(), subgraph.schema.getMutationType(), subgraph.schema.getSubscriptionType()]);
      for (const root of roots) if (root) this.rootTypes.add(root.name);
      for (const type of Object.values(subgraph.schema.getTypeMap())) {
        if (type.name.startsWith('__') || !isObjectType(type)) continue;
        for (const field of Object.values(type.getFields())) {
          const coordinate = `${type.name}.${field.name}`;
          this.owners.set(coordinate, [...(this.owners.get(coordinate) ?? []), new OwnedField(subgraph, type, field, roots.has(type), this)]);
        }
      }
      for (const [typeName, config] of Object.entries(subgraph.merge)) this.readers.set(`${subgraph.name}.${typeName}`, new EntityReader(subgraph, typeName, config, this));
    }
    // An object need remember which subgraph made it only where that decides something: its type
    // is made by several subgraphs and is not the same plain value in each (PageInfo is).
    // Tagging every object cost Q1 half a millisecond. A remote subgraph's objects are keyed by
    // response key, an in-process one's by field name: a type both make is marked too.
    const typeNames = new Set(subgraphs.flatMap((subgraph) => Object.values(subgraph.schema.getTypeMap()).flatMap((type) => (isObjectType(type) && !type.name.startsWith('__') ? [type.name] : []))));
    const madeBothWays = (typeName: string) => new Set(subgraphs.filter((subgraph) => isObjectType(subgraph.schema.getType(typeName))).map((subgraph) => !subgraph.remote)).size > 1;
    for (const typeName of typeNames) if (!this.rootTypes.has(typeName) && (!isPlainValueEverywhere(typeName, subgraphs) || madeBothWays(typeName))) this.marked.add(typeName);
    for (const owned of [...this.owners.values()].flat()) owned.remembersOrigin = this.marked.has(getNamedType(owned.returnType).name);
    for (const typeName of this.marked) {
      const makers = subgraphs.filter((candidate) => isObjectType(candidate.schema.getType(typeName)));
      for (const subgraph of makers) {
        const producers = makers.filter((other) => other !== subgraph);
        const reader = this.readers.get(`${subgraph.name}.${typeName}`);
        // A subgraph with fields of the type the others lack must offer an entry point keyed by what they have.
        const ownsMore = Object.keys((subgraph.schema.getType(typeName) as GraphQLObjectType).getFields()).some((name) => this.owners.get(`${typeName}.${name}`)!.length < makers.length);
        if (ownsMore && !reader?.keyedBy(producers)) this.unreachable.add(typeName);
      }
    }
  }

  /** The source of a subscription root field's events: its in-process owner's `subscribe`. */
  sourceOf(typeName: string, fieldName: string): GraphQLFieldResolver<unknown, object> | undefined {
    return this.owners.get(`${typeName}.${fieldName}`)?.find((owner) => owner.source)?.source;
  }

  /** Whether the in-process subgraphs answer `Type.field` here. */
  answers(typeName: string, fieldName: string): boolean {
    return this.owners.has(`${typeName}.${fieldName}`) && !this.unreachable.has(typeName);
  }

  /**
   * Whether a remote subgraph's field gets a literal argument its type refuses (a DateTime
   * "yesterday" the gateway's pass-through scalar let by). Its part would send the literal as a
   * variable, and the service refuse the whole part; stitching places the refusal at the field.
   */
  refusesLiterals(typeName: string, fieldName: string, subgraph: string, argumentNodes: readonly ArgumentNode[]): boolean {
    const owner = this.owners.get(`${typeName}.${fieldName}`)?.find((candidate) => candidate.subgraph.name === subgraph);
    if (!owner?.subgraph.remote) return false;
    return argumentNodes.some((node) => {
      const type = owner.argumentType(node.name.value);
      let variables = false;
      visit(node.value, { Variable: () => void (variables = true) });
      if (!type || variables) return false;
      let refused = false;
      coerceInputValue(valueFromASTUntyped(node.value), type, () => void (refused = true));
      return refused;
    });
  }

  /** The subgraph that resolves `Type.field` on an object `producer` made (itself if it owns the field), or undefined for none. */
  resolvingSubgraph(typeName: string, fieldName: string, producer: string | undefined): string | undefined {
    const owners = this.owners.get(`${typeName}.${fieldName}`);
    return (owners?.find((owner) => owner.subgraph.name === producer) ?? owners?.[0])?.subgraph.name;
  }

  resolverFor(typeName: string, fieldName: string): GraphQLFieldResolver<unknown, object> {
    const owners = this.owners.get(`${typeName}.${fieldName}`)!;
    const [first] = owners;
    const marked = this.marked.has(typeName);
    return (parent, args, context, info) => {
      const origin = marked ? requestState(context).origins.get(parent as object) : undefined;
      if (!origin) {
        // Never expected: run by a guess, another subgraph's resolver would answer wrongly (legacy's invoices of a main row: []).
        if (marked) throw new Error(`merged execution: a ${typeName} object without the subgraph that made it`);
        return first!.run(parent, args, context, info);
      }
      const own = owners.length === 1 ? (owners[0]!.subgraph === origin.subgraph ? owners[0] : undefined) : owners.find((owner) => owner.subgraph === origin.subgraph);
      if (own) return own.run(parent, args, context, info);
      // There is one: types without one are unreachable, and their operations stitched.
      const reader = this.readers.get(`${first!.subgraph.name}.${typeName}`)!;
      const positioned = at(origin, info);
      const part = reader.read(parent as object, positioned, this, context);
      const fromPart = (found: unknown) => (found === null ? null : first!.run(found, args, context, info));
      if (!(part instanceof Promise)) return fromPart(part);
      // A remote part the subgraph nulled: its error is the failing field's, below this object.
      return part.then(fromPart, (error: unknown) => {
        throw raisedUnder(error, info.path.prev, positioned.info);
      });
    };
  }

  keyFieldsOf(subgraph: string, typeName: string): readonly string[] {
    return this.readers.get(`${subgraph}.${typeName}`)?.keyFields ?? [];
  }

  /** A key field's value on an object of `origin`, as that subgraph would send it (a remote one's part carries it under its alias). */
  keyValue(typeName: string, fieldName: string, origin: Origin, parent: object, context: object): unknown {
    if (origin.subgraph.remote) {
      // A key field that failed in its subgraph (an Error placed there) is no key: the part is not asked for.
      const value = (parent as Record<string, unknown>)[keyAlias(fieldName)];
      return value instanceof Error ? null : value;
    }
    const owner = this.owners.get(`${typeName}.${fieldName}`)!.find((candidate) => candidate.subgraph === origin.subgraph)!;
    const info = { ...origin.info, fieldName, fieldNodes: [], path: { prev: origin.info.path, key: fieldName, typename: typeName } } as unknown as GraphQLResolveInfo;
    return owner.run(parent, {}, context, info);
  }
}

/**
 * Where the operation goes from one subgraph into another: per subgraph entered, the response
 * paths of the objects whose parts it is asked for; null when the operation is not one this path
 * answers (not of `operationType`, @defer/@stream, introspection, an abstract type, a field no
 * subgraph of ours owns, a subscription whose source is not in this process).
 *
 * Stitching reads a subgraph's part of the entities at one position in one batch after the
 * producing subgraph's whole part; here each object asks when its fields are resolved, so entering
 * one subgraph at two depths would cost it two round trips where stitching pays one. Operations
 * that enter a subgraph at more than one position stay with stitching (`answers`).
 */
function crossings(document: DocumentNode, schema: GraphQLSchema, fields: FieldOwners, operationType: 'query' | 'subscription'): Map<string, Set<string>> | null {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const fragments = new Map(document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])));
  const entered = new Map<string, Set<string>>();
  const walk = (selectionSet: SelectionSetNode, type: GraphQLNamedType, producer: string | undefined, path: string, spread: ReadonlySet<string>): boolean =>
    selectionSet.selections.every((selection) => {
      if (selection.directives?.some((directive) => directive.name.value === 'defer' || directive.name.value === 'stream')) return false;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        return on === type && walk(selection.selectionSet, type, producer, path, spread);
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || spread.has(fragment.name.value) || schema.getType(fragment.typeCondition.name.value) !== type) return false;
        return walk(fragment.selectionSet, type, producer, path, new Set([...spread, fragment.name.value]));
      }
      const name = selection.name.value;
      if (name === '__typename') return true;
      if (name.startsWith('__') || !isObjectType(type) || !fields.answers(type.name, name)) return false;
      // A subscription's events come from the subgraph that owns its field, here in the process.
      if (type === schema.getSubscriptionType() && !fields.sourceOf(type.name, name)) return false;
      const resolver = fields.resolvingSubgraph(type.name, name, producer)!;
      if (fields.refusesLiterals(type.name, name, resolver, selection.arguments ?? [])) return false;
      for (const argument of selection.arguments ?? []) {
        visit(argument.value, { Variable: (variable) => void (uses.get(resolver) ?? uses.set(resolver, new Set()).get(resolver)!).add(variable.name.value) });
      }
      if (producer !== undefined && resolver !== producer) {
        const positions = entered.get(resolver) ?? new Set<string>();
        entered.set(resolver, positions.add(path));
      }
      const returned = getNamedType(type.getFields()[name]!.type);
      if (!selection.selectionSet) return true;
      return isObjectType(returned) && walk(selection.selectionSet, returned, resolver, `${path}.${selection.alias?.value ?? name}`, spread);
    });
  let uses = new Map<string, Set<string>>();
  const answered = operations.every((operation) => {
    uses = new Map();
    const root = operationType === 'query' ? schema.getQueryType() : schema.getSubscriptionType();
    if (operation.operation !== operationType || !root || !walk(operation.selectionSet, root, undefined, '', new Set())) return false;
    variablesUsed.set(operation, uses);
    return true;
  });
  return answered ? entered : null;
}

export interface MergedExecution {
  /** The class schema with its fields resolved by the subgraphs directly (built once per class schema). */
  schemaFor(classSchema: GraphQLSchema): GraphQLSchema;
  /** Whether `document` is one this path answers: a query over fields in-process subgraphs own, nothing streamed, deferred or introspected. */
  answers(document: DocumentNode, classSchema: GraphQLSchema): boolean;
  /**
   * Whether this path executes the events of subscription `document` (live/shared-subscriptions.ts):
   * its field's source runs in this process, and the selection is one `answers` would take as a query.
   */
  answersEvents(document: DocumentNode, classSchema: GraphQLSchema): boolean;
  /**
   * The result with the errors of remote answers that had no place in it (no path, or a path to
   * a value that did not fail) added, so no error a subgraph reported is lost.
   */
  withUnplacedErrors(result: ExecutionResult, context: object): ExecutionResult;
  /** Whether any subgraph is reached over HTTP (only their answers can have unplaced errors). */
  readonly hasRemoteSubgraphs: boolean;
}

export function mergedExecution(subgraphs: readonly LocalSubgraph[]): MergedExecution {
  const fields = new FieldOwners(subgraphs);
  const built = new WeakMap<GraphQLSchema, GraphQLSchema>();
  const answersAs = (document: DocumentNode, classSchema: GraphQLSchema, operationType: 'query' | 'subscription') => {
    if (subgraphs.some((subgraph) => subgraph.remote) && reservedNames(document)) return false;
    const entered = crossings(document, classSchema, fields, operationType);
    return entered !== null && [...entered.values()].every((positions) => positions.size === 1);
  };
  return {
    schemaFor(classSchema) {
      let schema = built.get(classSchema);
      if (!schema) {
        const subscription = classSchema.getSubscriptionType()?.name;
        schema = mapSchema(classSchema, {
          [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
            if (!fields.answers(typeName, fieldName)) return field;
            const resolve = fields.resolverFor(typeName, fieldName);
            // A subscription's source is its subgraph's own: its events are what the field's resolver takes.
            return typeName === subscription ? { ...field, subscribe: fields.sourceOf(typeName, fieldName) ?? field.subscribe, resolve } : { ...field, resolve };
          },
        });
        built.set(classSchema, schema);
      }
      return schema;
    },
    hasRemoteSubgraphs: subgraphs.some((subgraph) => subgraph.remote),
    withUnplacedErrors(result, context) {
      const unplaced = states.get(context)?.unplaced;
      return unplaced?.length ? { ...result, errors: [...(result.errors ?? []), ...unplaced] } : result;
    },
    answers: (document, classSchema) => answersAs(document, classSchema, 'query'),
    answersEvents: (document, classSchema) => answersAs(document, classSchema, 'subscription'),
  };
}
