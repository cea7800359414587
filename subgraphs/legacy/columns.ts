/** The columns behind each field this subgraph serves (see subgraphs/main/columns.ts). */
export const fieldColumns: Record<string, string[]> = {
  'Company.legacyCustomerName': ['CUST_MASTER.CUST_CD', 'CUST_MASTER.CUST_NM'],
  'Company.openBalanceCents': ['INV_HDR.CUST_CD', 'INV_HDR.STAT', 'INV_HDR.TOT_AMT'],
  'Company.invoices': ['INV_HDR.INV_NO', 'INV_HDR.CUST_CD', 'INV_HDR.INV_DT', 'INV_HDR.DUE_DT', 'INV_HDR.STAT', 'INV_HDR.TOT_AMT'],
  'Query.invoice': ['INV_HDR.INV_NO', 'INV_HDR.CUST_CD'],
  'Invoice.lines': ['INV_LINE.INV_NO', 'INV_LINE.LINE_NO', 'INV_LINE.DESCR', 'INV_LINE.QTY', 'INV_LINE.UNIT_PRC'],
};
