/**
 * What verifies a moved month: its row count and an order-independent checksum of every row,
 * computed by the same SQL on both sides. Each row's text (ROW(…)::text) is hashed; the first 64
 * bits of the md5, read as a signed bigint, are summed as numeric, which cannot overflow and
 * does not depend on the order a scan returns rows in. A changed, missing or extra row changes
 * the sum (a collision needs 64-bit luck), a duplicated one changes the count.
 *
 * Row texts are the same on both clusters only with the same TimeZone, DateStyle and
 * extra_float_digits (timestamps and floats print by them): session.ts pins all three.
 */
import pg from 'pg';

export interface Figures {
  rows: number;
  /** A numeric, as the server prints it (exact; may exceed 2^53). */
  checksum: string;
}

export const noRows: Figures = { rows: 0, checksum: '0' };

/**
 * Count and checksum of what `rowsSql` yields: a SELECT, or a DELETE … RETURNING (a CTE can
 * hold either), whose output columns are named `columns`.
 */
export function figuresSql(columns: readonly string[], rowsSql: string): string {
  const row = columns.map((column) => pg.escapeIdentifier(column)).join(', ');
  return `WITH month_rows AS (${rowsSql})
    SELECT count(*) AS rows, coalesce(sum(('x' || left(md5(ROW(${row})::text), 16))::bit(64)::bigint), 0) AS checksum
    FROM month_rows`;
}

export async function queryFigures(client: pg.ClientBase, sql: string): Promise<Figures> {
  const { rows } = await client.query<{ rows: string; checksum: string }>(sql);
  return { rows: Number(rows[0]!.rows), checksum: String(rows[0]!.checksum) };
}

export function sameFigures(a: Figures, b: Figures): boolean {
  return a.rows === b.rows && a.checksum === b.checksum;
}

export function describeFigures(figures: Figures): string {
  return `${figures.rows.toLocaleString('en')} rows, checksum ${figures.checksum}`;
}
