import type { MergedTypeConfig } from '@graphql-tools/delegate';

/** telemetry adds devices and lastPosition to main's User, keyed by the user's id. */
export const merge: Record<string, MergedTypeConfig> = {
  User: {
    selectionSet: '{ id }',
    fieldName: '_usersByIds',
    key: ({ id }: { id: string }) => id,
    argsFromKeys: (ids) => ({ ids }),
  },
};
