/**
 * Queries that skip stitching (one subgraph answering alone, or several merged in one walk:
 * use-single-subgraph.ts) run as code graphql-jit compiled for that document and schema, once,
 * instead of graphql-js walking the document for every object. graphql-jit (Mercurius's executor)
 * resolves the same fields with the same resolvers, context and info; what it saves is the
 * per-object work graphql-js repeats: collecting fields, looking up resolvers and types,
 * completing values through generic code. On 500 devices or 10,000 time entries that was most
 * of the gateway's own execution cost (BENCHMARKS.md, tuning log), and its results are plain
 * objects, which V8 stringifies faster than graphql-js's null-prototype ones.
 *
 * Only queries without @defer, @stream, @skip or @include (the caller, use-single-subgraph.ts,
 * sees to it and says why): graphql-jit streams nothing, and mutations, rare and small, keep
 * graphql-js's path. A subscription's events are executed here too when merged execution runs
 * them (`compiledEvents`, live/shared-subscriptions.ts): a thousand a second, each one the same
 * selection over a new root value. A document graphql-jit cannot compile keeps graphql-js too.
 * `test/differential.test.ts` holds the answers (data, error codes and paths, round trips)
 * equal to plain stitching's, and `test/subscriptions.test.ts` the events.
 */
import { getOperationAST, GraphQLError, isNonNullType, Kind, TypeInfo, valueFromASTUntyped, visit, visitWithTypeInfo, type ASTNode, type DocumentNode, type ExecutionResult, type GraphQLSchema, type VariableDefinitionNode } from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';

/** Runs the compiled query; errors come back as graphql-js would make them. */
export type Compiled = (rootValue: unknown, context: unknown, variables: Record<string, unknown>) => ExecutionResult | Promise<ExecutionResult>;

/** What errors are traced back to: the outermost node at each line and column of the document, and its fields of non-null type. */
interface DocumentFacts {
  nodes: Map<string, ASTNode>;
  nonNullFields: Set<ASTNode>;
}

function factsOf(document: DocumentNode, schema: GraphQLSchema): DocumentFacts {
  const facts: DocumentFacts = { nodes: new Map(), nonNullFields: new Set() };
  const typeInfo = new TypeInfo(schema);
  visit(document, visitWithTypeInfo(typeInfo, {
    enter(node) {
      const key = node.loc && `${node.loc.startToken.line}:${node.loc.startToken.column}`;
      if (key && !facts.nodes.has(key)) facts.nodes.set(key, node);
      if (node.kind === Kind.FIELD && isNonNullType(typeInfo.getType())) facts.nonNullFields.add(node);
    },
  }));
  return facts;
}

/**
 * graphql-jit's errors carry locations but not the nodes they came from, and an error it makes
 * itself (a null in a non-null field) has no cause. Our error handling (mask-error.ts,
 * use-input-error-codes.ts) rebuilds errors from their nodes and tells a client's error from an
 * internal one by its cause, as graphql-js's `locatedError` leaves them: so each error becomes
 * the one graphql-js would have made, its nodes found again by location (errors are rare; the
 * facts are gathered on the first).
 */
function asGraphqlJsErrors(result: ExecutionResult, factsOf: () => DocumentFacts): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((error) => {
    const cause = error.originalError;
    if (cause instanceof GraphQLError && Array.isArray(cause.path)) return cause;
    const nodes = (error.locations ?? []).flatMap(({ line, column }) => factsOf().nodes.get(`${line}:${column}`) ?? []);
    // graphql-js wraps what a resolver throws; a null in a non-null field becomes an Error first.
    const originalError = cause ?? (error.path ? new Error(error.message) : undefined);
    return new GraphQLError(error.message, { nodes, path: error.path, originalError, extensions: error.extensions ?? (cause instanceof GraphQLError ? cause.extensions : undefined) });
  });
  const atNonNullField = (error: GraphQLError) => error.nodes?.some((node) => factsOf().nonNullFields.has(node)) ?? false;
  return { ...result, errors: withoutErrorsInsideNulledObjects(errors, result.data, atNonNullField) };
}

/** The value at `path` in `data`. */
function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const key of path) value = value === null || value === undefined ? undefined : (value as Record<string | number, unknown>)[key];
  return value;
}

/**
 * One error per object a null in a non-null field took away. graphql-js answers once the first
 * such error has nulled the object and never hears of its other fields' later errors; graphql-jit
 * waits for them all and reports them. The shortest nulled object above an error names its
 * group; the group keeps one error at a non-null field, the first in the document.
 */
function withoutErrorsInsideNulledObjects(errors: readonly GraphQLError[], data: unknown, atNonNullField: (error: GraphQLError) => boolean): readonly GraphQLError[] {
  const groupOf = (error: GraphQLError) => {
    const path = error.path ?? [];
    const nulled = path.findIndex((_key, depth) => valueAt(data, path.slice(0, depth)) === null);
    return nulled === -1 ? null : JSON.stringify(path.slice(0, nulled));
  };
  // Which failing field graphql-js hears of first depends on timing; the first in the document is kept, every time.
  const position = (error: GraphQLError) => (error.locations?.[0] ? error.locations[0].line * 1e6 + error.locations[0].column : Infinity);
  const nulling = new Map<string, GraphQLError>();
  for (const error of errors) {
    const group = groupOf(error);
    const kept = group === null ? undefined : nulling.get(group);
    if (group !== null && atNonNullField(error) && (!kept || position(error) < position(kept))) nulling.set(group, error);
  }
  return errors.filter((error) => {
    const group = groupOf(error);
    return group === null || (nulling.get(group) ?? error) === error;
  });
}

