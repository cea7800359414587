/** The legacy subgraph: customers, invoices and invoice lines of the old billing system. */
import { folderFiles, type Subgraph } from '../../src/subgraph-kit/subgraph.js';
import { fields } from './fields.js';
import { createLoaders } from './loaders.js';
import { merge } from './merge.js';
import { resolvers, type LegacyContext } from './resolvers.js';

export type { LegacyContext } from './resolvers.js';

export const legacySubgraph: Subgraph<LegacyContext['legacy']> = {
  name: 'legacy',
  dialect: 'mysql',
  // The billing system knows no tenants: a customer is the tenant's when one of its companies
  // carries the customer's code, a fact the companies' subgraph provides.
  tenancy: 'shared-via-entities',
  ...folderFiles(import.meta.url),
  resolvers,
  merge,
  internalTypes: ['LegacyCompanyRef'],
  fields,
  createContext: (request) => ({ repo: request.repo, loaders: createLoaders(request.repo, request), customerCodes: request.facts.customerCodes }),
  requires: ['customerCodes'],
};
