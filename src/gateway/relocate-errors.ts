/**
 * Puts errors of batched merged fields back at the field that failed.
 *
 * When a batched merge call to a subgraph partly fails (say legacy is down and every
 * Company.invoices of the batch errors), graphql-tools stores each error as that field's value,
 * but with the path of the first object of the batch: every error would point at
 * `companies.edges.0…`. Relocating to the path being resolved gives each one its own path.
 */
import { MapperKind, mapSchema, pathToArray, relocatedError } from '@graphql-tools/utils';
import { defaultFieldResolver, GraphQLError, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';

function relocate(value: unknown, info: GraphQLResolveInfo): unknown {
  if (!(value instanceof GraphQLError)) return value;
  const path = pathToArray(info.path);
  return value.path?.join('.') === path.join('.') ? value : relocatedError(value, path);
}

export function relocateMergedFieldErrors(schema: GraphQLSchema, typeNames: ReadonlySet<string>): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, _fieldName, typeName) => {
      if (!typeNames.has(typeName)) return field;
      const resolve = field.resolve ?? defaultFieldResolver;
      return {
        ...field,
        resolve(parent, args, context, info) {
          const value = resolve(parent, args, context, info);
          return value instanceof Promise ? value.then((v) => relocate(v, info)) : relocate(value, info);
        },
      };
    },
  });
}
