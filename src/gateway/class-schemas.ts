/**
 * What each client class may see. The database enforces it (the class's role lacks the
 * GRANTs); the schema says it up front, so a query for a hidden field is a validation error
 * rather than a failed statement. Which fields are hidden from whom is declared once per field
 * in the subgraphs' descriptors (`fields[coordinate].hiddenFrom`); the start-up grant check
 * (check-grants.ts) refuses to run when the GRANTs disagree.
 */
import { filterSchema, pruneSchema } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
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

export function buildClassSchemas(schema: GraphQLSchema, subgraphs: readonly AnySubgraph[] = builtInSubgraphs): Record<ClientClass, GraphQLSchema> {
  return Object.fromEntries(clientClasses.map((c) => [c, schemaForClass(schema, c, subgraphs)])) as Record<ClientClass, GraphQLSchema>;
}
