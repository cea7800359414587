/**
 * `npm run move`'s pure parts: month arithmetic, the command line, and the plan a rerun takes
 * from training's ledger and what the source still holds (test/move.test.ts runs it for real).
 */
import { describe, expect, it } from 'vitest';
import { parseMoveArgs } from '../../src/move/args.js';
import { parseCrashSpec } from '../../src/move/crash-hook.js';
import { ledgerDate, monthEnd, monthOf, monthStart, nextMonth, partitionMonth, partitionName } from '../../src/move/months.js';
import { planSource, type LedgerEntry } from '../../src/move/plan.js';
import { formatReport, formatTotals } from '../../src/move/report.js';

describe('months', () => {
  it('are UTC calendar months, ranges [start, end)', () => {
    expect(monthOf(new Date('2024-12-31T23:59:59.999Z'))).toBe('2024-12');
    expect(monthOf(new Date('2025-01-01T00:00:00.000Z'))).toBe('2025-01');
    expect([monthStart('2024-12'), monthEnd('2024-12')]).toEqual([new Date('2024-12-01T00:00:00Z'), new Date('2025-01-01T00:00:00Z')]);
    expect(['2024-01', '2024-02', '2024-12'].map(nextMonth)).toEqual(['2024-02', '2024-03', '2025-01']);
  });

  it('name their ledger date and partitions as the migrations do', () => {
    expect([ledgerDate('2025-03'), partitionName('positions', '2025-03')]).toEqual(['2025-03-01', 'positions_2025_03']);
  });

  it('refuses text that is not a month', () => {
    expect(() => monthStart('2025-13')).toThrow(new TypeError('not a month (YYYY-MM): 2025-13'));
  });
});

describe('partitionMonth', () => {
  it('reads the month of a partition bound printed under TimeZone UTC', () => {
    expect(partitionMonth("FOR VALUES FROM ('2024-11-01 00:00:00+00') TO ('2024-12-01 00:00:00+00')")).toBe('2024-11');
    expect(partitionMonth("FOR VALUES FROM ('2024-12-01 00:00:00+00') TO ('2025-01-01 00:00:00+00')")).toBe('2024-12');
  });

  it.each([
    ['DEFAULT'],
    ["FOR VALUES FROM (MINVALUE) TO ('2024-12-01 00:00:00+00')"],
    ["FOR VALUES FROM ('2024-11-01 00:00:00+00') TO ('2025-01-01 00:00:00+00')"], // two months
    ["FOR VALUES FROM ('2024-11-15 00:00:00+00') TO ('2024-12-15 00:00:00+00')"], // not aligned
    ["FOR VALUES FROM ('2024-11-01 00:00:00+01') TO ('2024-12-01 00:00:00+01')"], // another time zone
  ])('leaves %j alone (undefined)', (bound) => {
    expect(partitionMonth(bound)).toBeUndefined();
  });
});

describe('parseMoveArgs', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const parse = (args: string[], env: Record<string, string> = {}) => parseMoveArgs(args, env, now);

  it('moves the months that end on or before the start of the month of --before', () => {
    expect(parse(['--before', '2025-03-15'])).toEqual({
      before: '2025-03', cutoffText: '--before 2025-03-15', dryRun: false, settleMs: 1000, lockTimeoutMs: 1000, lockAttempts: 30, lockRetryPauseMs: 1000,
    });
    expect(parse(['--before', '2025-03-01']).before).toBe('2025-03');
  });

  it('counts --older-than back from now, with the same rule', () => {
    // 90 days before 2026-11-30 is 2026-09-01: months up to August move.
    expect(parse(['--older-than', '90d']).before).toBe('2026-09');
    expect(parse(['--older-than', '91d']).before).toBe('2026-08');
  });

  it('takes --dry-run, --settle-ms and the test hook', () => {
    expect(parse(['--older-than', '30d', '--dry-run', '--settle-ms', '0'], { REPOGATE_MOVE_CRASH_AT: 'mid-drop@main/acme' })).toMatchObject({
      dryRun: true, settleMs: 0, crashAt: { point: 'mid-drop', source: 'main/acme' },
    });
  });

  it.each([
    [[], /exactly one of --older-than and --before/],
    [['--before', '2025-03-01', '--older-than', '90d'], /exactly one of/],
    [['--before', '2025-02-30'], /--before must be a date YYYY-MM-DD, got 2025-02-30/],
    [['--before', '03/01/2025'], /--before must be a date/],
    [['--older-than', '3m'], /--older-than must be a number of days like 90d, got 3m/],
    [['--before', '2025-03-01', '--settle-ms', '1.5'], /--settle-ms must be a whole number of milliseconds, got 1.5/],
    [['--before', '2025-03-01', '--force'], /Unknown option '--force'/],
  ])('refuses %j with the usage', (args, message) => {
    expect(() => parse(args)).toThrow(message);
    expect(() => parse(args)).toThrow(/usage: npm run move -- \(--older-than <N>d \| --before <YYYY-MM-DD>\)/);
  });

  it('refuses an unknown crash point', () => {
    expect(() => parseCrashSpec('mid-verify')).toThrow(/must be one of before-copy, mid-copy, after-copy, after-verify, mid-drop/);
    expect(() => parseCrashSpec('mid-copy@')).toThrow(TypeError);
    expect([parseCrashSpec(undefined), parseCrashSpec(''), parseCrashSpec('before-copy')]).toEqual([undefined, undefined, { point: 'before-copy' }]);
  });
});

