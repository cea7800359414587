/**
 * `npm run move`: whole months of history from the active repos into training, verified, and
 * only then dropped from their source; oldest month first per source. A source's months are
 * contiguous (the horizon is one instant per table), so a source stops at its first failure and
 * the others go on; the run then exits non-zero naming each failure.
 */
import { ConfigError, type Topology } from '../config.js';
import type { MoveOptions } from './args.js';
import { CrashHook } from './crash-hook.js';
import { readLedger } from './ledger.js';
import { MoveFailedError, MoveMismatchError } from './move-error.js';
import { moveMonth } from './move-month.js';
import { movedTables, type MoveSource } from './moved-tables.js';
import { monthStart } from './months.js';
import { planSource, type PlannedMonth } from './plan.js';
import { createProgress, type MoveProgress } from './progress.js';
import { formatReport, formatTotals, type MonthResult } from './report.js';
import { openSession, type MoveSession } from './session.js';

export interface MoveSummary {
  results: MonthResult[];
  rowsMoved: number;
}

/** Two movers on one training database would copy the same month twice (and fail on its keys). */
const moverLock = "hashtext('repogate move')";

/** CPU of the run's database backends, summed per session as it closes; undefined once one is not local. */
class BackendCpu {
  total: number | undefined = 0;

  open(session: MoveSession): () => void {
    const start = session.backendCpuSeconds();
    return () => {
      const end = session.backendCpuSeconds();
      this.total = this.total === undefined || start === undefined || end === undefined ? undefined : this.total + end - start;
    };
  }
}

async function describeDryRun(progress: MoveProgress, source: MoveSource, session: MoveSession, months: readonly PlannedMonth[]): Promise<number> {
  let total = 0;
  for (const planned of months) {
    const rows = planned.step === 'finish' || !planned.source
      ? planned.ledger?.rows ?? 0
      : Number((await session.client.query<{ rows: string }>(`SELECT count(*) AS rows FROM (${source.table.sourceRows(source, planned.source)}) month_rows`)).rows[0]!.rows);
    total += rows;
    const what = { copy: 'copy, verify, drop', verify: `verify again and drop (left ${planned.ledger?.state} by an earlier run)`, finish: 'mark dropped (the source no longer holds it)' }[planned.step];
    progress.log(`  ${planned.month}  ${rows.toLocaleString('en').padStart(12)} rows  ${what}`);
  }
  return total;
}

export async function runMove(topology: Topology, options: MoveOptions, progress?: MoveProgress): Promise<MoveSummary> {
  const trainingRepo = topology.repos.training;
  if (trainingRepo?.driver !== 'pg') throw new ConfigError('move: the topology has no PostgreSQL repo "training" to move months into');
  progress ??= await createProgress();
  const hook = new CrashHook(options.crashAt);
  const cpu = new BackendCpu();
  const nodeCpuAtStart = process.cpuUsage();
  const started = performance.now();
  progress.log(`move: months before ${monthStart(options.before).toISOString().slice(0, 10)} (${options.cutoffText})${options.dryRun ? ', dry run: nothing changes' : ''}`);

  const training = await openSession(trainingRepo.url);
  const closeTraining = cpu.open(training);
  const results: MonthResult[] = [];
  const failures: string[] = [];
  try {
    if (!options.dryRun) {
      const { rows } = await training.client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${moverLock}) AS locked`);
      if (!rows[0]!.locked) throw new Error('another move is running against this training database');
    }
    const sources = (await Promise.all(movedTables.map((table) => table.sources(topology)))).flat();
    let dryRunRows = 0;
    for (const source of sources) {
      const heading = `${source.name} ${source.table.table}`;
      let session: MoveSession | undefined;
      let closeSession = () => {};
      try {
        session = await openSession(source.url);
        closeSession = cpu.open(session);
        const ledger = await readLedger(training.client, source);
        const inFlight = ledger.filter((entry) => entry.state !== 'dropped').map((entry) => entry.month);
        const plan = planSource(await source.table.heldMonths(session.client, options.before, inFlight), ledger, options.before);
        for (const warning of plan.warnings) progress.log(`${heading}: ${warning}`);
        if (plan.months.length === 0) {
          progress.log(`${heading}: nothing to move`);
          continue;
        }
        const [first, last] = [plan.months[0]!.month, plan.months.at(-1)!.month];
        progress.log(`${heading}: ${plan.months.length} month${plan.months.length === 1 ? `, ${first}` : `s, ${first} to ${last}`}`);
        if (options.dryRun) {
          dryRunRows += await describeDryRun(progress, source, session, plan.months);
          continue;
        }
        for (const planned of plan.months) {
          const monthStarted = performance.now();
          try {
            results.push(await moveMonth({ source, clients: { source: session.client, training: training.client }, options, crash: hook, progress }, planned));
          } catch (error) {
            const message = error instanceof MoveMismatchError ? error.message : `${heading} ${planned.month}: ${(error as Error).message}`;
            results.push({ source: source.name, table: source.table.table, month: planned.month, step: planned.step, rows: 0, seconds: (performance.now() - monthStarted) / 1000, settleSeconds: 0, state: 'failed' });
            failures.push(message);
            progress.log(`${message}\n${heading}: stopped at ${planned.month}; its later months wait for a rerun`);
            break;
          }
        }
      } catch (error) {
        const message = `${heading}: ${(error as Error).message}`;
        failures.push(message);
        progress.log(message);
      } finally {
        closeSession();
        await session?.close();
      }
    }
    if (options.dryRun) {
      progress.log(`dry run: ${dryRunRows.toLocaleString('en')} rows would move; nothing was changed`);
      return { results, rowsMoved: 0 };
    }
  } finally {
    closeTraining();
    await training.close();
  }

  const rowsMoved = results.filter((result) => result.state === 'dropped').reduce((sum, result) => sum + result.rows, 0);
  if (results.length > 0) {
    progress.log('');
    for (const line of formatReport(results)) progress.log(line);
  }
  const node = process.cpuUsage(nodeCpuAtStart);
  progress.log(formatTotals({
    rowsMoved,
    wallSeconds: (performance.now() - started) / 1000,
    settleSeconds: results.reduce((sum, result) => sum + result.settleSeconds, 0),
    nodeCpuSeconds: (node.user + node.system) / 1e6,
    backendCpuSeconds: cpu.total,
  }));
  if (failures.length > 0) throw new MoveFailedError(`${failures.length} source${failures.length === 1 ? '' : 's'} stopped early:\n${failures.map((failure) => `  ${failure}`).join('\n')}`);
  return { results, rowsMoved };
}
