/** Billing writes: marking an invoice paid, in one transaction, refusing void invoices. */
import { BadUserInputError } from '../../src/subgraph-kit/errors.js';
import type { LegacyContext } from './resolvers.js';
import * as sql from './sql.js';

/** INV_NO is an INT: anything else names no invoice. */
export const isInvoiceNumber = (value: string) => /^\d{1,9}$/.test(value);

export async function markInvoicePaid(_root: unknown, { number }: { number: string }, { legacy }: LegacyContext): Promise<sql.InvoiceRow> {
  if (!isInvoiceNumber(number)) throw new BadUserInputError('Argument "number" is not an invoice number.', 'number');
  const customers = await legacy.customerCodes();
  await legacy.repo.transaction(async (tx) => {
    const [invoice] = await tx.query<{ customerCode: string; status: sql.LegacyStatus }>(sql.invoiceStatusForUpdate, [Number(number)]);
    if (!invoice || !customers.has(invoice.customerCode)) throw new BadUserInputError(`Invoice ${number} does not exist.`, 'number');
    if (invoice.status === 'V') throw new BadUserInputError(`Invoice ${number} is void and cannot be paid.`, 'number');
    if (invoice.status === 'O') await tx.query(sql.markInvoicePaid, [Number(number)]);
  });
  legacy.loaders.invoiceByNumber.clear(String(Number(number)));
  return legacy.loaders.invoiceByNumber.load(String(Number(number)));
}
