import type { Repo } from '../../src/repo/repo.js';
import { groupLoader, groupLoaderWithArgs, rowLoader } from '../../src/subgraph-kit/loaders.js';
import type { SubgraphRequest } from '../../src/subgraph-kit/subgraph.js';
import * as sql from './sql.js';

/** Made per request. Keys are legacy customer codes and invoice numbers (as strings). */
export function createLoaders(repo: Repo, { canSee }: Pick<SubgraphRequest, 'canSee'>) {
  const statements = sql.statementsFor(canSee);
  return {
    customerByCode: rowLoader(
      'Customer',
      (codes) => repo.read<sql.CustomerRow>(statements.customersByCodes, [codes]),
      (row) => row.code,
    ),
    invoiceByNumber: rowLoader(
      'Invoice',
      (numbers) => repo.read<sql.InvoiceRow>(statements.invoicesByNumbers, [numbers.map(Number)]),
      (row) => String(row.number),
    ),
    invoicesByCustomer: groupLoaderWithArgs(
      (codes, { status }: { status: sql.LegacyStatus | null }) =>
        status === null
          ? repo.read<sql.InvoiceRow>(statements.invoicesByCustomers, [codes])
          : repo.read<sql.InvoiceRow>(statements.invoicesByCustomersAndStatus, [codes, status]),
      (row) => row.customerCode,
    ),
    linesByInvoice: groupLoader(
      (numbers) => repo.read<sql.InvoiceLineRow>(statements.linesByInvoices, [numbers.map(Number)]),
      (row) => String(row.invoiceNumber),
    ),
  };
}

export type LegacyLoaders = ReturnType<typeof createLoaders>;
