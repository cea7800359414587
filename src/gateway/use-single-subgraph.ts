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
 */
import { Kind, validate, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from '../auth/tokens.js';
import type { ClientClass } from '../config.js';

function asksForIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
  });
  return found;
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
export function useSingleSubgraphExecution(subgraphSchemas: Record<ClientClass, readonly GraphQLSchema[]>): Plugin<{ principal: Principal }> {
  const planned = new WeakMap<DocumentNode, Partial<Record<ClientClass, GraphQLSchema | null>>>();
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const clientClass = args.contextValue.principal.clientClass;
      const byClass = planned.get(args.document) ?? {};
      planned.set(args.document, byClass);
      let target = byClass[clientClass];
      if (target === undefined) {
        target = soleSubgraph(args.document, subgraphSchemas[clientClass]) ?? null;
        byClass[clientClass] = target;
      }
      const schema = target;
      if (schema) setExecuteFn((execution) => executeFn({ ...execution, schema }));
    },
  };
}
