/**
 * An operation that one subgraph can answer alone is executed by that subgraph directly, not
 * through the stitched schema. Stitching would delegate the whole operation to that subgraph
 * anyway and then walk the answer a second time in the gateway, object by object (merging
 * metadata, re-resolving every field): for 500 devices that walk cost more than the subgraph's
 * own execution (BENCHMARKS.md). The answer is the same: the same resolvers, loaders, context
 * and SQL; field types and arguments agree between each subgraph and the gateway (a test keeps
 * them so).
 *
 * "Can answer alone" means the operation validates against the subgraph's schema, so every
 * field it selects exists there. It has already passed the client class's gateway schema (hidden
 * fields, limits) before it gets here. Introspection always goes through the gateway schema.
 * The decision is cached per parsed document and class; the document cache keeps documents alive.
 *
 * @defer and @stream: the schemas given here declare both (yoga.ts, `withDeferStream`), so a
 * deferred operation one subgraph answers alone runs there too and the subgraph's executor
 * delivers it incrementally, with the round trips of the same operation without @defer. Sent
 * through stitching instead, a deferred field of the same subgraph is cut from the delegated
 * request (graphql-tools delegates only the keys a deferred fragment needs) and fetched again
 * through a merge entry point: one more round trip per deferred level, for nothing.
 *
 * A remote subgraph (remote-subgraph.ts) that can answer an operation alone gets the whole
 * operation, as the client sent it, in one HTTP request, and its answer is the answer: no
 * delegation, no second walk. Not subscriptions (a service serves none) nor @defer/@stream
 * (the service would stream its answer over HTTP): those go through stitching. When the service
 * cannot be reached, the operation's root fields are null with REPO_UNAVAILABLE at their paths,
 * as stitching would place it.
 *
 * A query that needs several of our subgraphs (in-process, remote or both; no foreign one) is
 * executed once over the class schema: the in-process subgraphs' own resolvers, and each remote
 * subgraph's answer to its part of the operation (merged-execution.ts): no delegation, no second
 * walk. Everything else goes through stitching.
 *
 * On the paths that execute here (one in-process subgraph; merged execution, whose remote
 * subgraphs' parts run compiled in their services too) a plain query (compiledPlainQuery) runs as
 * code graphql-jit compiled for it (compiled-execution.ts); anything else through yoga's executor.
 */
import type { ExecutionResult, Executor } from '@graphql-tools/utils';
import { GraphQLError, isNonNullType, Kind, validate, visit, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from '../auth/tokens.js';
import type { ClientClass } from '../config.js';
import { compiledPlainQuery, executeCompiled } from './compiled-execution.js';
import type { MergedExecution } from './merged-execution.js';

/** Whether the document has a field or directive named one of `names`. */
function mentions(document: DocumentNode, kind: Kind.FIELD | Kind.DIRECTIVE, names: readonly string[]): boolean {
  let found = false;
  visit(document, {
    [kind](node: { name: { value: string } }) {
      if (names.includes(node.name.value)) found = true;
    },
  });
  return found;
}

const asksForIntrospection = (document: DocumentNode) => mentions(document, Kind.FIELD, ['__schema', '__type']);
const streamsOrDefers = (document: DocumentNode) => mentions(document, Kind.DIRECTIVE, ['defer', 'stream']);
const operationsOf = (document: DocumentNode) => document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);

/** A subgraph that may answer whole operations: its schema, and for a remote one the executor that sends them to its service. */
export interface SoleSubgraph {
  schema: GraphQLSchema;
  remote?: Executor;
}

