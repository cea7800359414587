/**
 * The embedded local stack: real PostgreSQL clusters for `main` (with a streaming replica),
 * `telemetry` and `training`, and a real MariaDB for `legacy`, all under .data/, on 127.0.0.1 only. `stackUp`
 * is idempotent: it reuses what is initialised or running, creates the roles of the client
 * classes, migrates, grants, seeds what is empty, and writes .data/stack.json with the topology.
 * With REPOGATE_PGBOUNCER=1 it also puts PgBouncer in front of each PostgreSQL server
 * (pgbouncer.ts) and gives the repos their `pooler`.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { clientClasses, parseTopology, projectRoot, repoConfig, stackOptions, type ClientClass, type MysqlRepoConfig, type PgRepoConfig, type StackOptions, type Topology } from '../../src/config.js';
import { migrateAndGrant } from '../../src/migrations.js';
import { withPgClient } from '../../src/repo/pg-client.js';
import { databaseUrl, migrateRegistry, registerTenant } from '../../src/tenancy/tenant-admin.js';
import { seedLegacy } from '../seeds/legacy.js';
import { seedMain } from '../seeds/main.js';
import { seedTelemetry } from '../seeds/telemetry.js';
import { demoTenants, type DemoTenant } from './demo.js';
import { subgraphsFor } from '../../src/subgraphs.js';
import { MariadbServer } from './mariadb-server.js';
import { findPgBinDir, PostgresCluster } from './postgres-cluster.js';
import { PgBouncer } from './pgbouncer.js';
import { isPidAlive } from './processes.js';
import { removeOutsideDir, serverDataDir } from './server-dirs.js';

export const stackPorts = { main: 54320, mainReplica: 54321, telemetry: 54322, legacy: 33306, training: 54323 } as const;
/** PgBouncer in front of each PostgreSQL server, when asked for (REPOGATE_PGBOUNCER=1). */
export const poolerPorts = { main: 54330, mainReplica: 54331, telemetry: 54332, training: 54333 } as const;

/** Dev-only credentials of a stack that listens on 127.0.0.1 alone. */
const SUPERUSER_PASSWORD = 'postgres';
const OWNER = { user: 'repogate', password: 'repogate' };
const REPLICATOR = { user: 'repogate_replicator', password: 'replicator-dev' };
const classRoles = Object.fromEntries(
  clientClasses.map((c) => [c, { user: `repogate_${c}`, password: `${c}-dev` }]),
) as Record<ClientClass, { user: string; password: string }>;

/** The demo stack's topology: the four built-in repos, by name. */
export type StackTopology = Topology & { repos: { main: PgRepoConfig; telemetry: PgRepoConfig; legacy: MysqlRepoConfig; training: PgRepoConfig } };

/** The contents of .data/stack.json. */
export interface StackInfo {
  startedAt: string;
  /** What the gateway runs with: repos, roles, tenancy, auth. */
  topology: StackTopology;
  /** The PostgreSQL clusters' superuser: for tests that pause a replica's replay. */
  superuser: { user: string; password: string };
  /**
   * The PgBouncer ports, when the stack runs them (REPOGATE_PGBOUNCER=1); their admin console
   * (database `pgbouncer`) takes the superuser.
   */
  poolers?: typeof poolerPorts;
  /** Owner URLs (they may read everything): for direct SQL in tests and tools. */
  repos: {
    main: { port: number; replicaPort: number; tenants: Record<string, string>; registry: string };
    telemetry: { port: number; url: string };
    legacy: { port: number; url: string };
    training: { port: number; url: string };
  };
}

type Log = (line: string) => void;

function pgUrl(port: number, database: string, role?: { user: string; password: string }): string {
  const credentials = role ? `${encodeURIComponent(role.user)}:${encodeURIComponent(role.password)}@` : '';
  return `postgres://${credentials}127.0.0.1:${port}/${database}`;
}

function components(options: StackOptions) {
  const binDir = findPgBinDir(options.pgBinDir);
  const dataDir = serverDataDir(options.dataDir);
  const common = { dataDir, binDir, superuserPassword: SUPERUSER_PASSWORD, processUser: options.processUser };
  return {
    main: new PostgresCluster({ ...common, name: 'main', port: stackPorts.main }),
    telemetry: new PostgresCluster({ ...common, name: 'telemetry', port: stackPorts.telemetry }),
    training: new PostgresCluster({ ...common, name: 'training', port: stackPorts.training }),
    legacy: new MariadbServer({ dataDir, name: 'legacy', port: stackPorts.legacy, processUser: options.processUser }),
    mainReplica: new PostgresCluster({ ...common, name: 'main-replica', port: stackPorts.mainReplica }),
  };
}

