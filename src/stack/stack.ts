/**
 * The embedded local stack: real PostgreSQL clusters for `main` and `telemetry` and a real
 * MariaDB for `legacy`, all under .data/, on 127.0.0.1 only. `stackUp` is idempotent: it reuses
 * clusters that are initialised or running, migrates, seeds what is empty, and writes
 * .data/stack.json with every repo's connection URLs.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { parseTopology, stackOptions, type StackOptions, type Topology } from '../config.js';
import { migrateDatabase } from '../migrations.js';
import { seedLegacy } from '../../subgraphs/legacy/seed.js';
import { seedMain } from '../../subgraphs/main/seed.js';
import { seedTelemetry } from '../../subgraphs/telemetry/seed.js';
import { demoTenants } from './demo.js';
import { MariadbServer } from './mariadb-server.js';
import { findPgBinDir, PostgresCluster } from './postgres-cluster.js';
import { isPidAlive } from './processes.js';
import mysql from 'mysql2/promise';

export const stackPorts = { main: 54320, mainReplica: 54321, telemetry: 54322, legacy: 33306 } as const;

/** Dev-only credentials of a stack that listens on 127.0.0.1 alone. */
const SUPERUSER_PASSWORD = 'postgres';
const APP_USER = 'repogate';
const APP_PASSWORD = 'repogate';

/** The contents of .data/stack.json. */
export interface StackInfo {
  startedAt: string;
  repos: {
    main: { driver: 'pg'; port: number; tenants: Record<string, string> };
    telemetry: { driver: 'pg'; port: number; url: string };
    legacy: { driver: 'mysql'; port: number; url: string };
  };
}

type Log = (line: string) => void;

function pgUrl(port: number, database: string, user = APP_USER, password = APP_PASSWORD): string {
  return `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
}

function components(options: StackOptions) {
  const binDir = findPgBinDir(options.pgBinDir);
  const common = { dataDir: options.dataDir, binDir, superuserPassword: SUPERUSER_PASSWORD };
  return {
    main: new PostgresCluster({ ...common, name: 'main', port: stackPorts.main }),
    telemetry: new PostgresCluster({ ...common, name: 'telemetry', port: stackPorts.telemetry }),
    legacy: new MariadbServer({ dataDir: options.dataDir, name: 'legacy', port: stackPorts.legacy }),
  };
}

/**
 * One start at a time per data dir: a second `npm start` while the first is still seeding
 * fails at once with the other pid instead of racing it.
 */
function acquireLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, 'stack.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8'));
      if (isPidAlive(holder)) {
        throw new Error(`another stack start is in progress (pid ${holder}); wait for it or stop it`);
      }
      rmSync(lockFile, { force: true }); // left behind by a start that crashed
    }
  }
  throw new Error(`cannot take ${lockFile}`);
}

async function provisionPostgres(port: number, databases: readonly string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: pgUrl(port, 'postgres', 'postgres', SUPERUSER_PASSWORD) });
  await admin.connect();
  try {
    const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_USER]);
    if (role.rowCount === 0) {
      await admin.query(`CREATE ROLE ${APP_USER} LOGIN PASSWORD '${APP_PASSWORD}'`);
    }
    for (const database of databases) {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${database} OWNER ${APP_USER}`);
    }
  } finally {
    await admin.end();
  }
}

async function provisionMariadb(server: MariadbServer): Promise<void> {
  const admin = await server.adminConnection();
  try {
    await admin.query(`
      CREATE DATABASE IF NOT EXISTS legacy CHARACTER SET latin1;
      CREATE USER IF NOT EXISTS '${APP_USER}'@'127.0.0.1' IDENTIFIED BY '${APP_PASSWORD}';
      GRANT ALL PRIVILEGES ON legacy.* TO '${APP_USER}'@'127.0.0.1';`);
  } finally {
    await admin.end();
  }
}

