import type { MergedTypeConfig } from '@graphql-tools/delegate';

/**
 * main is the canonical home of Company and User. The only other subgraph that hands out a
 * Company is legacy (Invoice.company), and it knows just the customer code, so that is the key.
 *
 * One entry point per type on purpose: with `entryPoints`, graphql-tools clones the subschema
 * per entry point, and a Company resolved through one clone no longer sees main's User merge
 * resolver, so it refetches `users { id }` from main: an extra round trip per level.
 */
export const merge: Record<string, MergedTypeConfig> = {
  Company: {
    selectionSet: '{ legacyCustomerCode }',
    fieldName: '_companiesByLegacyCodes',
    key: ({ legacyCustomerCode }: { legacyCustomerCode: string }) => legacyCustomerCode,
    argsFromKeys: (codes) => ({ codes }),
  },
  User: {
    selectionSet: '{ id }',
    fieldName: 'users',
    key: ({ id }: { id: string }) => id,
    argsFromKeys: (ids) => ({ ids }),
  },
};