/**
 * Server connections each PgBouncer opens per (database, class role), shared by every gateway
 * instance and worker: one instance's pool of the largest class (interactive's 10).
 */
const POOLER_POOL_SIZE = 10;

/** PgBouncer in front of each PostgreSQL server of the stack (not started by this). */
function poolers(options: StackOptions): Record<keyof typeof poolerPorts, PgBouncer> {
  const dataDir = serverDataDir(options.dataDir);
  // The class roles log in through it; the superuser may use its admin console.
  const users = [...Object.values(classRoles), { user: 'postgres', password: SUPERUSER_PASSWORD }];
  const pooler = (server: keyof typeof poolerPorts, name: string) =>
    new PgBouncer({
      name,
      dataDir,
      port: poolerPorts[server],
      serverPort: stackPorts[server],
      users,
      adminUser: 'postgres',
      poolSize: POOLER_POOL_SIZE,
      // A wait for one of its server connections is bounded like a wait in a class pool (1-2 s).
      queryWaitTimeoutSeconds: 1,
      processUser: options.processUser,
    });
  return { main: pooler('main', 'main'), mainReplica: pooler('mainReplica', 'main-replica'), telemetry: pooler('telemetry', 'telemetry'), training: pooler('training', 'training') };
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

/** The dev JWT secret, made once per data dir so tokens survive restarts. */
function devSecret(dataDir: string): string {
  const file = path.join(dataDir, 'jwt-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** Roles (cluster-wide) and databases of one PostgreSQL cluster, as its superuser. */
async function provisionPostgres(port: number, databases: readonly string[], withReplicator: boolean, topology: Topology): Promise<void> {
  const admin = new pg.Client({ connectionString: pgUrl(port, 'postgres', { user: 'postgres', password: SUPERUSER_PASSWORD }) });
  await admin.connect();
  try {
    const ensureRole = async (user: string, password: string, attributes: string) => {
      const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
      const verb = exists.rowCount === 0 ? 'CREATE' : 'ALTER';
      await admin.query(`${verb} ROLE ${pg.escapeIdentifier(user)} ${attributes} PASSWORD ${pg.escapeLiteral(password)}`);
    };
    await ensureRole(OWNER.user, OWNER.password, 'LOGIN CREATEDB');
    if (withReplicator) await ensureRole(REPLICATOR.user, REPLICATOR.password, 'LOGIN REPLICATION');
    for (const clientClass of clientClasses) {
      const role = classRoles[clientClass];
      // Login roles that own nothing and are not superusers: GRANTs decide what they may do.
      await ensureRole(role.user, role.password, 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE');
      await admin.query(`ALTER ROLE ${pg.escapeIdentifier(role.user)} SET statement_timeout = ${topology.classes[clientClass].statementTimeoutMs}`);
    }
    for (const database of databases) {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)} OWNER ${pg.escapeIdentifier(OWNER.user)}`);
    }
  } finally {
    await admin.end();
  }
}

/** The legacy database and one account per client class, with its statement time limit. */
async function provisionMariadb(server: MariadbServer, topology: Topology): Promise<void> {
  const admin = await server.adminConnection();
  const account = (user: string) => `${mysql.escape(user)}@'%'`;
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS legacy CHARACTER SET latin1`);
    await admin.query(`CREATE USER IF NOT EXISTS ${account(OWNER.user)} IDENTIFIED BY ${mysql.escape(OWNER.password)}`);
    await admin.query(`GRANT ALL PRIVILEGES ON legacy.* TO ${account(OWNER.user)} WITH GRANT OPTION`);
    for (const clientClass of clientClasses) {
      const role = classRoles[clientClass];
      const seconds = topology.classes[clientClass].statementTimeoutMs / 1000;
      await admin.query(`CREATE USER IF NOT EXISTS ${account(role.user)} IDENTIFIED BY ${mysql.escape(role.password)}`);
      await admin.query(`ALTER USER ${account(role.user)} WITH MAX_STATEMENT_TIME ${seconds}`);
    }
  } finally {
    await admin.end();
  }
}

function buildInfo(dataDir: string, pooled: boolean): StackInfo {
  const registry = pgUrl(stackPorts.main, 'repogate', OWNER);
  const telemetry = pgUrl(stackPorts.telemetry, 'telemetry', OWNER);
  const legacy = `mysql://${OWNER.user}:${OWNER.password}@127.0.0.1:${stackPorts.legacy}/legacy`;
  const training = pgUrl(stackPorts.training, 'training', OWNER);
  // The class pools through PgBouncer, when asked for; `url` and `replicas` stay direct.
  const pooler = (server: keyof typeof poolerPorts, database: string, replica?: keyof typeof poolerPorts) =>
    pooled ? { pooler: { url: pgUrl(poolerPorts[server], database), ...(replica && { replicas: [pgUrl(poolerPorts[replica], database)] }) } } : {};
  const topology = parseTopology(
    {
      repos: {
        main: { driver: 'pg', url: registry, replicas: [pgUrl(stackPorts.mainReplica, 'repogate')], roles: classRoles, ...pooler('main', 'repogate', 'mainReplica') },
        telemetry: { driver: 'pg', url: telemetry, roles: classRoles, ...pooler('telemetry', 'telemetry') },
        legacy: { driver: 'mysql', url: legacy, roles: classRoles },
        // ML practitioners see training only; operators see it too, and their track and
        // time-entry windows that reach before the active repos' horizon are answered from it.
        training: { driver: 'pg', url: training, roles: classRoles, classes: ['ml', 'admin'], ...pooler('training', 'training') },
      },
      tenancy: { registryUrl: registry },
      auth: { hs256Secret: devSecret(dataDir) },
      // A dev stack: GraphiQL on (with an interactive token prefilled by dev/start.ts), and frontends
      // on any localhost port may call it.
      gateway: { graphiql: true, cors: { origins: ['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*'], credentials: false } },
    },
    'the embedded stack',
  ) as StackTopology;
  return {
    startedAt: new Date().toISOString(),
    topology,
    superuser: { user: 'postgres', password: SUPERUSER_PASSWORD },
    ...(pooled && { poolers: poolerPorts }),
    repos: {
      main: {
        port: stackPorts.main,
        replicaPort: stackPorts.mainReplica,
        tenants: Object.fromEntries(demoTenants.map((t) => [t.slug, pgUrl(stackPorts.main, t.slug, OWNER)])),
        registry,
      },
      telemetry: { port: stackPorts.telemetry, url: telemetry },
      legacy: { port: stackPorts.legacy, url: legacy },
      training: { port: stackPorts.training, url: training },
    },
  };
}

export function stackFile(options: StackOptions = stackOptions()): string {
  return path.join(options.dataDir, 'stack.json');
}

async function start(log: Log, name: string, part: PostgresCluster | MariadbServer): Promise<void> {
  const started = await part.start();
  log(`stack: ${name} ${started ? 'started' : 'already running'} on 127.0.0.1:${part.port}`);
}

/**
 * `pooled` (default: REPOGATE_PGBOUNCER=1): PgBouncer in front of each PostgreSQL server, and
 * the repos' `pooler` pointing at it. Without it PgBouncers of an earlier start are left as
 * they are, unused (`stackDown` stops them).
 */
export async function stackUp(log: Log = console.log, options: StackOptions = stackOptions(), pooled = options.pgbouncer ?? false): Promise<StackInfo> {
  const release = acquireLock(options.dataDir);
  try {
    const parts = components(options);
    const info = buildInfo(options.dataDir, pooled);
    const { topology } = info;
    if (!parts.main.dir.startsWith(options.dataDir)) {
      log(`stack: the service users cannot enter this checkout's folder (mode 0700 above it?): the servers keep their files in ${path.dirname(parts.main.dir)} (linked as ${path.relative(projectRoot, options.dataDir)}/servers)`);
    }
    for (const name of ['main', 'telemetry', 'legacy', 'training'] as const) {
      const part = parts[name];
      if (!part.isInitialized()) log(`stack: initialising ${name} under ${path.relative(projectRoot, part.dir)}`);
      await part.init();
      await start(log, name, part);
    }
    await provisionPostgres(stackPorts.main, ['repogate', ...demoTenants.map((t) => t.slug)], true, topology);
    await provisionPostgres(stackPorts.telemetry, ['telemetry'], false, topology);
    await provisionPostgres(stackPorts.training, ['training'], false, topology);
    await provisionMariadb(parts.legacy, topology);

    logApplied(log, 'the tenant registry', await migrateRegistry(topology.tenancy.registryUrl));
    for (const subgraph of subgraphsFor(topology)) {
      const repo = repoConfig(topology, subgraph.name);
      const targets =
        subgraph.tenancy === 'database-per-tenant'
          ? demoTenants.map((tenant) => ({ where: `${subgraph.name}/${tenant.slug}`, url: databaseUrl(repo.url, tenant.slug), tenant }))
          : [{ where: subgraph.name, url: repo.url, tenant: undefined }];
      for (const { where, url, tenant } of targets) {
        logApplied(log, where, await migrateAndGrant(subgraph, repo.driver, url, repo.roles));
        if (await demoSeeds[subgraph.name]?.(url, tenant)) log(`stack: seeded ${where}`);
      }
    }
    for (const tenant of demoTenants) await registerTenant(topology.tenancy.registryUrl, { slug: tenant.slug, database: tenant.slug });

    // The replica last: a base backup of the seeded primary, then streaming.
    if (!parts.mainReplica.isInitialized()) log('stack: creating the streaming replica of main (pg_basebackup -R)');
    await parts.mainReplica.initReplicaOf(stackPorts.main, REPLICATOR);
    await start(log, 'main replica', parts.mainReplica);

    if (pooled) {
      for (const pooler of Object.values(poolers(options))) {
        const started = await pooler.start();
        log(`stack: pgbouncer in front of ${pooler.name} ${started ? 'started' : 'reloaded'} on 127.0.0.1:${pooler.port} (transaction mode)`);
      }
    }

    writeFileSync(stackFile(options), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
    return info;
  } finally {
    release();
  }
}

/** The demo data of the built-in subgraphs (dev only); each says whether it seeded anything. */
const demoSeeds: Record<string, (url: string, tenant?: DemoTenant) => Promise<boolean>> = {
  main: (url, tenant) => withPgClient(url, (client) => seedMain(client, tenant!)),
  telemetry: (url) => withPgClient(url, seedTelemetry),
  async legacy(url) {
    const connection = await mysql.createConnection({ uri: url, charset: 'utf8mb4' });
    try {
      return await seedLegacy(connection);
    } finally {
      await connection.end();
    }
  },
};

function logApplied(log: Log, where: string, applied: string[]): void {
  if (applied.length > 0) log(`stack: migrated ${where}: ${applied.join(', ')}`);
}

export async function stackDown(log: Log = console.log, options: StackOptions = stackOptions()): Promise<void> {
  if (!existsSync(options.dataDir)) return log('stack: nothing to stop (no .data)');
  const parts = components(options);
  // PgBouncers first (from a start with REPOGATE_PGBOUNCER=1): they front the servers.
  for (const pooler of Object.values(poolers(options))) {
    if (!pooler.pid()) continue;
    await pooler.stop();
    log(`stack: pgbouncer in front of ${pooler.name} stopped`);
  }
  for (const [name, part] of [['main replica', parts.mainReplica], ['main', parts.main], ['telemetry', parts.telemetry], ['legacy', parts.legacy], ['training', parts.training]] as const) {
    await part.stop();
    log(`stack: ${name} stopped`);
  }
}

export async function stackReset(log: Log = console.log, options: StackOptions = stackOptions()): Promise<void> {
  await stackDown(log, options);
  removeOutsideDir(options.dataDir);
  rmSync(options.dataDir, { recursive: true, force: true });
  log(`stack: removed ${options.dataDir}`);
}

export function readStackInfo(options: StackOptions = stackOptions()): StackInfo | undefined {
  const file = stackFile(options);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StackInfo) : undefined;
}

/** The processes of the stack, for tests that take one down and bring it back. */
export function stackProcesses(options: StackOptions = stackOptions()) {
  return components(options);
}

/** The stack's PgBouncers (running only after a start with REPOGATE_PGBOUNCER=1). */
export function stackPoolers(options: StackOptions = stackOptions()) {
  return poolers(options);
}

/** The MariaDB process of the stack. */
export function legacyServer(options: StackOptions = stackOptions()): MariadbServer {
  return components(options).legacy;
}
