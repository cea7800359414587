/**
 * The active repos' horizon. Once `npm run move` has moved a month to the training repo, the
 * active table starts at `archive_horizon.moved_before`; a window reaching before it must not
 * come back silently short. Each windowed statement reads the horizon in the same round trip
 * (`withHorizon`), and the batch that ran it (`acrossHorizon`) either adds the older part from
 * the archive, for a class that may read it, or refuses the window naming the horizon.
 */
import { BadUserInputError } from '../errors.js';
import type { TimeWindow } from './arguments.js';
import type { ArchiveReader, ArchiveWindow } from './request-facts.js';

/** The SQL expression of the horizon inside a `withHorizon` statement: -infinity before any move. */
export const horizonAt = `coalesce((SELECT at FROM horizon), '-infinity')`;

/** The statement reading `table`'s horizon, for a `WITH horizon AS (…)` of a statement that uses `horizonAt`. */
export const horizonOf = (table: string) => `SELECT max(moved_before) AS at FROM archive_horizon WHERE table_name = '${table}'`;

/**
 * `statement` (which may filter on `horizonAt`) with the horizon of `table` in a leading column,
 * `"movedBefore"`: one row with nulls but that column when the statement finds nothing, so the
 * horizon is known for every batch. `orderBy` repeats the statement's order over its columns.
 */
export function withHorizon(table: string, statement: string, orderBy: string): string {
  return `
    WITH horizon AS (${horizonOf(table)})
    SELECT horizon.at AS "movedBefore", rows.*
    FROM horizon LEFT JOIN LATERAL (${statement}) rows ON true
    ORDER BY ${orderBy}`;
}

export interface HorizonRow {
  movedBefore: Date | null;
}

export interface AcrossHorizon<R> {
  /** What the statement returned: the horizon, and the active rows (or one empty row). */
  rows: readonly (R & HorizonRow)[];
  /** Whether a row is a real one (not the placeholder of an empty result). */
  isRow(row: R): boolean;
  window: TimeWindow;
  /** Named in the refusal: "fixes", "time entries". */
  what: string;
  /** null: this request may not read the archive, so a window reaching before the horizon is refused. */
  archive(): Promise<ArchiveReader | null>;
  /** The archived part of the window, in the statement's order per key. */
  older(archive: ArchiveReader, window: ArchiveWindow): Promise<R[]>;
}

/** Whether `window` starts before the horizon (null: nothing moved yet), so part of it is in the archive. */
export function reachesBeforeHorizon(window: TimeWindow, horizon: Date | null): horizon is Date {
  return horizon !== null && window.from < horizon;
}

/** The rows of a window, the archive's first where it reaches before the horizon. */
export async function acrossHorizon<R>({ rows, isRow, window, what, archive, older }: AcrossHorizon<R>): Promise<R[]> {
  const active = rows.filter(isRow);
  const horizon = rows[0]?.movedBefore ?? null;
  if (!reachesBeforeHorizon(window, horizon)) return active;
  const reader = await archive();
  if (!reader) {
    throw new BadUserInputError(
      `Argument "from" reaches before ${horizon.toISOString()}, where the active ${what} begin; older ${what} were moved to the training repo, which this client class does not read.`,
      'from',
      { horizon: horizon.toISOString() },
    );
  }
  // Older first: per key, grouping keeps this order, so each key's rows stay in time order.
  return [...(await older(reader, { ...window, before: horizon })), ...active];
}

/**
 * A write behind the horizon: its month was moved to training, so an active row there would
 * never be read again. Refused; nothing of the call is stored.
 */
export function behindHorizon(what: string, argumentName: string, horizon: Date): BadUserInputError {
  return new BadUserInputError(
    `Argument "${argumentName}": ${what} before ${horizon.toISOString()}, where the active history begins (older months were moved to the training repo); nothing was stored.`,
    argumentName,
    { horizon: horizon.toISOString() },
  );
}
