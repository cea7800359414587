/** What each field of this subgraph reads and who may not see it (see subgraphs/main/fields.ts). */
import type { FieldAccess } from '../../src/subgraph-kit/subgraph.js';

export const fields: Record<string, FieldAccess> = {
  'Company.legacyCustomerName': { columns: ['CUST_MASTER.CUST_CD', 'CUST_MASTER.CUST_NM'] },
  'Company.openBalanceCents': { columns: ['INV_HDR.CUST_CD', 'INV_HDR.STAT', 'INV_HDR.TOT_AMT'] },
  'Company.invoices': { columns: ['INV_HDR.INV_NO', 'INV_HDR.CUST_CD', 'INV_HDR.INV_DT', 'INV_HDR.DUE_DT', 'INV_HDR.STAT', 'INV_HDR.TOT_AMT'] },
  'Query.invoice': { columns: ['INV_HDR.INV_NO', 'INV_HDR.CUST_CD'] },
  // Invoice lines are billing detail services have no business with.
  'Invoice.lines': { columns: ['INV_LINE.INV_NO', 'INV_LINE.LINE_NO', 'INV_LINE.DESCR', 'INV_LINE.QTY', 'INV_LINE.UNIT_PRC'], hiddenFrom: ['api'] },
  // Marking paid is for operators only.
  'Mutation.markInvoicePaid': { hiddenFrom: ['interactive', 'api'] },
};
