/**
 * PgBouncer in transaction mode between the class pools and the PostgreSQL repos (issue 15):
 * real PgBouncer processes (Debian's, dev/stack/pgbouncer.ts) in front of the running stack's
 * main primary, its replica and telemetry, started here on ports of their own and stopped after.
 * Answers equal direct SQL, the statements really pass PgBouncer, the class's statement timeout
 * still fires (set per transaction: PgBouncer refuses it as a startup parameter), tenants keep
 * their own databases, LISTEN stays direct, and two gateway instances' 20 concurrent requests
 * share at most PgBouncer's pool size of server connections.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient as createSseClient } from 'graphql-sse';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgBouncer } from '../dev/stack/pgbouncer.js';
import { stackPorts } from '../dev/stack/stack.js';
import { parseTopology, stackOptions, type Topology } from '../src/config.js';
import { RepoBusyError } from '../src/errors.js';
import { forgetFixesRecorded, freePort, mainUrl, openGateway, pgRows, stackInfo, telemetryUrl, testTopology, tokenFor, type TestGateway } from './support.js';

/** Server connections per (database, role) each PgBouncer opens at most. */
const POOL_SIZE = 3;
/** interactive's, below its role's own 5 s: a timeout that fires at 1 s is the pools', not the role's. */
const STATEMENT_TIMEOUT_MS = 1000;
/** This file's fixes: 2026-11-23 03:00–04:00 (other files record theirs on 11-20 to 11-22). */
const recordedAt = (n: number) => new Date(Date.UTC(2026, 10, 23, 3) + n * 1000).toISOString();
const forgetRecordedFixes = () => forgetFixesRecorded('2026-11-23T03:00:00Z', '2026-11-23T04:00:00Z');

let dir: string;
let bouncers: Record<'main' | 'mainReplica' | 'telemetry', PgBouncer>;
let topology: Topology;
let gateway: TestGateway;

/** A command on a PgBouncer's admin console (database `pgbouncer`, simple protocol only). */
async function adminConsole<R = Record<string, any>>(bouncer: PgBouncer, command: string): Promise<R[]> {
  const { superuser } = stackInfo();
  const client = new pg.Client({ host: '127.0.0.1', port: bouncer.port, database: 'pgbouncer', user: superuser.user, password: superuser.password });
  await client.connect();
  try {
    return (await client.query(command)).rows as R[];
  } finally {
    await client.end();
  }
}

/** Transactions PgBouncer has passed to its servers for `database` so far. */
async function transactions(bouncer: PgBouncer, database: string): Promise<number> {
  const rows = await adminConsole<{ database: string; total_xact_count: string }>(bouncer, 'SHOW STATS');
  return Number(rows.find((row) => row.database === database)?.total_xact_count ?? 0);
}

interface PoolRow {
  database: string;
  user: string;
  cl_active: number;
  cl_waiting: number;
  sv_active: number;
  sv_idle: number;
  sv_used: number;
  sv_tested: number;
  sv_login: number;
}
const servers = (row: PoolRow) => row.sv_active + row.sv_idle + row.sv_used + row.sv_tested + row.sv_login;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'repogate-pgbouncer-'));
  chmodSync(dir, 0o755); // PgBouncer runs as postgres, which must enter it
  const info = stackInfo();
  const users = [...Object.values(info.topology.repos.main.roles).filter((role) => role !== undefined), info.superuser];
  // Ports of their own, free now: not Debian's pgbouncer.service (6432) nor the stack's (54330-54333).
  // Each is started before the next port is picked (a port found free is not held: the kernel may
  // hand it out again, to the next pick or to another test's socket), and picked again if taken meanwhile.
  const bouncer = async (name: string, serverPort: number): Promise<PgBouncer> => {
    for (let attempt = 1; ; attempt += 1) {
      const started = new PgBouncer({ name, dataDir: dir, port: await freePort(), serverPort, users, adminUser: info.superuser.user, poolSize: POOL_SIZE, queryWaitTimeoutSeconds: 1, processUser: stackOptions().processUser });
      try {
        expect(await started.start()).toBe(true);
        return started;
      } catch (error) {
        if (attempt === 3 || !/is taken by another process/.test(String(error))) throw error;
      }
    }
  };
  bouncers = {
    main: await bouncer('main', stackPorts.main),
    mainReplica: await bouncer('main-replica', stackPorts.mainReplica),
    telemetry: await bouncer('telemetry', stackPorts.telemetry),
  };
  const base = testTopology();
  topology = parseTopology(
    {
      ...base,
      repos: {
        ...base.repos,
        main: { ...base.repos.main, pooler: { url: bouncers.main.url('repogate'), replicas: [bouncers.mainReplica.url('repogate')] } },
        telemetry: { ...base.repos.telemetry, pooler: { url: bouncers.telemetry.url('telemetry') } },
      },
      classes: { ...base.classes, interactive: { ...base.classes.interactive, statementTimeoutMs: STATEMENT_TIMEOUT_MS } },
    },
    'the pooled test topology',
  );
  gateway = openGateway({ topology });
  await forgetRecordedFixes();
});

