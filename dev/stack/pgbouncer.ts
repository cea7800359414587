/**
 * PgBouncer (Debian's package) in front of one of the stack's PostgreSQL servers, in transaction
 * mode: the `pooler` of a repo (src/config.ts) for many gateway instances or workers. One process
 * per server, run as the `postgres` user (PgBouncer refuses root), listening on 127.0.0.1 only;
 * its config, auth file, pid file and log under the data dir. The stack starts them only when
 * asked (`REPOGATE_PGBOUNCER=1`, stack.ts); test/pgbouncer.test.ts starts its own.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chownTree, hasExited, isPidAlive, isPortTaken, runAs, userExists, waitFor } from './processes.js';

export const pgbouncerBinary = '/usr/sbin/pgbouncer';

export interface PgBouncerOptions {
  /** In messages, and its folder under `dataDir`: pgbouncer-<name>. */
  name: string;
  /** A folder the `postgres` user can enter (the servers' folder, server-dirs.ts). */
  dataDir: string;
  /** Where it listens, on 127.0.0.1. */
  port: number;
  /** The PostgreSQL server it pools, on 127.0.0.1: every database on it (a `*` entry), tenants' included. */
  serverPort: number;
  /**
   * The logins it accepts, with their passwords: its auth file. It authenticates clients with
   * SCRAM-SHA-256 against these, and logs in to the server as the same role with the same
   * password (the stack's roles have SCRAM secrets made from them).
   */
  users: readonly { user: string; password: string }[];
  /** Who may use its admin console (database `pgbouncer`: SHOW POOLS, SHOW STATS, …); one of `users`. */
  adminUser: string;
  /** Server connections per (database, role): what every gateway instance's pool of that class shares. */
  poolSize: number;
  /**
   * How long a transaction may wait for one of those server connections before PgBouncer gives
   * up (`query_wait_timeout`, whole seconds); the gateway answers REPO_BUSY, as for a wait in
   * its own class pool.
   */
  queryWaitTimeoutSeconds?: number;
  /** Who runs it when there is no `postgres` user. */
  processUser: string;
}

/** Double quotes in an auth file field are written twice. */
const quoted = (value: string) => `"${value.replaceAll('"', '""')}"`;

export class PgBouncer {
  readonly dir: string;
  readonly configFile: string;
  readonly authFile: string;
  readonly pidFile: string;
  readonly logFile: string;
  private readonly user: string;

  constructor(private readonly options: PgBouncerOptions) {
    this.dir = path.join(options.dataDir, `pgbouncer-${options.name}`);
    this.configFile = path.join(this.dir, 'pgbouncer.ini');
    this.authFile = path.join(this.dir, 'userlist.txt');
    this.pidFile = path.join(this.dir, 'pgbouncer.pid');
    this.logFile = path.join(this.dir, 'pgbouncer.log');
    this.user = userExists('postgres') ? 'postgres' : options.processUser;
  }

  get name(): string {
    return this.options.name;
  }

  get port(): number {
    return this.options.port;
  }

  /** postgres://127.0.0.1:<port>/<database>, no credentials: the `pooler` URL of a topology. */
  url(database: string): string {
    return `postgres://127.0.0.1:${this.options.port}/${encodeURIComponent(database)}`;
  }

  /** The running process (its pid file's, when that process is a pgbouncer). */
  pid(): number | undefined {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0 || !isPidAlive(pid)) return undefined;
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'pgbouncer' ? pid : undefined;
    } catch {
      return undefined; // gone meanwhile
    }
  }

  private config(): string {
    const { port, serverPort, adminUser, poolSize, queryWaitTimeoutSeconds = 120 } = this.options;
    return [
      '; Written by dev/stack/pgbouncer.ts at every start: edits here are lost.',
      '[databases]',
      '; Any database a client names (a tenant’s too) is the one of that name on the server.',
      `* = host=127.0.0.1 port=${serverPort}`,
      '',
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      '; TCP only: no Unix socket.',
      'unix_socket_dir =',
      'pool_mode = transaction',
      'auth_type = scram-sha-256',
      `auth_file = ${this.authFile}`,
      `admin_users = ${adminUser}`,
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 500',
      `query_wait_timeout = ${queryWaitTimeoutSeconds}`,
      '; Sent by psql and JDBC, not by node-postgres; harmless to drop.',
      'ignore_startup_parameters = extra_float_digits',
      `logfile = ${this.logFile}`,
      `pidfile = ${this.pidFile}`,
      '',
    ].join('\n');
  }

  /**
   * Writes its config and auth file and starts it; returns false when it was running already
   * (it then rereads both, SIGHUP).
   */
  async start(): Promise<boolean> {
    if (!existsSync(pgbouncerBinary)) throw new Error(`${pgbouncerBinary} not found: install Debian's package (apt-get install -y pgbouncer)`);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileSync(this.configFile, this.config(), { mode: 0o600 });
    writeFileSync(this.authFile, this.options.users.map(({ user, password }) => `${quoted(user)} ${quoted(password)}\n`).join(''), { mode: 0o600 });
    await chownTree(this.dir, this.user);
    const running = this.pid();
    if (running) {
      process.kill(running, 'SIGHUP');
      return false;
    }
    if (await isPortTaken(this.port)) {
      throw new Error(`port ${this.port} (pgbouncer ${this.options.name}) is taken by another process; stop it`);
    }
    // -d: it forks into the background once its config is read, and opens its port after.
    await runAs(this.user, pgbouncerBinary, ['-d', '-q', this.configFile]);
    await waitFor(`pgbouncer ${this.options.name} on port ${this.port}`, () => isPortTaken(this.port), 10_000);
    return true;
  }

  /** Immediate shutdown (SIGTERM): its clients' connections are closed, transactions rolled back. */
  async stop(): Promise<void> {
    const pid = this.pid();
    if (!pid) return;
    process.kill(pid, 'SIGTERM');
    await waitFor(`pgbouncer ${this.options.name} to exit`, async () => hasExited(pid), 10_000);
  }
}
