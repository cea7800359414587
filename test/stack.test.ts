/**
 * The embedded stack: real server processes on the fixed ports, stack.json with every URL,
 * a second start that reuses what runs, clear failures instead of hangs, and the DOMAIN.md seed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stackOptions } from '../src/config.js';
import { MariadbServer } from '../dev/stack/mariadb-server.js';
import { findPgBinDir, PostgresCluster } from '../dev/stack/postgres-cluster.js';
import { SEED_END } from '../dev/stack/demo.js';
import { stackPorts, stackUp } from '../dev/stack/stack.js';
import { mainUrl, mysqlRows, pgRows, stackInfo, telemetryUrl } from './support.js';

/** The demo seed's positions are the week before SEED_END; `npm run seed:telemetry` adds history before it. */
const demoWeekStart = new Date(SEED_END.getTime() - 7 * 86_400_000);

describe('the running stack', () => {
  it('writes stack.json with the URLs of every repo on the fixed ports', () => {
    const info = stackInfo();
    expect(Object.keys(info.repos.main.tenants).sort()).toEqual(['acme', 'globex']);
    expect(info.repos.main.tenants.acme).toMatch(/^postgres:\/\/.+@127\.0\.0\.1:54320\/acme$/);
    expect(info.repos.telemetry.url).toMatch(/@127\.0\.0\.1:54322\/telemetry$/);
    expect(info.repos.legacy.url).toMatch(/^mysql:\/\/.+@127\.0\.0\.1:33306\/legacy$/);
  });

  it('runs real PostgreSQL and MariaDB servers', async () => {
    const [main] = await pgRows(mainUrl(), "SELECT current_setting('server_version_num')::int AS v, host(inet_server_addr()) AS addr");
    expect(main!.v).toBeGreaterThanOrEqual(150000);
    expect(main!.addr).toBe('127.0.0.1');
    const [legacy] = await mysqlRows('SELECT VERSION() AS v, @@port AS port, @@bind_address AS bind');
    expect(legacy).toMatchObject({ port: stackPorts.legacy, bind: '127.0.0.1' });
    expect(legacy!.v).toMatch(/MariaDB/);
  });

  it('reuses running servers and seeded data on a second start', async () => {
    const lines: string[] = [];
    await stackUp((line) => lines.push(line));
    expect(lines.filter((line) => line.includes('already running'))).toHaveLength(5); // main, its replica, telemetry, legacy, training
    expect(lines.some((line) => /seeded|initialising|migrated/.test(line))).toBe(false);
  });
});

