/** The figures a run prints at its end: per source and month, then overall (what the benchmark quotes). */
import type { MonthKey } from './months.js';
import type { LedgerState, MoveStep } from './plan.js';

export interface MonthResult {
  source: string;
  table: string;
  month: MonthKey;
  step: MoveStep;
  rows: number;
  /** The COPY alone; absent when this run copied nothing (a resumed month). */
  copySeconds?: number;
  /** Everything this run did for the month, the settle wait included. */
  seconds: number;
  /** Of `seconds`, the wait after publishing the horizon. */
  settleSeconds: number;
  /** Where the month ended up; `failed` when its source stopped at it. */
  state: LedgerState | 'failed';
}

export interface RunTotals {
  rowsMoved: number;
  wallSeconds: number;
  settleSeconds: number;
  nodeCpuSeconds: number;
  /** The PostgreSQL backends of the run's sessions; undefined when one is not on this host. */
  backendCpuSeconds: number | undefined;
}

const number = (value: number, digits = 0) => value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const perSecond = (rows: number, seconds: number | undefined) => (seconds && seconds > 0 ? number(Math.round(rows / seconds)) : '-');

export function formatReport(results: readonly MonthResult[]): string[] {
  const header = ['source', 'table', 'month', 'step', 'rows', 'copy s', 'copy rows/s', 'total s', 'state'];
  const rows = results.map((r) => [
    r.source, r.table, r.month, r.step, number(r.rows),
    r.copySeconds === undefined ? '-' : number(r.copySeconds, 2), perSecond(r.rows, r.copySeconds), number(r.seconds, 2), r.state,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  // Text columns to the left, figures to the right.
  const numeric = new Set([4, 5, 6, 7]);
  const line = (cells: string[]) => cells.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

export function formatTotals(totals: RunTotals): string {
  const { rowsMoved, wallSeconds, settleSeconds, nodeCpuSeconds, backendCpuSeconds } = totals;
  const working = wallSeconds - settleSeconds;
  const cpu = nodeCpuSeconds + (backendCpuSeconds ?? 0);
  const cpuText = backendCpuSeconds === undefined
    ? `${perSecond(rowsMoved, nodeCpuSeconds)} rows per CPU-second of node alone (${number(nodeCpuSeconds, 2)} s; the backends are not on this host)`
    : `${perSecond(rowsMoved, cpu)} rows per CPU-second (node ${number(nodeCpuSeconds, 2)} s + backends ${number(backendCpuSeconds, 2)} s)`;
  return `moved ${number(rowsMoved)} rows in ${number(wallSeconds, 1)} s: ${perSecond(rowsMoved, wallSeconds)} rows/s, ` +
    `${perSecond(rowsMoved, working)} rows/s without the ${number(settleSeconds, 1)} s of settle waits; ${cpuText}`;
}
