/**
 * What to do with each month of one source, from training's ledger and what the source still
 * holds. A rerun after a kill at any step lands here: the ledger says how far the month got
 * (each state is written in the same transaction as the work it records, or after it), the
 * source says whether the drop happened, and the pair decides the step to resume at.
 *
 *   ledger    source holds the month   step
 *   (none)    yes                      copy    copy, verify, publish the horizon, drop
 *   copied    yes or no                verify  verify again (a gone source fails it), then on
 *   verified  yes                      verify  verify again: the source may have changed since
 *   verified  no                       finish  killed after the drop: training must still match
 *                                              the ledger; publish the horizon, mark dropped
 *   dropped   -                        -       done (rows there again are reported, not moved)
 */
import type { Figures } from './figures.js';
import type { MonthKey } from './months.js';

export const ledgerStates = ['copied', 'verified', 'dropped'] as const;
export type LedgerState = (typeof ledgerStates)[number];

export interface LedgerEntry extends Figures {
  month: MonthKey;
  state: LedgerState;
}

/** A month the source still holds: rows, or (telemetry) its partition, attached or not. */
export interface SourceMonth {
  month: MonthKey;
  /** The table holding it, when it is a partition of its own. */
  relation?: string;
}

export const moveSteps = ['copy', 'verify', 'finish'] as const;
export type MoveStep = (typeof moveSteps)[number];

export interface PlannedMonth {
  month: MonthKey;
  step: MoveStep;
  /** Where the source holds it; absent when the source no longer does. */
  source?: SourceMonth;
  ledger?: LedgerEntry;
}

export interface SourcePlan {
  /** Oldest first: the horizon only ever advances over months that are done. */
  months: PlannedMonth[];
  warnings: string[];
}

/**
 * Months before `before` that the source holds, plus every month an earlier run left in flight
 * (copied or verified), whatever the cutoff: rows of an in-flight month are in both repos, and
 * only finishing it puts them in one.
 */
export function planSource(held: readonly SourceMonth[], ledger: readonly LedgerEntry[], before: MonthKey): SourcePlan {
  const heldBy = new Map(held.map((entry) => [entry.month, entry]));
  const ledgerBy = new Map(ledger.map((entry) => [entry.month, entry]));
  const candidates = new Set([
    ...held.filter((entry) => entry.month < before).map((entry) => entry.month),
    ...ledger.filter((entry) => entry.state !== 'dropped').map((entry) => entry.month),
  ]);
  const months: PlannedMonth[] = [];
  const warnings: string[] = [];
  for (const month of [...candidates].sort()) {
    const source = heldBy.get(month);
    const entry = ledgerBy.get(month);
    const where = { ...(source && { source }), ...(entry && { ledger: entry }) };
    if (!entry) {
      months.push({ month, step: 'copy', ...where });
    } else if (entry.state === 'dropped') {
      warnings.push(`${month} was moved already (ledger: dropped), but the source holds it again: left alone; those rows are behind the horizon`);
    } else {
      if (month >= before) warnings.push(`${month} is after the cutoff but was left ${entry.state} by an earlier run: finishing it`);
      months.push({ month, step: entry.state === 'verified' && !source ? 'finish' : 'verify', ...where });
    }
  }
  return { months, warnings };
}
