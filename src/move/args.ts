/**
 * `npm run move -- --older-than 90d | --before 2025-03-01 [--dry-run] [--settle-ms 1000]`:
 * the command line and the test hook's variable, parsed and checked before any connection opens.
 * Pure: the arguments, the environment and the clock come in as values.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.js';
import { parseCrashSpec, type CrashSpec } from './crash-hook.js';
import { monthOf, type MonthKey } from './months.js';

export const moveDefaults = {
  /**
   * After the horizon is published and before the month is dropped: statements planned under the
   * old horizon (reading the active repo for that month) get this long to finish.
   */
  settleMs: 1000,
  /** DDL and DELETEs of the drop wait this long for a lock, so they never queue ahead of readers for long… */
  lockTimeoutMs: 1000,
  /** …and are tried this often, this far apart, before the month counts as failed. */
  lockAttempts: 30,
  lockRetryPauseMs: 1000,
};

export interface MoveOptions {
  /** Months that end on or before this month's start move: every month before it. */
  before: MonthKey;
  /** What the cutoff was asked as, for the output. */
  cutoffText: string;
  dryRun: boolean;
  settleMs: number;
  lockTimeoutMs: number;
  lockAttempts: number;
  lockRetryPauseMs: number;
  crashAt?: CrashSpec;
}

export const moveUsage = 'usage: npm run move -- (--older-than <N>d | --before <YYYY-MM-DD>) [--dry-run] [--settle-ms <ms>]';

function usageError(reason: string): ConfigError {
  return new ConfigError(`move: ${reason}\n${moveUsage}`);
}

/** The month holding a `YYYY-MM-DD` date: months ending on or before its start move. */
function beforeMonth(text: string): MonthKey {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : undefined;
  // `2025-02-30` parses as March 2nd: a date that does not print back as given is refused.
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) throw usageError(`--before must be a date YYYY-MM-DD, got ${text}`);
  return monthOf(date);
}

function olderThanMonth(text: string, now: Date): MonthKey {
  const match = /^(\d{1,5})d$/.exec(text);
  if (!match) throw usageError(`--older-than must be a number of days like 90d, got ${text}`);
  return monthOf(new Date(now.getTime() - Number(match[1]) * 86_400_000));
}

export function parseMoveArgs(args: readonly string[], env: Readonly<Record<string, string | undefined>>, now: Date): MoveOptions {
  let values: { 'older-than'?: string; before?: string; 'dry-run'?: boolean; 'settle-ms'?: string };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { 'older-than': { type: 'string' }, before: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'settle-ms': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw usageError((error as Error).message);
  }
  if ((values['older-than'] === undefined) === (values.before === undefined)) throw usageError('give exactly one of --older-than and --before');
  const before = values.before !== undefined ? beforeMonth(values.before) : olderThanMonth(values['older-than']!, now);
  const settleMs = values['settle-ms'] === undefined ? moveDefaults.settleMs : Number(values['settle-ms']);
  if (!Number.isSafeInteger(settleMs) || settleMs < 0) throw usageError(`--settle-ms must be a whole number of milliseconds, got ${values['settle-ms']}`);
  let crashAt: CrashSpec | undefined;
  try {
    crashAt = parseCrashSpec(env.REPOGATE_MOVE_CRASH_AT);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return {
    before,
    cutoffText: values.before !== undefined ? `--before ${values.before}` : `--older-than ${values['older-than']}`,
    dryRun: values['dry-run'] ?? false,
    settleMs,
    lockTimeoutMs: moveDefaults.lockTimeoutMs,
    lockAttempts: moveDefaults.lockAttempts,
    lockRetryPauseMs: moveDefaults.lockRetryPauseMs,
    ...(crashAt && { crashAt }),
  };
}
