/**
 * `npm run move` against real clusters: whole months from telemetry and the tenant databases
 * into training, every row exactly once in one of the two repos whatever step a SIGKILL hit,
 * and nothing deleted where the two sides disagree.
 *
 * Scratch databases on the stack's clusters (move_telemetry, move_registry, move_acme,
 * move_globex, move_training), dropped and made again here, so the shared demo data is never
 * touched; the CLI runs as a child process with a topology pointing at them.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { migrateAndGrant } from '../src/migrations.js';
import { monthEnd, monthStart, nextMonth, type MonthKey } from '../src/move/months.js';
import { builtInSubgraphs } from '../src/subgraphs.js';
import { migrateRegistry, registerTenant } from '../src/tenancy/tenant-admin.js';
import { stackInfo, testTopology } from './support.js';

const tenants = ['acme', 'globex'] as const;
const databases = { telemetry: 'move_telemetry', registry: 'move_registry', acme: 'move_acme', globex: 'move_globex', training: 'move_training' };
const DEVICES = 20;
const FIXES_PER_DEVICE = 150; // every 4 hours: 25 days of each month

const info = stackInfo();
const ports = { telemetry: info.repos.telemetry.port, main: info.repos.main.port, training: info.repos.training.port };
const ownerUrl = (port: number, database: string) => `postgres://repogate:repogate@127.0.0.1:${port}/${database}`;
const urls = {
  telemetry: ownerUrl(ports.telemetry, databases.telemetry),
  registry: ownerUrl(ports.main, databases.registry),
  acme: ownerUrl(ports.main, databases.acme),
  globex: ownerUrl(ports.main, databases.globex),
  training: ownerUrl(ports.training, databases.training),
};
const topologyFile = path.join(os.tmpdir(), `repogate-move-test-${process.pid}.json`);

/** Set in beforeAll from the scratch telemetry's oldest partition: M1..M3 hold data, M4 is an empty partition, M5 stays. */
let months: { m1: MonthKey; m2: MonthKey; m3: MonthKey; m4: MonthKey; m5: MonthKey };
/** `--before` a day inside M5: every month before M5 moves. */
let beforeArg: string;

async function query<R = Record<string, any>>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // The same settings as the mover's sessions: the row texts hashed below depend on them.
    await client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET extra_float_digits = 1");
    return (await client.query(text, params)).rows as R[];
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------- the data, and its figures

interface Figures { rows: number; checksum: string }
type ByMonth = Record<MonthKey, Figures>;
type Side = Record<'telemetry' | 'main/acme' | 'main/globex', ByMonth>;

/** Written independently of src/move: count and order-independent checksum per month. */
async function byMonth(url: string, timeColumn: string, row: string, from: string): Promise<ByMonth> {
  const rows = await query<{ month: string; rows: number; checksum: string }>(url, `
    SELECT to_char(date_trunc('month', ${timeColumn}), 'YYYY-MM') AS month, count(*)::int AS rows,
           coalesce(sum(('x' || left(md5(ROW(${row})::text), 16))::bit(64)::bigint), 0)::text AS checksum
    FROM ${from} GROUP BY 1 ORDER BY 1`);
  return Object.fromEntries(rows.map(({ month, ...figures }) => [month, figures]));
}

const entryRow = (tenant: string) => `'${tenant}'::text, id, user_id, project_id, started_at, ended_at, note`;

async function snapshot(): Promise<{ source: Side; training: Side }> {
  const positionsRow = 'tenant, device_id, recorded_at, lat, lon, speed_kmh, heading';
  const [telemetry, acme, globex, trainingPositions, trainingAcme, trainingGlobex] = await Promise.all([
    byMonth(urls.telemetry, 'recorded_at', positionsRow, '(SELECT d.tenant, p.* FROM positions p JOIN devices d ON d.id = p.device_id) fixes'),
    byMonth(urls.acme, 'started_at', entryRow('acme'), 'time_entries'),
    byMonth(urls.globex, 'started_at', entryRow('globex'), 'time_entries'),
    byMonth(urls.training, 'recorded_at', positionsRow, 'positions'),
    byMonth(urls.training, 'started_at', entryRow('acme'), "time_entries WHERE tenant = 'acme'"),
    byMonth(urls.training, 'started_at', entryRow('globex'), "time_entries WHERE tenant = 'globex'"),
  ]);
  return {
    source: { telemetry, 'main/acme': acme, 'main/globex': globex },
    training: { telemetry: trainingPositions, 'main/acme': trainingAcme, 'main/globex': trainingGlobex },
  };
}

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