/** A remote answer without data (the service unreachable): null root fields, each with the error at its path. */
function atRootFields(result: ExecutionResult, operation: OperationDefinitionNode, schema: GraphQLSchema): ExecutionResult {
  if (result.data !== undefined || !result.errors?.length) return result;
  const root = schema.getRootType(operation.operation)!;
  const fields = operation.selectionSet.selections.flatMap((selection) => (selection.kind === Kind.FIELD && selection.name.value !== '__typename' ? [selection] : []));
  const [cause] = result.errors;
  const errors = fields.map((field) => new GraphQLError(cause!.message, { nodes: field, path: [field.alias?.value ?? field.name.value], extensions: cause!.extensions }));
  // A non-null root field's null nulls the whole data, as graphql-js would.
  const nullable = fields.every((field) => !isNonNullType(root.getFields()[field.name.value]?.type));
  return { data: nullable ? Object.fromEntries(fields.map((field) => [field.alias?.value ?? field.name.value, null])) : null, errors };
}

export function soleSubgraph(document: DocumentNode, subgraphSchemas: readonly GraphQLSchema[]): GraphQLSchema | undefined {
  if (asksForIntrospection(document)) return undefined;
  // graphql-js validates the fields of a root type the schema lacks against nothing, so a
  // mutation "validates" on a subgraph without mutations (legacy for api): only schemas that have
  // every root type the document uses may answer it.
  const roots = new Set(document.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION ? [definition.operation] : [])));
  return subgraphSchemas.find((schema) => [...roots].every((root) => schema.getRootType(root)) && validate(schema, document).length === 0);
}

/**
 * `subgraphSchemas` per client class, filtered like the class's gateway schema: variables are
 * coerced against the schema that executes, so a field hidden from the class (an input's `note`
 * for api) must be missing there too, not only in the schema that validated the document.
 */
export function useSingleSubgraphExecution(
  subgraphs: Record<ClientClass, readonly SoleSubgraph[]>,
  merged: Partial<Record<ClientClass, MergedExecution>> = {},
): Plugin<{ principal: Principal }> {
  // Per document and class: the subgraph answering it alone, 'merged' (merged-execution.ts), or null (stitching).
  const planned = new WeakMap<DocumentNode, Partial<Record<ClientClass, SoleSubgraph | 'merged' | null>>>();
  const pick = (document: DocumentNode, candidates: readonly SoleSubgraph[]): SoleSubgraph | null => {
    const schema = soleSubgraph(document, candidates.map((candidate) => candidate.schema));
    const target = candidates.find((candidate) => candidate.schema === schema);
    if (!target?.remote) return target ?? null;
    return operationsOf(document).some((operation) => operation.operation === 'subscription') || streamsOrDefers(document) ? null : target;
  };
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const clientClass = args.contextValue.principal.clientClass;
      const byClass = planned.get(args.document) ?? {};
      planned.set(args.document, byClass);
      let target = byClass[clientClass];
      if (target === undefined) {
        target = pick(args.document, subgraphs[clientClass]) ?? (merged[clientClass]?.answers(args.document, args.schema) ? 'merged' : null);
        byClass[clientClass] = target;
      }
      if (!target) return;
      const { schema, remote } = target === 'merged' ? { schema: merged[clientClass]!.schemaFor(args.schema), remote: undefined } : target;
      if (!remote) {
        const compiled = compiledPlainQuery(args.document, schema, args.operationName ?? undefined);
        const run = (compiled ? executeCompiled(compiled) : (execution: Parameters<typeof executeFn>[0]) => executeFn({ ...execution, schema })) as typeof executeFn;
        const merging = target === 'merged' ? merged[clientClass]! : undefined;
        if (!merging?.hasRemoteSubgraphs) return setExecuteFn(run);
        return setExecuteFn((async (execution: Parameters<typeof executeFn>[0]) =>
          merging.withUnplacedErrors((await run(execution)) as ExecutionResult, execution.contextValue as object)) as typeof executeFn);
      }
      setExecuteFn(async ({ document, variableValues, operationName, contextValue }) => {
        const operation = (document as DocumentNode).definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName))!;
        const result = (await remote({ document, variables: variableValues ?? {}, operationName: operationName ?? undefined, operationType: operation.operation, context: contextValue })) as ExecutionResult;
        // The service's own extensions (its repos' figures) are already added to the request's.
        return atRootFields({ data: result.data, errors: result.errors }, operation, schema);
      });
    },
  };
}