describe('planSource', () => {
  const entry = (month: string, state: LedgerEntry['state'], rows = 10): LedgerEntry => ({ month, state, rows, checksum: String(rows * 7) });

  it('copies the held months before the cutoff, oldest first, and nothing after it', () => {
    expect(planSource([{ month: '2025-02' }, { month: '2024-12' }, { month: '2025-03' }], [], '2025-03')).toEqual({
      months: [{ month: '2024-12', step: 'copy', source: { month: '2024-12' } }, { month: '2025-02', step: 'copy', source: { month: '2025-02' } }],
      warnings: [],
    });
  });

  it('skips dropped months and resumes each in-flight one at the step its state needs', () => {
    const held = [{ month: '2024-11', relation: 'positions_2024_11' }, { month: '2025-01', relation: 'positions_2025_01' }, { month: '2025-02', relation: 'positions_2025_02' }];
    const ledger = [entry('2024-10', 'dropped'), entry('2024-11', 'copied'), entry('2024-12', 'verified'), entry('2025-01', 'verified')];
    expect(planSource(held, ledger, '2025-03').months).toEqual([
      // copied: verified again, whatever the source holds
      { month: '2024-11', step: 'verify', source: held[0], ledger: ledger[1] },
      // verified and gone from the source: killed after the drop
      { month: '2024-12', step: 'finish', ledger: ledger[2] },
      // verified and still held: verified again before the drop
      { month: '2025-01', step: 'verify', source: held[1], ledger: ledger[3] },
      { month: '2025-02', step: 'copy', source: held[2] },
    ]);
  });

  it('verifies a copied month the source no longer holds (and fails there unless both are empty)', () => {
    expect(planSource([], [entry('2024-11', 'copied')], '2025-01').months).toEqual([{ month: '2024-11', step: 'verify', ledger: entry('2024-11', 'copied') }]);
  });

  it('finishes in-flight months after the cutoff, and says so', () => {
    const plan = planSource([{ month: '2025-05' }], [entry('2025-05', 'verified')], '2025-03');
    expect(plan).toEqual({
      months: [{ month: '2025-05', step: 'verify', source: { month: '2025-05' }, ledger: entry('2025-05', 'verified') }],
      warnings: ['2025-05 is after the cutoff but was left verified by an earlier run: finishing it'],
    });
  });

  it('reports a dropped month the source holds again instead of moving it twice', () => {
    expect(planSource([{ month: '2024-10' }], [entry('2024-10', 'dropped')], '2025-03')).toEqual({
      months: [],
      warnings: ['2024-10 was moved already (ledger: dropped), but the source holds it again: left alone; those rows are behind the horizon'],
    });
  });
});

describe('the report', () => {
  it('aligns a row per month, figures to the right', () => {
    expect(formatReport([
      { source: 'telemetry', table: 'positions', month: '2024-11', step: 'copy', rows: 12_000, copySeconds: 0.5, seconds: 1.5, settleSeconds: 1, state: 'dropped' },
      { source: 'main/acme', table: 'time_entries', month: '2024-12', step: 'finish', rows: 7, seconds: 0.01, settleSeconds: 0, state: 'dropped' },
    ])).toEqual([
      'source     table         month    step      rows  copy s  copy rows/s  total s  state',
      '---------  ------------  -------  ------  ------  ------  -----------  -------  -------',
      'telemetry  positions     2024-11  copy    12,000    0.50       24,000     1.50  dropped',
      'main/acme  time_entries  2024-12  finish       7       -            -     0.01  dropped',
    ]);
  });

  it('gives rows/s with and without the settle waits, and rows per CPU-second', () => {
    expect(formatTotals({ rowsMoved: 100_000, wallSeconds: 4, settleSeconds: 2, nodeCpuSeconds: 0.5, backendCpuSeconds: 1.5 })).toBe(
      'moved 100,000 rows in 4.0 s: 25,000 rows/s, 50,000 rows/s without the 2.0 s of settle waits; 50,000 rows per CPU-second (node 0.50 s + backends 1.50 s)',
    );
  });
});
