/**
 * Scratch databases for tests of `npm run move`, on the stack's own clusters (`<prefix>_telemetry`,
 * `<prefix>_registry`, `<prefix>_acme`, `<prefix>_globex`, `<prefix>_training`), made again by
 * `setUp`, so the shared demo data is never touched and each test file has its own: five months
 * M1..M5 of generated fixes and time entries (M4 empty), a topology pointing at them, and the
 * CLI run as a child process against it.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parseTopology, projectRoot, type Topology } from '../src/config.js';
import { migrateAndGrant } from '../src/migrations.js';
import { monthEnd, monthStart, nextMonth, type MonthKey } from '../src/move/months.js';
import { builtInSubgraphs } from '../src/subgraphs.js';
import { migrateRegistry, registerTenant } from '../src/tenancy/tenant-admin.js';
import { stackInfo, testTopology } from './support.js';

export const tenants = ['acme', 'globex'] as const;
export const DEVICES = 20;
export const FIXES_PER_DEVICE = 150; // every 4 hours: 25 days of each month

export interface Figures { rows: number; checksum: string }
export type ByMonth = Record<MonthKey, Figures>;
export type Side = Record<'telemetry' | 'main/acme' | 'main/globex', ByMonth>;


export interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }


export type MoveScratch = ReturnType<typeof moveScratch>;

export function moveScratch(prefix: string) {
  const databases = { telemetry: `${prefix}_telemetry`, registry: `${prefix}_registry`, acme: `${prefix}_acme`, globex: `${prefix}_globex`, training: `${prefix}_training` };

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
  const topologyFile = path.join(os.tmpdir(), `repogate-${prefix}-test-${process.pid}.json`);

  /** Set by setUp from the scratch telemetry's oldest partition: M1..M3 hold data, M4 is an empty partition, M5 stays. */
  let months: { m1: MonthKey; m2: MonthKey; m3: MonthKey; m4: MonthKey; m5: MonthKey };
  /** `--before` a day inside M5: every month before M5 moves. */
  let beforeArg: string;
  let topology: Topology;

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

  /** Makes the databases and the data; answers the figures of the source before any move. */
  async function setUp(): Promise<Side> {
    await eachScratchDatabase(async (admin, name) => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name} OWNER repogate`);
    });
    const subgraph = (name: string) => builtInSubgraphs.find((candidate) => candidate.name === name)!;
    const stack = testTopology();
    await migrateAndGrant(subgraph('telemetry'), 'pg', urls.telemetry, stack.repos.telemetry.roles);
    await migrateAndGrant(subgraph('training'), 'pg', urls.training, stack.repos.training.roles);
    await migrateRegistry(urls.registry);
    for (const tenant of tenants) {
      await migrateAndGrant(subgraph('main'), 'pg', urls[tenant], stack.repos.main.roles);
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

    const scratchTopology = {
      ...stack,
      repos: {
        ...stack.repos,
        main: { ...stack.repos.main, url: urls.registry, replicas: [] },
        telemetry: { ...stack.repos.telemetry, url: urls.telemetry },
        training: { ...stack.repos.training, url: urls.training },
      },
      tenancy: { ...stack.tenancy, registryUrl: urls.registry },
      // Tracks across the scratch months (M3 to M5 is more than the default 31 days).
      telemetry: { ...stack.telemetry, maxTrackWindowDays: 400 },
    };
    writeFileSync(topologyFile, JSON.stringify(scratchTopology));
    topology = parseTopology(scratchTopology, 'the scratch topology');
    await resetData();
    return (await snapshot()).source;
  }

  async function tearDown(): Promise<void> {
    rmSync(topologyFile, { force: true });
    await eachScratchDatabase((admin, name) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }

  return {
    databases, urls, query, byMonth, snapshot, resetData, move, moveAll, setUp, tearDown,
    get months() { return months; },
    get beforeArg() { return beforeArg; },
    /** The topology of the scratch databases (the stack's, with main, telemetry and training moved). */
    get topology() { return topology; },
  };
}
