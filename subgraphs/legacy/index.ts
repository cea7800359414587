/** The legacy subgraph: customers, invoices and invoice lines of the old billing system. */
import { readSdl, type Subgraph } from '../../src/subgraph-kit/subgraph.js';
import { createLoaders, type LegacyLoaders } from './loaders.js';
import { fieldColumns } from './columns.js';
import { merge } from './merge.js';
import { resolvers } from './resolvers.js';

export type { LegacyContext } from './resolvers.js';

export const legacySubgraph: Subgraph<LegacyLoaders> = {
  name: 'legacy',
  typeDefs: readSdl(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  merge,
  fieldColumns,
  createLoaders,
};
