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

export const customersByCodes = `SELECT CUST_CD AS code, CUST_NM AS name FROM CUST_MASTER WHERE CUST_CD IN (?)`;

export const openBalancesByCustomers = `
  SELECT CUST_CD AS customerCode, SUM(TOT_AMT) AS balance
  FROM INV_HDR WHERE STAT = 'O' AND CUST_CD IN (?) GROUP BY CUST_CD`;
