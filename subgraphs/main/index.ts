/** The main subgraph: companies, users, projects and time entries of one tenant database. */
import { readSdl, type Subgraph } from '../../src/subgraph-kit/subgraph.js';
import { createLoaders, type MainLoaders } from './loaders.js';
export { tenantCustomerCodes } from './loaders.js';
import { fieldColumns } from './columns.js';
import { merge } from './merge.js';
import { resolvers } from './resolvers.js';

export type { MainContext } from './resolvers.js';

export const mainSubgraph: Subgraph<MainLoaders> = {
  name: 'main',
  typeDefs: readSdl(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  merge,
  fieldColumns,
  createLoaders,
};
