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

const invoiceColumns = `INV_NO AS number, CUST_CD AS customerCode, INV_DT AS issuedOn, DUE_DT AS dueOn,
  STAT AS status, TOT_AMT AS total`;

export const invoicesByNumbers = `SELECT ${invoiceColumns} FROM INV_HDR WHERE INV_NO IN (?)`;

export const invoicesByCustomers = `SELECT ${invoiceColumns} FROM INV_HDR WHERE CUST_CD IN (?) ORDER BY INV_NO`;

export const invoicesByCustomersAndStatus = `
  SELECT ${invoiceColumns} FROM INV_HDR WHERE CUST_CD IN (?) AND STAT = ? ORDER BY INV_NO`;

export const linesByInvoices = `
  SELECT INV_NO AS invoiceNumber, LINE_NO AS lineNo, DESCR AS description, QTY AS quantity, UNIT_PRC AS unitPrice
  FROM INV_LINE WHERE INV_NO IN (?) ORDER BY INV_NO, LINE_NO`;

export interface CustomerRow {
  code: string;
  name: string;
  /** Sum of the OPEN invoices, DECIMAL as a string ('0.00' when none). */
  openBalance: string;
}

/** A customer with its open balance: one statement serves both Company.legacyCustomerName and openBalanceCents. */
export const customersByCodes = `
  SELECT c.CUST_CD AS code, c.CUST_NM AS name,
         COALESCE((SELECT SUM(h.TOT_AMT) FROM INV_HDR h WHERE h.CUST_CD = c.CUST_CD AND h.STAT = 'O'), 0) AS openBalance
  FROM CUST_MASTER c WHERE c.CUST_CD IN (?)`;

/** The invoice's status, locked until the transaction ends. */
export const invoiceStatusForUpdate = `SELECT CUST_CD AS customerCode, STAT AS status FROM INV_HDR WHERE INV_NO = ? FOR UPDATE`;

export const markInvoicePaid = `UPDATE INV_HDR SET STAT = 'P' WHERE INV_NO = ?`;