afterAll(async () => {
  await gateway?.close();
  for (const each of Object.values(bouncers ?? {})) await each.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await forgetRecordedFixes();
});

describe('a repo behind PgBouncer (transaction mode)', () => {
  it('answers a cross-repo query as direct SQL does, its statements passing PgBouncer', async () => {
    const [user] = await pgRows(mainUrl(), 'SELECT name FROM users WHERE id = 7');
    const devices = await pgRows(telemetryUrl(), "SELECT id::text FROM devices WHERE tenant = 'acme' AND user_id = 7 ORDER BY id");
    const [last] = await pgRows(
      telemetryUrl(),
      `SELECT p.recorded_at, p.lat, p.lon FROM devices d JOIN positions p ON p.device_id = d.id
       WHERE d.tenant = 'acme' AND d.user_id = 7 ORDER BY p.recorded_at DESC LIMIT 1`,
    );
    const before = { main: (await transactions(bouncers.main, 'acme')) + (await transactions(bouncers.mainReplica, 'acme')), telemetry: await transactions(bouncers.telemetry, 'telemetry') };

    const response = await gateway.request('{ user(id: "7") { name devices { id } lastPosition { recordedAt latitude longitude } } }');
    expect(response.errors).toBeUndefined();
    expect(response.data!.user).toEqual({
      name: user!.name,
      devices,
      lastPosition: { recordedAt: new Date(last!.recorded_at).toISOString(), latitude: last!.lat, longitude: last!.lon },
    });

    const after = { main: (await transactions(bouncers.main, 'acme')) + (await transactions(bouncers.mainReplica, 'acme')), telemetry: await transactions(bouncers.telemetry, 'telemetry') };
    // Each of the request's statements is a transaction of PgBouncer's (BEGIN; SET LOCAL … COMMIT).
    expect(after.main - before.main).toBeGreaterThanOrEqual(response.extensions!.repos!.main!.roundTrips);
    expect(after.telemetry - before.telemetry).toBeGreaterThanOrEqual(response.extensions!.repos!.telemetry!.roundTrips);
    // The class pools of both repos hold PgBouncer's client connections, as the class role.
    const pools = [...(await adminConsole<PoolRow>(bouncers.main, 'SHOW POOLS')), ...(await adminConsole<PoolRow>(bouncers.mainReplica, 'SHOW POOLS'))];
    expect(pools.some((row) => row.database === 'acme' && row.user === 'repogate_interactive')).toBe(true);
    expect((await adminConsole<PoolRow>(bouncers.telemetry, 'SHOW POOLS')).some((row) => row.database === 'telemetry' && row.user === 'repogate_interactive')).toBe(true);
  });

  it("applies the class's statement timeout per transaction: a statement past it is REPO_BUSY", async () => {
    const pool = gateway.registry.database({ repo: 'main', clientClass: 'interactive', server: 'primary', database: 'acme' });
    // The role's own setting is 5 s (the stack's ALTER ROLE); the pool's SET LOCAL says 1 s.
    expect(await pool.query('SELECT $1::int AS n, current_setting($2) AS timeout', [1, 'statement_timeout'])).toEqual([{ n: 1, timeout: '1s' }]);
    const timed = async (run: () => Promise<unknown>) => {
      const started = Date.now();
      const error = await run().then(() => undefined, (caught: unknown) => caught);
      return { error, ms: Date.now() - started };
    };
    for (const run of [() => pool.query('SELECT pg_sleep(3)'), () => pool.transaction((tx) => tx.query('SELECT pg_sleep($1)', [3]))]) {
      const { error, ms } = await timed(run);
      expect(error).toBeInstanceOf(RepoBusyError);
      expect(error).toMatchObject({ repo: 'main', wait: 'statement' });
      expect(ms).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(STATEMENT_TIMEOUT_MS + 1000);
    }
    // Nothing of it stayed on PgBouncer's server connections: the next statement has the role's
    // timeout outside a transaction of ours, and ours inside one.
    const bare = new pg.Client({ host: '127.0.0.1', port: bouncers.main.port, database: 'acme', ...topology.repos.main!.roles.interactive });
    await bare.connect();
    try {
      expect((await bare.query("SELECT current_setting('statement_timeout') AS timeout")).rows).toEqual([{ timeout: '5s' }]);
    } finally {
      await bare.end();
    }
    expect(await pool.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('keeps tenants apart: acme and globex reach their own databases through the `*` entry', async () => {
    const { tenants } = stackInfo().repos.main;
    const query = '{ companies(first: 3) { edges { node { name } } } }';
    for (const tenant of ['acme', 'globex'] as const) {
      const expected = (await pgRows(tenants[tenant]!, 'SELECT name FROM companies ORDER BY id LIMIT 3')).map((row) => row.name);
      const response = await gateway.request(query, undefined, { tenant });
      expect(response.errors).toBeUndefined();
      expect(response.data!.companies.edges.map((edge: any) => edge.node.name)).toEqual(expected);
    }
    const databases = new Set([...(await adminConsole<PoolRow>(bouncers.main, 'SHOW POOLS')), ...(await adminConsole<PoolRow>(bouncers.mainReplica, 'SHOW POOLS'))].map((row) => row.database));
    expect(databases).toContain('acme');
    expect(databases).toContain('globex');
    // The tenants' first pages differ: neither answer was the other's database.
    const [acme, globex] = await Promise.all(['acme', 'globex'].map((tenant) => gateway.request(query, undefined, { tenant })));
    expect(acme!.data).not.toEqual(globex!.data);
  });

  it("reports every server up through the poolers (/ready's pings)", async () => {
    const ready = await gateway.registry.readiness();
    expect(ready.main).toEqual({ primary: 'up', replicas: ['up'] });
    expect(ready.telemetry).toEqual({ primary: 'up' });
  });

  it("opens at most its pool size of server connections for 20 concurrent requests of two gateway instances", async () => {
    const second = openGateway({ topology });
    try {
      const query = '{ companies(first: 5) { edges { node { name users(first: 3) { edges { node { name lastPosition { latitude longitude } } } } } } } }';
      // Warm both: their schemas and grant checks are not what is measured.
      for (const each of [gateway, second]) expect((await each.request(query)).errors).toBeUndefined();
      const peak = new Map<string, { servers: number; clients: number }>();
      let sampling = true;
      const sample = async () => {
        while (sampling) {
          for (const [name, bouncer] of Object.entries(bouncers)) {
            for (const row of await adminConsole<PoolRow>(bouncer, 'SHOW POOLS')) {
              if (row.database === 'pgbouncer') continue;
              const key = `${name} ${row.database}/${row.user}`;
              const seen = peak.get(key) ?? { servers: 0, clients: 0 };
              peak.set(key, { servers: Math.max(seen.servers, servers(row)), clients: Math.max(seen.clients, row.cl_active + row.cl_waiting) });
            }
          }
        }
      };
      const sampler = sample();
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? gateway : second).request(query)));
      sampling = false;
      await sampler;
      for (const answer of answers) {
        expect(answer.errors).toBeUndefined();
        expect(answer.data).toEqual(answers[0]!.data);
      }
      expect(peak.size).toBeGreaterThan(0);
      for (const [pool, { servers }] of peak) expect({ pool, servers: Math.min(servers, POOL_SIZE) }).toEqual({ pool, servers });
      // More client connections than server connections at once: PgBouncer multiplexed them.
      expect(Math.max(...[...peak.values()].map((each) => each.clients))).toBeGreaterThan(POOL_SIZE);
    } finally {
      await second.close();
    }
  });

  it("answers REPO_BUSY when a statement waits for PgBouncer's server connections past its query_wait_timeout", async () => {
    // api's pool holds 4 connections to PgBouncer, which has 3 server connections for them.
    const pool = gateway.registry.database({ repo: 'main', clientClass: 'api', server: 'primary', database: 'acme' });
    expect(topology.classes.api.poolSize).toBeGreaterThan(POOL_SIZE);
    const holding = Array.from({ length: POOL_SIZE }, () => pool.query('SELECT pg_sleep(2.5)'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const error = await pool.query('SELECT 1').then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(RepoBusyError);
    expect(error).toMatchObject({ repo: 'main', wait: 'pool' });
    expect(Date.now() - started).toBeLessThan(2200); // PgBouncer's 1 s, not the 2.5 s sleeps
    await Promise.all(holding);
    expect(await pool.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('hears a fix recorded through PgBouncer on its LISTEN connection, which goes directly to the primary', async () => {
    const server: Server = createServer((request, response) => void gateway.gateway(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      for (const deadline = Date.now() + 5_000; !gateway.live?.listening(); ) {
        if (Date.now() > deadline) throw new Error('the LISTEN connection did not come up in 5 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const [device] = await pgRows<{ id: string }>(telemetryUrl(), "SELECT id::text FROM devices WHERE tenant = 'acme' AND user_id IS NOT NULL ORDER BY id LIMIT 1");
      const client = createSseClient({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
        headers: { authorization: `Bearer ${await tokenFor('interactive', 'acme')}` },
        retryAttempts: 0,
      });
      const results: any[] = [];
      const dispose = client.subscribe(
        { query: 'subscription ($ids: [ID!]) { positionRecorded(deviceIds: $ids) { device { id user { name } } position { recordedAt } } }', variables: { ids: [device!.id] } },
        { next: (value) => void results.push(value), error: () => {}, complete: () => {} },
      );
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const recorded = await gateway.request(
          'mutation ($id: ID!, $at: DateTime!) { recordPositions(deviceId: $id, positions: [{ recordedAt: $at, latitude: 48.1, longitude: 11.5 }]) { inserted } }',
          { id: device!.id, at: recordedAt(1) },
          { clientClass: 'api' },
        );
        expect(recorded.errors).toBeUndefined();
        for (const deadline = Date.now() + 3_000; results.length === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(results).toHaveLength(1);
        expect(results[0].data.positionRecorded).toMatchObject({ device: { id: device!.id }, position: { recordedAt: recordedAt(1) } });
      } finally {
        dispose();
        client.dispose();
        await gateway.endSubscriptions();
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
