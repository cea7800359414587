import type { MergedTypeConfig } from '@graphql-tools/delegate';

/**
 * legacy adds invoices and the open balance to main's Company, keyed by the legacy customer
 * code. The key is an object so a company without a code still reaches this subgraph (and gets
 * [] and 0) instead of being skipped as a null key.
 */
export const merge: Record<string, MergedTypeConfig> = {
  Company: {
    selectionSet: '{ legacyCustomerCode }',
    fieldName: '_companiesByLegacyRefs',
    key: ({ legacyCustomerCode }: { legacyCustomerCode: string | null }) => ({ legacyCustomerCode }),
    argsFromKeys: (refs) => ({ refs }),
  },
};
