/**
 * One month of one source, from the step the plan resumes at to `dropped`:
 *
 *   copy      (a) rows + ledger `copied` in one training transaction (copy-month.ts)
 *   verify    (b) count and checksum of the source month against training's → ledger `verified`
 *   publish   (c) archive_horizon in the source moves past the month: readers go to training;
 *                 then a settle wait, so statements planned under the old horizon finish
 *   drop      (d) the month leaves the source, only if it is still exactly what was verified
 *                 → ledger `dropped`
 *
 * Every step may be repeated after a kill (the horizon only ever grows, the drop looks at the
 * state first), and nothing is deleted before a verification in this run has passed.
 */
import type pg from 'pg';
import type { MoveOptions } from './args.js';
import { copyMonth, trainingRows } from './copy-month.js';
import { crash, type CrashHook } from './crash-hook.js';
import { describeFigures, figuresSql, noRows, queryFigures, sameFigures, type Figures } from './figures.js';
import { setLedgerState } from './ledger.js';
import { MoveMismatchError } from './move-error.js';
import { monthEnd } from './months.js';
import type { MoveSource } from './moved-tables.js';
import type { PlannedMonth } from './plan.js';
import type { MoveProgress } from './progress.js';
import type { MonthResult } from './report.js';

export interface MonthContext {
  source: MoveSource;
  clients: { source: pg.Client; training: pg.Client };
  options: MoveOptions;
  crash: CrashHook;
  progress: MoveProgress;
}

/** The test hook's mid-copy: the stream is held with rows in flight, and the process dies shortly after. */
const MID_COPY_DELAY_MS = 200;

const seconds = (since: number) => (performance.now() - since) / 1000;
const rate = (rows: number, s: number) => (s > 0 ? `${Math.round(rows / s).toLocaleString('en')} rows/s` : '-');

/** The planner's estimate of a month's rows, for the progress bar's length. */
async function estimateRows(client: pg.ClientBase, sql: string): Promise<number | undefined> {
  const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(`EXPLAIN (FORMAT JSON) ${sql}`);
  return rows[0]?.['QUERY PLAN'][0].Plan['Plan Rows'];
}

export async function moveMonth(context: MonthContext, planned: PlannedMonth): Promise<MonthResult> {
  const { source, clients, options, crash: hook, progress } = context;
  const { table } = source;
  const { month, source: held } = planned;
  const label = `${source.name} ${table.table} ${month}`;
  const started = performance.now();
  hook.startMonth(source.name, month);
  const mismatch = (sideA: string, a: Figures, sideB: string, b: Figures) => new MoveMismatchError(source.name, table.table, month, sideA, a, sideB, b);
  const sourceFigures = () => (held ? queryFigures(clients.source, figuresSql(table.columns, table.sourceRows(source, held))) : Promise.resolve(noRows));
  const trainingFigures = () => queryFigures(clients.training, figuresSql(table.columns, trainingRows(source, month)));

  let verified: Figures;
  let copySeconds: number | undefined;
  if (planned.step === 'copy') {
    hook.at('before-copy', source.name, month);
    progress.copyStarted(label, progress.wantsEstimates ? await estimateRows(clients.source, table.sourceRows(source, held!)) : undefined);
    let copied;
    try {
      const holdMidCopy = hook.armed('mid-copy', source.name, month)
        ? (rows: number) => void setTimeout(() => crash('mid-copy', `${rows} rows streamed, not committed`), MID_COPY_DELAY_MS)
        : undefined;
      copied = await copyMonth(source, held!, clients, (rows) => progress.copyRows(rows), holdMidCopy);
    } finally {
      progress.copyDone();
    }
    copySeconds = copied.copySeconds;
    progress.log(`  ${label}: copied ${copied.figures.rows.toLocaleString('en')} rows in ${copySeconds.toFixed(2)} s (${rate(copied.figures.rows, copySeconds)})`);
    hook.at('after-copy', source.name, month);
    // Both read by copyMonth: training's in the copy's transaction, of what it committed.
    if (!sameFigures(copied.sourceFigures, copied.figures)) throw mismatch('the source', copied.sourceFigures, 'training', copied.figures);
    verified = copied.figures;
    await setLedgerState(clients.training, source, month, 'verified', verified);
    hook.at('after-verify', source.name, month);
  } else if (planned.step === 'verify') {
    // Left copied or verified by an earlier run: either side may have changed since, so both are read again.
    const [fromSource, inTraining] = await Promise.all([sourceFigures(), trainingFigures()]);
    if (!sameFigures(fromSource, inTraining)) throw mismatch('the source', fromSource, 'training', inTraining);
    verified = inTraining;
    await setLedgerState(clients.training, source, month, 'verified', verified);
    hook.at('after-verify', source.name, month);
  } else {
    // Killed after the drop, before the ledger said so: the source has nothing left to compare
    // with, so training must still hold what was verified.
    const inTraining = await trainingFigures();
    if (!sameFigures(inTraining, planned.ledger!)) throw mismatch('training', inTraining, 'the ledger (verified before the source month was dropped)', planned.ledger!);
    verified = inTraining;
  }

  await clients.source.query(
    `INSERT INTO archive_horizon (table_name, moved_before) VALUES ($1, $2)
     ON CONFLICT (table_name) DO UPDATE SET moved_before = greatest(archive_horizon.moved_before, excluded.moved_before)`,
    [table.table, monthEnd(month)],
  );
  const settleStarted = performance.now();
  // An empty month has nothing a statement planned under the old horizon could miss: no wait.
  if (held && verified.rows > 0 && options.settleMs > 0) await new Promise((resolve) => setTimeout(resolve, options.settleMs));
  const settleSeconds = seconds(settleStarted);

  if (held) {
    await table.drop(clients.source, source, held, verified, {
      ...options,
      dropStarted: (work) => hook.during('mid-drop', source.name, month, work),
      log: (line) => progress.log(`  ${line}`),
    });
  }
  await setLedgerState(clients.training, source, month, 'dropped', verified);
  const total = seconds(started);
  progress.log(`  ${label}: ${planned.step === 'copy' ? '' : `resumed (${planned.step}), `}verified ${describeFigures(verified)}; horizon ${monthEnd(month).toISOString().slice(0, 10)}; dropped from the source (${total.toFixed(2)} s)`);
  return { source: source.name, table: table.table, month, step: planned.step, rows: verified.rows, ...(copySeconds !== undefined && { copySeconds }), seconds: total, settleSeconds, state: 'dropped' };
}
