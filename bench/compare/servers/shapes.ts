/**
 * Rows to the JSON the gateway answers with, for the hand-written servers: ids as strings,
 * instants as ISO strings, money as integer cents, legacy zero dates as null.
 */
import { decimalToCents } from '../../../subgraphs/legacy/money.js';

export interface PositionRow {
  recorded_at: Date;
  lat: number;
  lon: number;
  speed_kmh?: number | null;
  heading?: number | null;
}

export const position = (row: PositionRow) => ({ recordedAt: row.recorded_at.toISOString(), latitude: row.lat, longitude: row.lon });

export const fullPosition = (row: PositionRow) => ({ ...position(row), speedKmh: row.speed_kmh ?? null, heading: row.heading ?? null });

export interface InvoiceRow {
  number: number;
  total: string;
  dueOn: string;
}

export const invoice = (row: InvoiceRow) => ({
  number: String(row.number),
  totalCents: decimalToCents(row.total),
  dueOn: row.dueOn === '0000-00-00' ? null : row.dueOn,
});

export interface LineRow {
  lineNo: number;
  description: string;
  quantity: string;
  unitPrice: string;
}

export const line = (row: LineRow) => ({
  lineNo: row.lineNo,
  description: row.description,
  quantity: Number(row.quantity),
  unitPriceCents: decimalToCents(row.unitPrice),
});

export const edges = <T>(nodes: T[]) => ({ edges: nodes.map((node) => ({ node })) });

/** Groups rows by a key, keeping the rows' order. */
export function groupBy<R, K>(rows: readonly R[], key: (row: R) => K): Map<K, R[]> {
  const groups = new Map<K, R[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
