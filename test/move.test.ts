/**
 * `npm run move` against real clusters: whole months from telemetry and the tenant databases
 * into training, every row exactly once in one of the two repos whatever step a SIGKILL hit,
 * and nothing deleted where the two sides disagree.
 *
 * On scratch databases (test/move-scratch.ts: move_telemetry, move_registry, move_acme,
 * move_globex, move_training), made again here, so the shared demo data is never touched; the
 * CLI runs as a child process with a topology pointing at them.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthStart, type MonthKey } from '../src/move/months.js';
import { DEVICES, FIXES_PER_DEVICE, moveScratch, type ByMonth, type Run, type Side } from './move-scratch.js';

const scratch = moveScratch('move');
const { urls, query, byMonth, snapshot, resetData, move, moveAll } = scratch;
let months: MoveScratchMonths;
let beforeArg: string;
type MoveScratchMonths = typeof scratch.months;

/** The figures before any move: every test starts from exactly this data. */
let original: Side;

const pick = (figures: ByMonth, keep: (month: MonthKey) => boolean): ByMonth => Object.fromEntries(Object.entries(figures).filter(([month]) => keep(month)));

/** Months before M5 in training only, the rest in the source only, and no table a drop left behind. */
async function expectEveryRowExactlyOnce(): Promise<void> {
  const now = await snapshot();
  for (const key of Object.keys(original) as (keyof Side)[]) {
    expect({ key, source: now.source[key], training: now.training[key] }).toEqual({
      key,
      source: pick(original[key], (month) => month >= months.m5),
      training: pick(original[key], (month) => month < months.m5),
    });
  }
  expect(await leftoverPartitions()).toEqual([]);
}

/** Tables named like a positions partition that are no partition (a detached month not dropped). */
async function leftoverPartitions(): Promise<string[]> {
  const rows = await query<{ relname: string }>(urls.telemetry, `
    SELECT relname FROM pg_class c WHERE relkind = 'r' AND relname LIKE 'positions\\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid) ORDER BY 1`);
  return rows.map((row) => row.relname);
}

async function partitionState(month: MonthKey): Promise<string> {
  const [row] = await query<{ state: string }>(urls.telemetry, `
    SELECT CASE WHEN c.oid IS NULL THEN 'gone' WHEN i.inhrelid IS NULL THEN 'detached'
                WHEN i.inhdetachpending THEN 'detach pending' ELSE 'attached' END AS state
    FROM (SELECT to_regclass($1) AS oid) c LEFT JOIN pg_inherits i ON i.inhrelid = c.oid`, [`positions_${month.replace('-', '_')}`]);
  return row!.state;
}

async function ledger(): Promise<Record<string, string>> {
  const rows = await query<{ key: string; state: string }>(urls.training,
    "SELECT source || ' ' || table_name || ' ' || to_char(month, 'YYYY-MM') AS key, state FROM move_ledger ORDER BY 1");
  return Object.fromEntries(rows.map((row) => [row.key, row.state]));
}

async function horizons(): Promise<Record<string, string | undefined>> {
  const read = async (url: string, table: string) =>
    (await query<{ at: Date }>(url, 'SELECT moved_before AS at FROM archive_horizon WHERE table_name = $1', [table]))[0]?.at.toISOString();
  return { telemetry: await read(urls.telemetry, 'positions'), acme: await read(urls.acme, 'time_entries'), globex: await read(urls.globex, 'time_entries') };
}

