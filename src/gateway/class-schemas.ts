/**
 * What each client class may see. The database enforces it (the class's role lacks the
 * GRANTs); the schema says it up front, so a query for a hidden field is a validation error
 * rather than a failed statement. Which fields are hidden from whom is declared once per field
 * in the subgraphs' descriptors (`fields[coordinate].hiddenFrom`); the start-up grant check
 * (check-grants.ts) refuses to run when the GRANTs disagree.
 */
import { filterSchema, GraphQLDeferDirective, GraphQLStreamDirective, pruneSchema } from '@graphql-tools/utils';
import { GraphQLSchema } from 'graphql';
import { clientClasses, type ClientClass } from '../config.js';
import { builtInSubgraphs } from '../subgraphs.js';
import { hiddenFieldsOf, type AnySubgraph } from '../subgraph-kit/subgraph.js';

export function schemaForClass(schema: GraphQLSchema, clientClass: ClientClass, subgraphs: readonly AnySubgraph[] = builtInSubgraphs): GraphQLSchema {
  const hidden = hiddenFieldsOf(subgraphs, clientClass);
  if (hidden.size === 0) return schema;
  return pruneSchema(
    filterSchema({
      schema,
      rootFieldFilter: (operation, fieldName) => !hidden.has(`${operation}.${fieldName}`),
      objectFieldFilter: (typeName, fieldName) => !hidden.has(`${typeName}.${fieldName}`),
      inputObjectFieldFilter: (typeName, fieldName) => !hidden.has(`${typeName}.${fieldName}`),
    }),
  );
}

const declared = new WeakMap<GraphQLSchema, GraphQLSchema>();

/**
 * `schema` with @defer and @stream declared. useDeferStream declares them in the schema yoga
 * holds, but useAuth swaps in the class's schema on every request: the plugin would then rebuild
 * the whole schema per request, and yoga's validation cache, keyed by schema, would never hit.
 * Declared once here, the plugin finds them and leaves each schema as it is.
 */
export function withDeferStream(schema: GraphQLSchema): GraphQLSchema {
  const missing = [GraphQLDeferDirective, GraphQLStreamDirective].filter((directive) => !schema.getDirective(directive.name));
  if (missing.length === 0) return schema;
  let withDirectives = declared.get(schema);
  if (!withDirectives) {
    withDirectives = new GraphQLSchema({ ...schema.toConfig(), directives: [...schema.getDirectives(), ...missing] });
    declared.set(schema, withDirectives);
  }
  return withDirectives;
}

/**
 * The schema each class validates and executes against (the contracts print `schemaForClass`,
 * without the directives), from the gateway schema, or from each class's own (foreign subgraphs
 * are stitched only into the schemas of the classes that may see them).
 */
export function buildClassSchemas(schema: GraphQLSchema | ((clientClass: ClientClass) => GraphQLSchema), subgraphs: readonly AnySubgraph[] = builtInSubgraphs): Record<ClientClass, GraphQLSchema> {
  const stitchedFor = typeof schema === 'function' ? schema : () => schema;
  return Object.fromEntries(clientClasses.map((c) => [c, withDeferStream(schemaForClass(stitchedFor(c), c, subgraphs))])) as Record<ClientClass, GraphQLSchema>;
}
