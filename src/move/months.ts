/**
 * Months as the mover counts them: calendar months in UTC, written `YYYY-MM`. UTC because the
 * partitions of both repos are cut at UTC month starts (ensure_position_partitions,
 * ensure_training_partition); the text form sorts like time and keys maps.
 */

/** A month, `YYYY-MM` (UTC). */
export type MonthKey = string;

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonthKey(value: string): value is MonthKey {
  return monthPattern.test(value);
}

function parts(month: MonthKey): [number, number] {
  const match = monthPattern.exec(month);
  if (!match) throw new TypeError(`not a month (YYYY-MM): ${month}`);
  return [Number(match[1]), Number(match[2])];
}

/** The month holding `instant`. */
export function monthOf(instant: Date): MonthKey {
  return `${String(instant.getUTCFullYear()).padStart(4, '0')}-${String(instant.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Its first instant. */
export function monthStart(month: MonthKey): Date {
  const [year, number] = parts(month);
  return new Date(Date.UTC(year, number - 1, 1));
}

/** The first instant after it (the next month's start): ranges are [start, end). */
export function monthEnd(month: MonthKey): Date {
  const [year, number] = parts(month);
  return new Date(Date.UTC(year, number, 1));
}

export function nextMonth(month: MonthKey): MonthKey {
  return monthOf(monthEnd(month));
}

/** move_ledger.month is a date: the month's first day. */
export function ledgerDate(month: MonthKey): string {
  return `${month}-01`;
}

/** The partition a month has in either repo (ensure_position_partitions / ensure_training_partition name them so). */
export function partitionName(table: string, month: MonthKey): string {
  return `${table}_${month.replace('-', '_')}`;
}

/**
 * The month a range partition covers, from its bound as pg_get_expr prints it under
 * TimeZone UTC (`FOR VALUES FROM ('2024-11-01 00:00:00+00') TO ('2024-12-01 00:00:00+00')`);
 * undefined when it is not exactly one calendar month (DEFAULT, MINVALUE, a custom range), which
 * the mover then leaves alone rather than guess.
 */
export function partitionMonth(bound: string): MonthKey | undefined {
  const instant = String.raw`'(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.0+)?\+00'`;
  const match = new RegExp(`^FOR VALUES FROM \\(${instant}\\) TO \\(${instant}\\)$`).exec(bound.trim());
  if (!match) return undefined;
  const [from, to] = [match.slice(1, 7), match.slice(7, 13)].map(([y, m, d, hh, mm, ss]) => new Date(Date.UTC(Number(y), Number(m) - 1, Number(d), Number(hh), Number(mm), Number(ss))));
  const month = monthOf(from!);
  return monthStart(month).getTime() === from!.getTime() && monthEnd(month).getTime() === to!.getTime() ? month : undefined;
}