function expectSucceeded(run: Run): void {
  expect({ code: run.code, signal: run.signal, stderr: run.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
}

// ---------------------------------------------------------------- setup

beforeAll(async () => {
  original = await scratch.setUp();
  ({ months, beforeArg } = scratch);
  const { m1, m2, m3, m5 } = months;
  // The data is what the cases need: four months of fixes and entries per tenant (globex skips M2), M4 empty.
  expect(Object.keys(original.telemetry)).toEqual([m1, m2, m3, m5]);
  expect(original.telemetry[m1]!.rows).toBe(DEVICES * FIXES_PER_DEVICE + 1);
  expect([Object.keys(original['main/acme']), Object.keys(original['main/globex'])]).toEqual([[m1, m2, m3, m5], [m1, m3, m5]]);
}, 120_000);

afterAll(() => scratch.tearDown());

// ---------------------------------------------------------------- the cases

describe('npm run move', () => {
  it('shows in a dry run what would move, and changes nothing', async () => {
    await resetData();
    const run = await move(['--before', beforeArg, '--dry-run']);
    expectSucceeded(run);
    const { m1, m4 } = months;
    expect(run.stdout).toContain('telemetry positions: 4 months');
    expect(run.stdout).toContain(`  ${m1}         3,001 rows  copy, verify, drop`);
    expect(run.stdout).toContain(`  ${m4}             0 rows  copy, verify, drop`);
    expect(run.stdout).toContain('main/globex time_entries: 2 months');
    expect(run.stdout).toMatch(/dry run: [\d,]+ rows would move; nothing was changed/);
    const now = await snapshot();
    expect(now).toEqual({ source: original, training: { telemetry: {}, 'main/acme': {}, 'main/globex': {} } });
    expect([await ledger(), await horizons()]).toEqual([{}, { telemetry: undefined, acme: undefined, globex: undefined }]);
  });

  it('moves every month before the cutoff exactly once, publishes the horizons, and does nothing when run again', async () => {
    await resetData();
    const run = await move(['--before', beforeArg, '--settle-ms', '20']);
    expectSucceeded(run);
    await expectEveryRowExactlyOnce();
    const { m1, m2, m3, m4, m5 } = months;
    expect(await horizons()).toEqual({ telemetry: monthStart(m5).toISOString(), acme: monthStart(m4).toISOString(), globex: monthStart(m4).toISOString() });
    expect(await ledger()).toEqual(Object.fromEntries([
      ...[m1, m2, m3, m4].map((month) => `telemetry positions ${month}`),
      ...[m1, m2, m3].map((month) => `main/acme time_entries ${month}`),
      ...[m1, m3].map((month) => `main/globex time_entries ${month}`),
    ].map((key) => [key, 'dropped'])));
    expect(await Promise.all([m1, m4, m5].map(partitionState))).toEqual(['gone', 'gone', 'attached']);
    // The figures the benchmark quotes.
    expect(run.stdout).toMatch(/^source\s+table\s+month\s+step\s+rows\s+copy s\s+copy rows\/s\s+total s\s+state$/m);
    expect(run.stdout).toMatch(new RegExp(`^telemetry\\s+positions\\s+${m1}\\s+copy\\s+3,001\\s.*dropped$`, 'm'));
    expect(run.stdout).toMatch(/moved 11,008 rows in [\d.]+ s: [\d,]+ rows\/s, .* rows per CPU-second \(node [\d.]+ s \+ backends [\d.]+ s\)/);

    const again = await move(['--before', beforeArg, '--settle-ms', '0']);
    expectSucceeded(again);
    expect(again.stdout.match(/: nothing to move$/gm)).toHaveLength(3);
    await expectEveryRowExactlyOnce();
  });

  // What each kill leaves, in the first month of telemetry (M1), before the rerun repairs it.
  const leftBehind: Record<string, () => Promise<void>> = {
    async 'before-copy'() {
      expect([await ledger(), (await snapshot()).training.telemetry]).toEqual([{}, {}]);
    },
    async 'mid-copy'() {
      // The copy's transaction never committed: no rows, no ledger row.
      expect([await ledger(), (await snapshot()).training.telemetry]).toEqual([{}, {}]);
    },
    async 'after-copy'() {
      expect(await ledger()).toEqual({ [`telemetry positions ${months.m1}`]: 'copied' });
      expect((await snapshot()).training.telemetry).toEqual(pick(original.telemetry, (month) => month === months.m1));
    },
    async 'after-verify'() {
      expect([await ledger(), (await horizons()).telemetry]).toEqual([{ [`telemetry positions ${months.m1}`]: 'verified' }, undefined]);
    },
    async 'mid-drop'() {
      expect([await ledger(), (await horizons()).telemetry]).toEqual([{ [`telemetry positions ${months.m1}`]: 'verified' }, monthStart(months.m2).toISOString()]);
      // Detached (or still detaching) but not dropped, its rows all there.
      expect(['detached', 'detach pending']).toContain(await partitionState(months.m1));
      expect((await byMonth(urls.telemetry, 'recorded_at', 'tenant, device_id, recorded_at, lat, lon, speed_kmh, heading',
        `(SELECT d.tenant, p.* FROM positions_${months.m1.replace('-', '_')} p JOIN devices d ON d.id = p.device_id) fixes`))[months.m1]).toEqual(original.telemetry[months.m1]);
    },
  };

  it.each(Object.keys(leftBehind))('ends with every row exactly once after a SIGKILL at %s and a rerun', async (point) => {
    await resetData();
    const killed = await moveAll(point);
    expect({ signal: killed.signal, hook: killed.stderr }).toEqual({
      signal: 'SIGKILL',
      // mid-copy: killed with rows on their way into training's open transaction.
      hook: point === 'mid-copy' ? expect.stringMatching(/^move: test hook REPOGATE_MOVE_CRASH_AT=mid-copy: SIGKILL \([1-9]\d* rows streamed, not committed\)\n$/) : `move: test hook REPOGATE_MOVE_CRASH_AT=${point}: SIGKILL\n`,
    });
    await leftBehind[point]!();
    // Nothing left the source yet (mid-drop: M1's partition is detached, and checked above).
    expect((await snapshot()).source).toEqual(point === 'mid-drop' ? { ...original, telemetry: pick(original.telemetry, (month) => month !== months.m1) } : original);

    const rerun = await moveAll();
    expectSucceeded(rerun);
    await expectEveryRowExactlyOnce();
  });

  it('finishes a tenant month killed after its delete committed, before the ledger said dropped', async () => {
    await resetData();
    const killed = await moveAll('mid-drop@main/acme');
    expect(killed.signal).toBe('SIGKILL');
    // Telemetry moved before acme's first month began; acme's M1 is gone from the source, training holds it.
    expect((await ledger())[`main/acme time_entries ${months.m1}`]).toBe('verified');
    const now = await snapshot();
    expect([now.source['main/acme'][months.m1], now.training['main/acme'][months.m1]]).toEqual([undefined, original['main/acme'][months.m1]]);

    const rerun = await moveAll();
    expectSucceeded(rerun);
    expect(rerun.stdout).toMatch(new RegExp(`^main/acme\\s+time_entries\\s+${months.m1}\\s+finish\\s+401\\s.*dropped$`, 'm'));
    await expectEveryRowExactlyOnce();
  });

  it('completes a partition a kill left "detach pending" (DETACH … FINALIZE)', async () => {
    await resetData();
    // A reader that holds its snapshot keeps DETACH CONCURRENTLY waiting in its second
    // transaction: the kill lands between the two, as it would under a long report query.
    const reader = new pg.Client({ connectionString: urls.telemetry });
    await reader.connect();
    try {
      await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await reader.query('SELECT count(*) FROM positions');
      const killed = await moveAll('mid-drop@telemetry');
      expect(killed.signal).toBe('SIGKILL');
      // The orphaned DETACH would give up at its lock_timeout anyway; end it now.
      await query(urls.telemetry, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'ALTER TABLE positions DETACH%' AND pid <> pg_backend_pid()");
      await expect.poll(() => query(urls.telemetry, "SELECT pid FROM pg_stat_activity WHERE query LIKE 'ALTER TABLE positions DETACH%' AND pid <> pg_backend_pid()")).toEqual([]);
      expect(await partitionState(months.m1)).toBe('detach pending');
    } finally {
      await reader.query('ROLLBACK');
      await reader.end();
    }
    const rerun = await moveAll();
    expectSucceeded(rerun);
    await expectEveryRowExactlyOnce();
  });

  it('stops a source whose copy no longer matches, with both figures, and deletes nothing from it', async () => {
    await resetData();
    expect((await moveAll('after-copy')).signal).toBe('SIGKILL');
    // One value of one copied row changes in training between the crash and the rerun.
    await query(urls.training, 'UPDATE positions SET lat = lat + 1e-9 WHERE (device_id, recorded_at) = (SELECT device_id, recorded_at FROM positions ORDER BY 1, 2 LIMIT 1)');

    const rerun = await moveAll();
    expect(rerun.code).toBe(1);
    const { m1 } = months;
    const figures = new RegExp(`telemetry positions ${m1}: verification failed: the source has 3,001 rows, checksum -?\\d+; training has 3,001 rows, checksum -?\\d+\\. Nothing was deleted from the source`);
    expect(rerun.stderr).toMatch(/^repogate move: 1 source stopped early:/);
    expect(rerun.stderr).toMatch(figures);
    const [, sourceSum, trainingSum] = /the source has 3,001 rows, checksum (-?\d+); training has 3,001 rows, checksum (-?\d+)/.exec(rerun.stderr)!;
    expect([sourceSum, trainingSum!]).toEqual([original.telemetry[m1]!.checksum, expect.not.stringMatching(`^${sourceSum}$`)]);

    // Telemetry: every month still in the source, partitions attached, no horizon, M1 still only copied.
    const now = await snapshot();
    expect(now.source.telemetry).toEqual(original.telemetry);
    expect(await Promise.all([months.m1, months.m2, months.m3, months.m4].map(partitionState))).toEqual(['attached', 'attached', 'attached', 'attached']);
    expect((await horizons()).telemetry).toBeUndefined();
    expect((await ledger())[`telemetry positions ${m1}`]).toBe('copied');
    // The other sources went on.
    expect(now.source['main/acme']).toEqual(pick(original['main/acme'], (month) => month >= months.m5));
    expect(now.training['main/acme']).toEqual(pick(original['main/acme'], (month) => month < months.m5));
  });
});