/**
 * Variables as graphql-js coerces them, its errors if they are wrong: graphql-jit's own coercion
 * words refusals differently (no "Did you mean …?" for an enum) and refuses a non-null variable
 * left out that has a default. Valid variables are then handed to graphql-jit as sent, with the
 * defaults written in (coerced values would be coerced twice: an enum's internal value is not
 * its name).
 */
function variablesFor(schema: GraphQLSchema, definitions: readonly VariableDefinitionNode[], sent: Record<string, unknown>): { variables: Record<string, unknown> } | { errors: readonly GraphQLError[] } {
  if (definitions.length === 0) return { variables: sent };
  const coerced = getVariableValues(schema, definitions, sent, { maxErrors: 50 });
  if (coerced.errors) return { errors: coerced.errors };
  const variables = { ...sent };
  for (const definition of definitions) {
    const name = definition.variable.name.value;
    if (variables[name] === undefined && definition.defaultValue) variables[name] = valueFromASTUntyped(definition.defaultValue);
  }
  return { variables };
}

const compiledByDocument = new WeakMap<DocumentNode, Map<GraphQLSchema, Map<string, Compiled | null>>>();

function compile(document: DocumentNode, schema: GraphQLSchema, operationName: string | undefined): Compiled | null {
  try {
    const compiled = compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true });
    if (!isCompiledQuery(compiled)) return null;
    let facts: DocumentFacts | undefined;
    const documentFacts = () => (facts ??= factsOf(document, schema));
    const definitions = getOperationAST(document, operationName)?.variableDefinitions ?? [];
    return (rootValue, context, sent) => {
      const checked = variablesFor(schema, definitions, sent);
      if ('errors' in checked) return { errors: checked.errors };
      const result = compiled.query(rootValue, context, checked.variables);
      return result instanceof Promise ? result.then((settled) => asGraphqlJsErrors(settled, documentFacts)) : asGraphqlJsErrors(result, documentFacts);
    };
  } catch {
    // An operation graphql-jit cannot compile is executed by graphql-js, which reports what is wrong with it.
    return null;
  }
}

/**
 * Whether a document is one this module runs: only operations of kind `operation` (queries, or
 * a subscription's events), without @defer or @stream, and without @skip or @include
 * (graphql-jit places a field first seen in a skipped fragment where it was first seen, not where
 * graphql-js's field collection puts it, so the answer's keys would come in another order).
 * The directives are looked for once per document.
 */
const withoutDirectives = new WeakMap<DocumentNode, boolean>();
function isPlain(document: DocumentNode, operation: 'query' | 'subscription'): boolean {
  if (!document.definitions.every((definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition.operation === operation)) return false;
  let plain = withoutDirectives.get(document);
  if (plain === undefined) {
    plain = true;
    visit(document, {
      Directive(directive) {
        if (['defer', 'stream', 'skip', 'include'].includes(directive.name.value)) plain = false;
      },
    });
    withoutDirectives.set(document, plain);
  }
  return plain;
}

/** The compiled query for `document` if it is a plain query (isPlain), else null (graphql-js runs it). */
export function compiledPlainQuery(document: DocumentNode, schema: GraphQLSchema, operationName: string | undefined): Compiled | null {
  return isPlain(document, 'query') ? compiledFor(document, schema, operationName) : null;
}

/**
 * A plain subscription's events, compiled: `compiled(event, context, variables)` executes one
 * event as graphql-js's `execute` does with the event as root value (graphql-jit's own
 * `subscribe` maps each event so). Null for graphql-js.
 */
export function compiledEvents(document: DocumentNode, schema: GraphQLSchema, operationName: string | undefined): Compiled | null {
  return isPlain(document, 'subscription') ? compiledFor(document, schema, operationName) : null;
}

/** An execute function (yoga's `setExecuteFn`) that runs `compiled` with the execution's root value, context and variables. */
export const executeCompiled =
  (compiled: Compiled) =>
  (execution: { rootValue?: unknown; contextValue?: unknown; variableValues?: Record<string, unknown> | null }) =>
    compiled(execution.rootValue, execution.contextValue, execution.variableValues ?? {});

/**
 * Plain queries of a yoga server run compiled: a subgraph service's (subgraph-service.ts), whose
 * requests are the gateways' parts of operations, the same texts again and again (parsed once per
 * class: document-cache.ts), so each is compiled once.
 */
export function useCompiledExecution(): Plugin {
  return {
    onExecute({ args, setExecuteFn }) {
      const compiled = compiledPlainQuery(args.document as DocumentNode, args.schema, args.operationName ?? undefined);
      if (compiled) setExecuteFn(executeCompiled(compiled) as never);
    },
  };
}

/** The compiled operation for `document` (no @defer or @stream) over `schema`, compiled on first use (documents are cached per class: document-cache.ts), or null for graphql-js. */
export function compiledFor(document: DocumentNode, schema: GraphQLSchema, operationName: string | undefined): Compiled | null {
  let bySchema = compiledByDocument.get(document);
  if (!bySchema) compiledByDocument.set(document, (bySchema = new Map()));
  let byOperation = bySchema.get(schema);
  if (!byOperation) bySchema.set(schema, (byOperation = new Map()));
  const key = operationName ?? '';
  let compiled = byOperation.get(key);
  if (compiled === undefined) byOperation.set(key, (compiled = compile(document, schema, operationName)));
  return compiled;
}
