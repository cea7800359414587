import type { IResolvers } from '@graphql-tools/utils';
import { loadOrNull } from '../../src/subgraph-kit/loaders.js';
import { asksFor } from '../../src/subgraph-kit/lookahead.js';
import { scalarResolvers } from '../../src/subgraph-kit/scalars.js';
import type { RequestScope, SubgraphScope } from '../../src/subgraph-kit/context.js';
import type { LegacyLoaders } from './loaders.js';
import { decimalToCents } from './money.js';
import { isInvoiceNumber, markInvoicePaid } from './mutations.js';
import type * as sql from './sql.js';

export interface LegacyContext {
  legacy: SubgraphScope<LegacyLoaders> & {
    /**
     * The customer codes of the request's tenant's companies (a fact the companies' subgraph
     * provides). The legacy system is shared and knows no tenants: its customers are reached only
     * through the tenant's companies.
     */
    customerCodes(): Promise<ReadonlySet<string>>;
  };
}

/** A company as legacy knows it: its customer code, if any. */
interface CompanyRef {
  legacyCustomerCode: string | null;
}

const ZERO_DATE = '0000-00-00';

export const resolvers: IResolvers<unknown, LegacyContext & RequestScope> = {
  Date: scalarResolvers.Date,
  SafeInt: scalarResolvers.SafeInt,
  // The enum's internal values are the legacy STAT codes: arguments arrive as 'O' | 'P' | 'V'.
  InvoiceStatus: { OPEN: 'O', PAID: 'P', VOID: 'V' },
  Query: {
    async invoice(_root, { number }: { number: string }, { legacy }) {
      if (!isInvoiceNumber(number)) return null;
      const invoice = await loadOrNull(legacy.loaders.invoiceByNumber, String(Number(number)));
      return invoice && (await legacy.customerCodes()).has(invoice.customerCode) ? invoice : null;
    },
    async _companiesByLegacyRefs(_root, { refs }: { refs: CompanyRef[] }, { legacy, entityKeysFromCaller }) {
      if (!entityKeysFromCaller) return refs;
      // Served as its own service, a key may name any tenant's customer: only the tenant's are answered.
      const codes = await legacy.customerCodes();
      return refs.map((ref) => (ref.legacyCustomerCode === null || codes.has(ref.legacyCustomerCode) ? ref : null));
    },
  },
  Mutation: {
    markInvoicePaid,
  },
  Company: {
    async legacyCustomerName(company: CompanyRef, _args: unknown, { legacy }) {
      if (!company.legacyCustomerCode) return null;
      return (await loadOrNull(legacy.loaders.customerByCode, company.legacyCustomerCode))?.name ?? null;
    },
    invoices(company: CompanyRef, { status }: { status?: sql.LegacyStatus | null }, { legacy }, info) {
      if (!company.legacyCustomerCode) return [];
      // Asked with their lines, the invoices bring them in the same statement (join-ahead).
      const loader = asksFor(info, 'lines') ? legacy.loaders.invoicesWithLinesByCustomer : legacy.loaders.invoicesByCustomer;
      return loader.load({ key: company.legacyCustomerCode, args: { status: status ?? null } });
    },
    async openBalanceCents(company: CompanyRef, _args: unknown, { legacy }) {
      if (!company.legacyCustomerCode) return 0;
      const customer = await loadOrNull(legacy.loaders.customerByCode, company.legacyCustomerCode);
      return customer ? decimalToCents(customer.openBalance) : 0;
    },
  },
  Invoice: {
    company: (invoice: sql.InvoiceRow): CompanyRef => ({ legacyCustomerCode: invoice.customerCode }),
    dueOn: (invoice: sql.InvoiceRow) => (invoice.dueOn === ZERO_DATE ? null : invoice.dueOn),
    totalCents: (invoice: sql.InvoiceRow) => decimalToCents(invoice.total),
    lines: (invoice: sql.InvoiceRow, _args: unknown, { legacy }) => legacy.loaders.linesByInvoice.load(String(invoice.number)),
  },
  InvoiceLine: {
    quantity: (line: sql.InvoiceLineRow) => Number(line.quantity),
    unitPriceCents: (line: sql.InvoiceLineRow) => decimalToCents(line.unitPrice),
  },
};