/**
 * Puts the scratch data back as it was before any move: the months' partitions made again, the
 * same generated rows (deterministic), no horizon, training and its ledger empty.
 */
async function resetData(): Promise<void> {
  const { m1, m2, m3, m4, m5 } = months;
  const partitions = [m1, m2, m3, m4, m5].map((month) => `positions_${month.replace('-', '_')}`).join(', ');
  const at = (instant: Date) => `'${instant.toISOString()}'::timestamptz`;
  // Every kind of value COPY and the checksum must carry exactly: full-precision doubles, NULLs,
  // the first and the last microsecond of a month.
  const fixes = [m1, m2, m3, m5].map((month) => `
    SELECT d, ${at(monthStart(month))} + n * interval '4 hours' + (d - 1) * interval '1 second',
           52 + sin(n * d) / 3, 13 + cos(n + d) / 3,
           CASE WHEN n % 17 = 0 THEN NULL ELSE ((n * d) % 130)::real + 0.1 END,
           CASE WHEN n % 13 = 0 THEN NULL ELSE ((n * 7 + d) % 360)::smallint END
    FROM generate_series(1, ${DEVICES}) d, generate_series(0, ${FIXES_PER_DEVICE - 1}) n
    UNION ALL SELECT 2, ${at(monthEnd(month))} - interval '1 microsecond', 52.5, 13.5, 0, 0`).join(' UNION ALL ');
  await query(urls.telemetry, `
    DROP TABLE IF EXISTS ${partitions};
    SELECT ensure_position_partitions(${at(monthStart(m1))}, ${at(monthEnd(m5))});
    DELETE FROM archive_horizon;
    INSERT INTO positions (device_id, recorded_at, lat, lon, speed_kmh, heading) ${fixes}`);
  const entryMonths = { acme: [m1, m2, m3, m5], globex: [m1, m3, m5] };
  for (const tenant of tenants) {
    const entries = entryMonths[tenant].map((month, index) => `
      SELECT ${index * 10_000} + n, 1 + n % 40, 1 + n % 3, ${at(monthStart(month))} + n * interval '90 minutes' + n * interval '1 microsecond',
             ${at(monthStart(month))} + n * interval '90 minutes' + interval '45 minutes',
             CASE n % 5 WHEN 0 THEN NULL WHEN 1 THEN E'tab\\there' WHEN 2 THEN E'line\\nbreak \\\\ backslash' WHEN 3 THEN 'Müller "quoted", (paren)' ELSE 'plain ' || n END
      FROM generate_series(0, 399) n
      -- still running at the month's last microsecond (one running entry per user, so a user per month)
      UNION ALL SELECT ${index * 10_000 + 9_999}, 41 + ${index}, 1, ${at(monthEnd(month))} - interval '1 microsecond', NULL, 'running'`).join(' UNION ALL ');
    await query(urls[tenant], `
      TRUNCATE time_entries;
      DELETE FROM archive_horizon;
      INSERT INTO time_entries (id, user_id, project_id, started_at, ended_at, note) ${entries}`);
  }
  await query(urls.training, 'TRUNCATE positions, time_entries, move_ledger');
}

// ---------------------------------------------------------------- the CLI, as a child process

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function move(args: string[], crashAt?: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, REPOGATE_CONFIG: topologyFile };
  delete env.REPOGATE_MOVE_CRASH_AT;
  if (crashAt) env.REPOGATE_MOVE_CRASH_AT = crashAt;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'dev/cli.ts', 'move', ...args], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const moveAll = (crashAt?: string) => move(['--before', beforeArg, '--settle-ms', '0'], crashAt);

