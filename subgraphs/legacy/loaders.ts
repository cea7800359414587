import type { Repo } from '../../src/repo/repo.js';
import { groupLoader, groupLoaderWithArgs, rowLoader } from '../../src/subgraph-kit/loaders.js';
import * as sql from './sql.js';

/** Made per request. Keys are legacy customer codes and invoice numbers (as strings). */
export function createLoaders(repo: Repo) {
  return {
    customerByCode: rowLoader(
      'Customer',
      (codes) => repo.read<sql.CustomerRow>(sql.customersByCodes, [codes]),
      (row) => row.code,
    ),
    invoiceByNumber: rowLoader(
      'Invoice',
      (numbers) => repo.read<sql.InvoiceRow>(sql.invoicesByNumbers, [numbers.map(Number)]),
      (row) => String(row.number),
    ),
    invoicesByCustomer: groupLoaderWithArgs(
      (codes, { status }: { status: sql.LegacyStatus | null }) =>
        status === null
          ? repo.read<sql.InvoiceRow>(sql.invoicesByCustomers, [codes])
          : repo.read<sql.InvoiceRow>(sql.invoicesByCustomersAndStatus, [codes, status]),
      (row) => row.customerCode,
    ),
    linesByInvoice: groupLoader(
      (numbers) => repo.read<sql.InvoiceLineRow>(sql.linesByInvoices, [numbers.map(Number)]),
      (row) => String(row.invoiceNumber),
    ),
  };
}

export type LegacyLoaders = ReturnType<typeof createLoaders>;
