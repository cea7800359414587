import { perClass, prefixed, select, type CanSee, type Column } from '../../src/subgraph-kit/columns.js';

/**
 * Every statement of the legacy subgraph (MySQL placeholders; mysql2 expands an array bound to
 * `IN (?)`). Legacy columns are aliased to readable names here and nowhere else.
 */
export type LegacyStatus = 'O' | 'P' | 'V';

export interface InvoiceRow {
  number: number;
  customerCode: string;
  issuedOn: string;
  /** 'YYYY-MM-DD', or '0000-00-00' where the legacy system stored no date. */
  dueOn: string;
  status: LegacyStatus;
  /** DECIMAL(12,2) as a string, e.g. '1234.50'. */
  total: string;
}

export interface InvoiceLineRow {
  invoiceNumber: number;
  lineNo: number;
  description: string;
  quantity: string;
  unitPrice: string;
}

/** Each class's select lists follow the field declarations (src/subgraph-kit/columns.ts). */
const invoiceColumns: readonly Column[] = [
  { sql: 'INV_NO', as: 'number' },
  { sql: 'CUST_CD', as: 'customerCode' },
  { sql: 'INV_DT', as: 'issuedOn', field: 'Invoice.issuedOn' },
  { sql: 'DUE_DT', as: 'dueOn', field: 'Invoice.dueOn' },
  { sql: 'STAT', as: 'status', field: 'Invoice.status' },
  { sql: 'TOT_AMT', as: 'total', field: 'Invoice.totalCents' },
];

const lineColumns: readonly Column[] = [
  { sql: 'INV_NO', as: 'invoiceNumber' },
  { sql: 'LINE_NO', as: 'lineNo' },
  { sql: 'DESCR', as: 'description', field: 'InvoiceLine.description' },
  { sql: 'QTY', as: 'quantity', field: 'InvoiceLine.quantity' },
  { sql: 'UNIT_PRC', as: 'unitPrice', field: 'InvoiceLine.unitPriceCents' },
];

export interface CustomerRow {
  code: string;
  name: string;
  /** Sum of the OPEN invoices, DECIMAL as a string ('0.00' when none). */
  openBalance: string;
}

const customerColumns: readonly Column[] = [
  { sql: 'c.CUST_CD', as: 'code' },
  { sql: 'c.CUST_NM', as: 'name', field: 'Company.legacyCustomerName' },
  {
    sql: "COALESCE((SELECT SUM(h.TOT_AMT) FROM INV_HDR h WHERE h.CUST_CD = c.CUST_CD AND h.STAT = 'O'), 0)",
    as: 'openBalance',
    field: 'Company.openBalanceCents',
  },
];

/** Columns named by their table's alias in a join (plain column names only: an expression would need its own). */
const qualified = (columns: readonly Column[], table: string): Column[] => columns.map((column) => ({ ...column, sql: `${table}.${column.sql}` }));

/**
 * A customer's invoices with their lines in one statement (join-ahead, when the selection goes on
 * to `lines`): each line's columns named `line.<name>` beside its invoice's, an invoice without
 * lines once with NULLs there. A join rather than JSON_ARRAYAGG: MySQL's cannot order the array.
 */
const invoicesWithLines = (canSee: CanSee, byStatus: boolean) => `
  SELECT ${select(qualified(invoiceColumns, 'h'), canSee, 'mysql')}, ${select(prefixed(qualified(lineColumns, 'l'), 'line'), canSee, 'mysql')}
  FROM INV_HDR h LEFT JOIN INV_LINE l ON l.INV_NO = h.INV_NO
  WHERE h.CUST_CD IN (?)${byStatus ? ' AND h.STAT = ?' : ''}
  ORDER BY h.INV_NO, l.LINE_NO`;

/** The statements of a class, built once per class. */
export const statementsFor = perClass((canSee: CanSee) => {
  const invoices = select(invoiceColumns, canSee, 'mysql');
  return {
    invoicesByNumbers: `SELECT ${invoices} FROM INV_HDR WHERE INV_NO IN (?)`,

    invoicesByCustomers: `SELECT ${invoices} FROM INV_HDR WHERE CUST_CD IN (?) ORDER BY INV_NO`,

    invoicesByCustomersAndStatus: `SELECT ${invoices} FROM INV_HDR WHERE CUST_CD IN (?) AND STAT = ? ORDER BY INV_NO`,

    invoicesWithLinesByCustomers: invoicesWithLines(canSee, false),

    invoicesWithLinesByCustomersAndStatus: invoicesWithLines(canSee, true),

    linesByInvoices: `SELECT ${select(lineColumns, canSee, 'mysql')} FROM INV_LINE WHERE INV_NO IN (?) ORDER BY INV_NO, LINE_NO`,

    /** A customer with its open balance: one statement serves both Company.legacyCustomerName and openBalanceCents. */
    customersByCodes: `SELECT ${select(customerColumns, canSee, 'mysql')} FROM CUST_MASTER c WHERE c.CUST_CD IN (?)`,
  };
});

/** The invoice's status, locked until the transaction ends. */
export const invoiceStatusForUpdate = `SELECT CUST_CD AS customerCode, STAT AS status FROM INV_HDR WHERE INV_NO = ? FOR UPDATE`;

export const markInvoicePaid = `UPDATE INV_HDR SET STAT = 'P' WHERE INV_NO = ?`;