describe('starting fails clearly instead of hanging', () => {
  const scratch = () => mkdtempSync(path.join(os.tmpdir(), 'repogate-stack-'));

  it('when a PostgreSQL port is taken', async () => {
    const dataDir = scratch();
    try {
      const cluster = new PostgresCluster({
        name: 'probe', dataDir, port: stackPorts.main, binDir: findPgBinDir(undefined), superuserPassword: 'x', processUser: 'postgres',
      });
      await expect(cluster.start()).rejects.toThrow(/port 54320 \(probe\) is taken by another process/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('when the MariaDB port is taken', async () => {
    const dataDir = scratch();
    try {
      const server = new MariadbServer({ name: 'probe', dataDir, port: stackPorts.legacy, processUser: 'mysql' });
      await expect(server.start()).rejects.toThrow(/port 33306 \(probe\) is taken by another process/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('when another start of the same stack is in progress', async () => {
    const lock = path.join(stackOptions().dataDir, 'stack.lock');
    writeFileSync(lock, String(process.ppid)); // a live process that is not us
    try {
      await expect(stackUp(() => {})).rejects.toThrow(`another stack start is in progress (pid ${process.ppid})`);
    } finally {
      rmSync(lock, { force: true });
    }
  });
});

describe('the demo seed (DOMAIN.md)', () => {
  it('has the documented sizes in every repo', async () => {
    for (const tenant of ['acme', 'globex']) {
      const [counts] = await pgRows(
        stackInfo().repos.main.tenants[tenant]!,
        `SELECT (SELECT count(*) FROM companies)::int AS companies,
                (SELECT count(legacy_customer_code) FROM companies)::int AS coded,
                (SELECT count(*) FROM users)::int AS users,
                (SELECT count(*) FROM projects)::int AS projects,
                (SELECT count(*) FROM time_entries)::int AS entries,
                (SELECT count(*) FROM time_entries WHERE ended_at IS NULL)::int AS running`,
      );
      expect(counts).toMatchObject({ companies: 20, coded: 15, users: 400, projects: 30, entries: 50_000 });
      expect(counts!.running).toBeGreaterThan(0);
    }
    const [telemetry] = await pgRows(
      telemetryUrl(),
      `SELECT (SELECT count(*) FROM devices)::int AS devices,
              (SELECT count(*) FROM devices WHERE user_id IS NULL)::int AS unassigned,
              (SELECT count(*) FROM positions WHERE recorded_at >= $1)::int AS positions,
              (SELECT max(recorded_at) - min(recorded_at) FROM positions WHERE recorded_at >= $1) < interval '7 days' AS within_week`,
      [demoWeekStart],
    );
    expect(telemetry).toMatchObject({ devices: 1000, positions: 1_000_000, within_week: true });
    expect(telemetry!.unassigned).toBeGreaterThan(0);
    const [legacy] = await mysqlRows(
      `SELECT (SELECT COUNT(*) FROM CUST_MASTER) AS customers, (SELECT COUNT(*) FROM INV_HDR) AS invoices,
              (SELECT COUNT(*) FROM INV_LINE) AS invoice_lines,
              (SELECT COUNT(*) FROM INV_HDR WHERE DUE_DT = '0000-00-00') AS zero_dates`,
    );
    expect(legacy).toMatchObject({ customers: 30, invoices: 5000, invoice_lines: 20_000 });
    expect(Number(legacy!.zero_dates)).toBeGreaterThan(0);
  });

  it('keeps device_last_position equal to the newest fix of every device', async () => {
    const [mismatch] = await pgRows(
      telemetryUrl(),
      `SELECT count(*)::int AS n FROM (
         SELECT d.id AS device_id, (SELECT max(recorded_at) FROM positions p WHERE p.device_id = d.id) AS recorded_at
       FROM devices d
       ) newest FULL JOIN device_last_position l USING (device_id)
       WHERE l.recorded_at IS DISTINCT FROM newest.recorded_at`,
    );
    expect(mismatch!.n).toBe(0);
    const [partitions] = await pgRows(telemetryUrl(), "SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'positions'::regclass");
    expect(partitions!.n).toBeGreaterThan(12);
  });

  it('is deterministic: the same rows on every machine', async () => {
    // Fingerprints over explicit columns (epoch seconds), so the session time zone cannot change them.
    const [main] = await pgRows(
      mainUrl(),
      `SELECT md5(string_agg(concat_ws('|', id, user_id, project_id, extract(epoch FROM started_at),
         extract(epoch FROM ended_at), note), ',' ORDER BY id)) FROM time_entries`,
    );
    expect(main!.md5).toBe('fb65555982e198baa43ea6e5e3594320');
    const [telemetry] = await pgRows(
      telemetryUrl(),
      `SELECT md5(string_agg(concat_ws('|', device_id, extract(epoch FROM recorded_at), lat, lon, speed_kmh, heading), ','
         ORDER BY device_id, recorded_at)) FROM positions WHERE device_id IN (1, 500, 1000) AND recorded_at >= $1`,
      [demoWeekStart],
    );
    expect(telemetry!.md5).toBe('0b18c7b93379061c46c5a80cc7a3810e');
    const [legacy] = await mysqlRows(
      `SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', INV_NO, CUST_CD, INV_DT, DUE_DT, STAT, TOT_AMT) ORDER BY INV_NO SEPARATOR ',')) AS md5
       FROM INV_HDR`,
    );
    expect(legacy!.md5).toBe('5b4000b4f078365f9ee448850b918b04');
  });
});