async function withPgClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function buildInfo(): StackInfo {
  return {
    startedAt: new Date().toISOString(),
    repos: {
      main: {
        driver: 'pg',
        port: stackPorts.main,
        tenants: Object.fromEntries(demoTenants.map((t) => [t.slug, pgUrl(stackPorts.main, t.slug)])),
      },
      telemetry: { driver: 'pg', port: stackPorts.telemetry, url: pgUrl(stackPorts.telemetry, 'telemetry') },
      legacy: {
        driver: 'mysql',
        port: stackPorts.legacy,
        url: `mysql://${APP_USER}:${APP_PASSWORD}@127.0.0.1:${stackPorts.legacy}/legacy`,
      },
    },
  };
}

export function stackFile(options: StackOptions = stackOptions()): string {
  return path.join(options.dataDir, 'stack.json');
}

export async function stackUp(log: Log = console.log, options: StackOptions = stackOptions()): Promise<StackInfo> {
  const release = acquireLock(options.dataDir);
  try {
    const parts = components(options);
    for (const [name, part] of Object.entries(parts)) {
      const fresh = !part.isInitialized();
      if (fresh) log(`stack: initialising ${name} under ${path.relative(process.cwd(), part.dir) || part.dir}`);
      await part.init();
      const started = await part.start();
      log(`stack: ${name} ${started ? 'started' : 'already running'} on 127.0.0.1:${part.port}`);
    }
    const info = buildInfo();
    await provisionPostgres(stackPorts.main, demoTenants.map((t) => t.slug));
    await provisionPostgres(stackPorts.telemetry, ['telemetry']);
    await provisionMariadb(parts.legacy);

    for (const tenant of demoTenants) {
      const url = info.repos.main.tenants[tenant.slug]!;
      logApplied(log, `main/${tenant.slug}`, await migrateDatabase('main', 'pg', url));
      if (await withPgClient(url, (client) => seedMain(client, tenant))) log(`stack: seeded main/${tenant.slug}`);
    }
    logApplied(log, 'telemetry', await migrateDatabase('telemetry', 'pg', info.repos.telemetry.url));
    if (await withPgClient(info.repos.telemetry.url, seedTelemetry)) log('stack: seeded telemetry');
    logApplied(log, 'legacy', await migrateDatabase('legacy', 'mysql', info.repos.legacy.url));
    const legacy = await mysql.createConnection({ uri: info.repos.legacy.url, charset: 'utf8mb4' });
    try {
      if (await seedLegacy(legacy)) log('stack: seeded legacy');
    } finally {
      await legacy.end();
    }

    writeFileSync(stackFile(options), `${JSON.stringify(info, null, 2)}\n`);
    return info;
  } finally {
    release();
  }
}

function logApplied(log: Log, where: string, applied: string[]): void {
  if (applied.length > 0) log(`stack: migrated ${where}: ${applied.join(', ')}`);
}

export async function stackDown(log: Log = console.log, options: StackOptions = stackOptions()): Promise<void> {
  if (!existsSync(options.dataDir)) return log('stack: nothing to stop (no .data)');
  const parts = components(options);
  for (const [name, part] of Object.entries(parts)) {
    await part.stop();
    log(`stack: ${name} stopped`);
  }
}

export async function stackReset(log: Log = console.log, options: StackOptions = stackOptions()): Promise<void> {
  await stackDown(log, options);
  rmSync(options.dataDir, { recursive: true, force: true });
  log(`stack: removed ${options.dataDir}`);
}

export function readStackInfo(options: StackOptions = stackOptions()): StackInfo | undefined {
  const file = stackFile(options);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StackInfo) : undefined;
}

/** The topology of the running stack, serving `tenant` (until tenant routing lands). */
export function topologyFromStack(info: StackInfo, tenant = 'acme'): Topology {
  const main = info.repos.main.tenants[tenant];
  if (!main) throw new Error(`the stack has no tenant "${tenant}"`);
  return parseTopology(
    {
      repos: {
        main: { driver: 'pg', url: main },
        telemetry: { driver: 'pg', url: info.repos.telemetry.url },
        legacy: { driver: 'mysql', url: info.repos.legacy.url },
      },
      tenant,
    },
    stackFile(),
  );
}

/** The MariaDB process of the stack, for tests that take `legacy` down and bring it back. */
export function legacyServer(options: StackOptions = stackOptions()): MariadbServer {
  return components(options).legacy;
}
