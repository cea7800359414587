/**
 * What each client class may see. The database enforces it (the class's role lacks the
 * GRANTs); the schema says it up front, so a query for a hidden field is a validation error
 * rather than a failed statement. Keep this list and subgraphs/<name>/grants.sql in step: the
 * start-up check (check-grants.ts) refuses to run when they disagree.
 */
import { filterSchema, pruneSchema } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import { clientClasses, type ClientClass } from '../config.js';

export const hiddenFields: Record<ClientClass, ReadonlySet<string>> = {
  interactive: new Set(['Mutation.markInvoicePaid', 'Mutation.recordPositions']),
  api: new Set([
    'User.email',
    'TimeEntry.note',
    'StartTimeEntryInput.note',
    'UpdateTimeEntryInput.note',
    'Invoice.lines',
    'Mutation.markInvoicePaid',
  ]),
  admin: new Set(),
};

export function schemaForClass(schema: GraphQLSchema, clientClass: ClientClass): GraphQLSchema {
  const hidden = hiddenFields[clientClass];
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

export function buildClassSchemas(schema: GraphQLSchema): Record<ClientClass, GraphQLSchema> {
  return Object.fromEntries(clientClasses.map((c) => [c, schemaForClass(schema, c)])) as Record<ClientClass, GraphQLSchema>;
}
