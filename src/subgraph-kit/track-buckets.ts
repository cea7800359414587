/**
 * Downsampled tracks: the window [from, to] cut into `maxPoints` equal buckets, the first fix of
 * each bucket kept. The same rule in SQL (each repo downsamples its part) and in JS (the parts
 * of a window that crosses the active horizon meet in one bucket at most, kept once).
 */

/** The bucket of `column` as SQL; the fix at exactly `to` falls into the last bucket. */
export function trackBucket(column: string, from: string, to: string, maxPoints: string): string {
  return `least(floor(extract(epoch FROM ${column} - ${from}) / nullif(extract(epoch FROM ${to}::timestamptz - ${from}), 0) * ${maxPoints}), ${maxPoints} - 1)`;
}

function bucketOf(at: Date, from: Date, to: Date, maxPoints: number): number {
  const span = to.getTime() - from.getTime();
  if (span === 0) return 0;
  return Math.min(Math.floor(((at.getTime() - from.getTime()) / span) * maxPoints), maxPoints - 1);
}

/** Keeps the first fix per (key, bucket) of rows in (key, time) order. */
export function firstPerBucket<R extends { recordedAt: Date }>(
  rows: readonly R[],
  keyOf: (row: R) => string,
  window: { from: Date; to: Date; maxPoints: number },
): R[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const bucket = `${keyOf(row)}|${bucketOf(row.recordedAt, window.from, window.to, window.maxPoints)}`;
    if (seen.has(bucket)) return false;
    seen.add(bucket);
    return true;
  });
}
