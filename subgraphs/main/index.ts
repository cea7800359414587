/** The main subgraph: companies, users, projects and time entries, one database per tenant. */
import { folderFiles, type Subgraph } from '../../src/subgraph-kit/subgraph.js';
import { fields } from './fields.js';
import { createLoaders, tenantCustomerCodes } from './loaders.js';
import { merge } from './merge.js';
import { resolvers, type MainContext } from './resolvers.js';

export type { MainContext } from './resolvers.js';

export const mainSubgraph: Subgraph<MainContext['main']> = {
  name: 'main',
  dialect: 'pg',
  tenancy: 'database-per-tenant',
  ...folderFiles(import.meta.url),
  resolvers,
  merge,
  fields,
  // Windows reaching before the horizon read the moved time entries from the archive (training), if any.
  uses: ['archive'],
  createContext: (request) => ({ repo: request.repo, loaders: createLoaders(request.repo, request) }),
  // The companies' billing codes live here: the billing subgraph scopes its customers by them.
  provides: { customerCodes: (main) => tenantCustomerCodes(main.repo) },
};
