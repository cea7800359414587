/** A month whose two sides disagree: its source stops there, and nothing of it is deleted. */
import { describeFigures, type Figures } from './figures.js';
import type { MonthKey } from './months.js';

export class MoveMismatchError extends Error {
  override name = 'MoveMismatchError';

  constructor(
    readonly source: string,
    readonly table: string,
    readonly month: MonthKey,
    sideA: string,
    readonly figuresA: Figures,
    sideB: string,
    readonly figuresB: Figures,
  ) {
    super(
      `${source} ${table} ${month}: verification failed: ${sideA} has ${describeFigures(figuresA)}; ${sideB} has ${describeFigures(figuresB)}. ` +
        `Nothing was deleted from the source; the month stays in training's move_ledger as it was. Find the difference; to copy the month again, ` +
        `delete its rows from training's ${table} and its move_ledger row, then rerun.`,
    );
  }
}

/** The end of a run in which some source stopped early; the report above it says how far each got. */
export class MoveFailedError extends Error {
  override name = 'MoveFailedError';
}
