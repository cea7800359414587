import type DataLoader from 'dataloader';
import type { Repo } from '../../src/repo/repo.js';
import { splitPrefixed } from '../../src/subgraph-kit/columns.js';
import { groupLoader, groupLoaderWithArgs, rowLoader } from '../../src/subgraph-kit/loaders.js';
import type { SubgraphRequest } from '../../src/subgraph-kit/subgraph.js';
import * as sql from './sql.js';

/** Made per request. Keys are legacy customer codes and invoice numbers (as strings). */
export function createLoaders(repo: Repo, { canSee }: Pick<SubgraphRequest, 'canSee'>) {
  const statements = sql.statementsFor(canSee);
  const linesByInvoice = groupLoader(
    (numbers) => repo.read<sql.InvoiceLineRow>(statements.linesByInvoices, [numbers.map(Number)]),
    (row) => String(row.invoiceNumber),
  );
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
    /** The same invoices read with their lines in one statement (join-ahead), which prime `linesByInvoice`. */
    invoicesWithLinesByCustomer: groupLoaderWithArgs(
      async (codes, { status }: { status: sql.LegacyStatus | null }) => {
        const rows =
          status === null
            ? await repo.read<Record<string, unknown>>(statements.invoicesWithLinesByCustomers, [codes])
            : await repo.read<Record<string, unknown>>(statements.invoicesWithLinesByCustomersAndStatus, [codes, status]);
        return invoicesPrimingLines(rows, linesByInvoice);
      },
      (row) => row.customerCode,
    ),
    linesByInvoice,
  };
}

/** The invoices of joined rows (ordered by invoice), each once; their lines go to the lines' loader. */
function invoicesPrimingLines(rows: readonly Record<string, unknown>[], linesByInvoice: DataLoader<string, sql.InvoiceLineRow[]>): sql.InvoiceRow[] {
  const byNumber = new Map<number, { invoice: sql.InvoiceRow; lines: sql.InvoiceLineRow[] }>();
  for (const row of rows) {
    const [invoice, line] = splitPrefixed<sql.InvoiceRow, sql.InvoiceLineRow>(row, 'line', 'lineNo');
    const entry = byNumber.get(invoice.number) ?? { invoice, lines: [] };
    byNumber.set(invoice.number, entry);
    if (line) entry.lines.push(line);
  }
  for (const [number, entry] of byNumber) linesByInvoice.prime(String(number), entry.lines);
  return [...byNumber.values()].map((entry) => entry.invoice);
}

export type LegacyLoaders = ReturnType<typeof createLoaders>;