function expectSucceeded(run: Run): void {
  expect({ code: run.code, signal: run.signal, stderr: run.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
}

// ---------------------------------------------------------------- setup

/** As the clusters' superuser, on each scratch database (made with the owner role, like the stack's). */
async function eachScratchDatabase(work: (admin: pg.Client, name: string) => Promise<unknown>): Promise<void> {
  const byPort = [[ports.telemetry, [databases.telemetry]], [ports.main, [databases.registry, databases.acme, databases.globex]], [ports.training, [databases.training]]] as const;
  for (const [port, names] of byPort) {
    const admin = new pg.Client({ connectionString: `postgres://${info.superuser.user}:${info.superuser.password}@127.0.0.1:${port}/postgres` });
    await admin.connect();
    try {
      for (const name of names) await work(admin, name);
    } finally {
      await admin.end();
    }
  }
}

beforeAll(async () => {
  await eachScratchDatabase(async (admin, name) => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name} OWNER repogate`);
  });
  const subgraph = (name: string) => builtInSubgraphs.find((candidate) => candidate.name === name)!;
  const topology = testTopology();
  await migrateAndGrant(subgraph('telemetry'), 'pg', urls.telemetry, topology.repos.telemetry.roles);
  await migrateAndGrant(subgraph('training'), 'pg', urls.training, topology.repos.training.roles);
  await migrateRegistry(urls.registry);
  for (const tenant of tenants) {
    await migrateAndGrant(subgraph('main'), 'pg', urls[tenant], topology.repos.main.roles);
    await registerTenant(urls.registry, { slug: tenant, database: databases[tenant] });
    await query(urls[tenant], `
      INSERT INTO companies (id, name) VALUES (1, 'Scratch');
      INSERT INTO users (id, company_id, name) SELECT n, 1, 'user ' || n FROM generate_series(1, 50) n;
      INSERT INTO projects (id, company_id, name) SELECT n, 1, 'project ' || n FROM generate_series(1, 3) n`);
  }
  await query(urls.telemetry, `INSERT INTO devices (id, tenant, serial) SELECT n, CASE WHEN n % 2 = 0 THEN 'acme' ELSE 'globex' END, 'M-' || n FROM generate_series(1, ${DEVICES}) n`);

  // The migrations made partitions from two years back: the oldest is M1.
  const [oldest] = await query<{ name: string }>(urls.telemetry, "SELECT min(c.relname) AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'positions'::regclass");
  const m1 = oldest!.name.slice('positions_'.length).replace('_', '-');
  const m2 = nextMonth(m1), m3 = nextMonth(m2), m4 = nextMonth(m3), m5 = nextMonth(m4);
  months = { m1, m2, m3, m4, m5 };
  beforeArg = `${m5}-15`;

  writeFileSync(topologyFile, JSON.stringify({
    ...topology,
    repos: {
      ...topology.repos,
      main: { ...topology.repos.main, url: urls.registry, replicas: [] },
      telemetry: { ...topology.repos.telemetry, url: urls.telemetry },
      training: { ...topology.repos.training, url: urls.training },
    },
    tenancy: { ...topology.tenancy, registryUrl: urls.registry },
  }));
  await resetData();
  original = (await snapshot()).source;
  // The data is what the cases need: four months of fixes and entries per tenant (globex skips M2), M4 empty.
  expect(Object.keys(original.telemetry)).toEqual([m1, m2, m3, m5]);
  expect(original.telemetry[m1]!.rows).toBe(DEVICES * FIXES_PER_DEVICE + 1);
  expect([Object.keys(original['main/acme']), Object.keys(original['main/globex'])]).toEqual([[m1, m2, m3, m5], [m1, m3, m5]]);
}, 120_000);

afterAll(async () => {
  rmSync(topologyFile, { force: true });
  await eachScratchDatabase((admin, name) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
});

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
