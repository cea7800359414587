/**
 * A subgraph's executable schema as a Federation v2 subgraph: its own schema (descriptor SDL and
 * resolvers, as in-process) plus `_service { sdl }` and `_entities(representations:)`.
 *
 * Ours, not a library's: `@apollo/subgraph` needs Node 22 from 2.15 on and, before that, pulls in
 * `@apollo/federation-internals` (Elastic License 2.0); `@graphql-tools/federation` 4 no longer
 * builds subgraphs (and its last builder resolved each representation alone and answered an
 * unknown one with the representation itself instead of null). The part that matters here is
 * the batching, which neither does: `_entities` hands all representations of one type to that
 * type's merge entry point in one call, so they cost one statement per type, as in-process.
 */
import type { MergedTypeConfig } from '@graphql-tools/delegate';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { IFieldResolver, IResolvers } from '@graphql-tools/utils';
import { GraphQLError, GraphQLScalarType, valueFromASTUntyped, type GraphQLSchema } from 'graphql';
import { BadUserInputError } from '../errors.js';
import type { AnySubgraph } from '../subgraph-kit/subgraph.js';

/** A representation as a federation gateway sends it: the type's name and its key fields. */
export interface Representation {
  __typename: string;
  [keyField: string]: unknown;
}

/** `_Any`: representations arrive as JSON objects (in variables, or inline in the document). */
const anyScalar = new GraphQLScalarType({
  name: '_Any',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});

function federationTypeDefs(entityTypes: readonly string[]): string {
  const entities = entityTypes.length === 0 ? '' : `
    scalar _Any
    union _Entity = ${entityTypes.join(' | ')}
    extend type Query { _entities(representations: [_Any!]!): [_Entity]! }`;
  return `type _Service { sdl: String! }\nextend type Query { _service: _Service! }\n${entities}`;
}

type EntryPoint = IFieldResolver<unknown, unknown, Record<string, unknown>>;

interface EntityLookup {
  config: MergedTypeConfig & Required<Pick<MergedTypeConfig, 'key' | 'argsFromKeys' | 'fieldName'>>;
  entryPoint: EntryPoint;
}

/** Each entity type's batched merge entry point (the `_…` or plural root field that takes all keys at once). */
function entityLookups(subgraph: AnySubgraph): Map<string, EntityLookup> {
  const queryResolvers = (subgraph.resolvers.Query ?? {}) as Record<string, EntryPoint>;
  const lookups = new Map<string, EntityLookup>();
  for (const [typeName, config] of Object.entries(subgraph.merge)) {
    const { key, argsFromKeys, fieldName } = config;
    const entryPoint = fieldName ? queryResolvers[fieldName] : undefined;
    if (!key || !argsFromKeys || !fieldName || typeof entryPoint !== 'function') {
      throw new TypeError(`${subgraph.name}: merge.${typeName} must be batched (fieldName, key, argsFromKeys) with a resolver for Query.${fieldName ?? '?'}, to answer _entities in one call`);
    }
    lookups.set(typeName, { config: { ...config, key, argsFromKeys, fieldName }, entryPoint });
  }
  return lookups;
}

/** `sdl` is what `_service` answers: the subgraph's Federation v2 SDL (federation-sdl.ts). */
export function federationSchema(subgraph: AnySubgraph, sdl: string): GraphQLSchema {
  const lookups = entityLookups(subgraph);
  const entityTypes = [...lookups.keys()];

  const entities: IFieldResolver<unknown, unknown, { representations: Representation[] }> = async (_root, { representations }, context, info) => {
    const byType = new Map<string, number[]>();
    representations.forEach((representation, index) => {
      const typeName = representation?.__typename;
      if (typeof typeName !== 'string' || !lookups.has(typeName)) {
        throw new BadUserInputError(`A representation's __typename must be an entity of the ${subgraph.name} subgraph (${entityTypes.join(', ')}).`, 'representations');
      }
      const indexes = byType.get(typeName) ?? [];
      indexes.push(index);
      byType.set(typeName, indexes);
    });
    const resolved: unknown[] = new Array(representations.length).fill(null);
    await Promise.all(
      [...byType].map(async ([typeName, indexes]) => {
        const { config, entryPoint } = lookups.get(typeName)!;
        const keys = indexes.map((index) => config.key(representations[index]));
        // The entry point answers in key order, null (or an error) where a key names nothing.
        const found = (await entryPoint(undefined, config.argsFromKeys(keys), context, info)) as unknown[];
        indexes.forEach((index, position) => {
          const entity = found[position];
          // An error stays an error (graphql-js reports it at its path); a row learns its type.
          resolved[index] = entity === null || entity === undefined || entity instanceof Error ? (entity ?? null) : { ...(entity as object), __typename: typeName };
        });
      }),
    );
    return resolved;
  };

  const federationResolvers: IResolvers = {
    Query: { _service: () => ({ sdl }), ...(entityTypes.length > 0 && { _entities: entities }) },
    ...(entityTypes.length > 0 && {
      _Any: anyScalar,
      _Entity: {
        __resolveType: (entity: { __typename?: string }) => {
          if (!entity.__typename) throw new GraphQLError('an entity without a __typename reached _Entity');
          return entity.__typename;
        },
      },
    }),
  };
  return makeExecutableSchema({
    typeDefs: [subgraph.typeDefs, federationTypeDefs(entityTypes)],
    resolvers: [subgraph.resolvers, federationResolvers],
  });
}
