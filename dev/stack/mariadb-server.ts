/**
 * One real MariaDB server under .data/legacy/: mariadb-install-db once, mariadbd detached,
 * listening on 127.0.0.1 only, run as the `mysql` user when we are root.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { chownTree, isPidAlive, isPortTaken, runAs, spawnDetachedAs, userExists, waitFor } from './processes.js';

export interface MariadbServerOptions {
  name: string;
  dataDir: string;
  port: number;
  /** Who runs the server when there is no `mysql` user. */
  processUser: string;
}

export function findMariadbd(): string | undefined {
  return ['/usr/sbin/mariadbd', '/usr/bin/mariadbd', '/usr/sbin/mysqld'].find((file) => existsSync(file));
}

export class MariadbServer {
  readonly dir: string;
  readonly datadir: string;
  readonly socket: string;
  readonly pidFile: string;
  readonly logFile: string;
  private readonly user: string;

  constructor(private readonly options: MariadbServerOptions) {
    this.dir = path.join(options.dataDir, options.name);
    this.datadir = path.join(this.dir, 'db');
    this.socket = path.join(this.dir, 'run', 'mysqld.sock');
    this.pidFile = path.join(this.dir, 'run', 'mysqld.pid');
    this.logFile = path.join(this.dir, 'log', 'error.log');
    this.user = userExists('mysql') ? 'mysql' : options.processUser;
  }

  get port(): number {
    return this.options.port;
  }

  isInitialized(): boolean {
    return existsSync(path.join(this.datadir, 'mysql'));
  }

  async init(): Promise<void> {
    if (this.isInitialized()) return;
    for (const dir of [this.datadir, path.dirname(this.socket), path.dirname(this.logFile)]) mkdirSync(dir, { recursive: true });
    await chownTree(this.dir, this.user);
    await runAs(this.user, 'mariadb-install-db', [
      '--no-defaults',
      `--datadir=${this.datadir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ]);
  }

  pid(): number | undefined {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isPidAlive(pid) ? pid : undefined;
  }

  /** Root over the Unix socket: the stack's own admin access, never used by the gateway. */
  adminConnection(database?: string): Promise<mysql.Connection> {
    return mysql.createConnection({ socketPath: this.socket, user: 'root', database, multipleStatements: true });
  }

  private async answers(): Promise<boolean> {
    try {
      const connection = await this.adminConnection();
      await connection.end();
      return true;
    } catch {
      return false;
    }
  }

  /** Starts mariadbd; returns false when it was already running (reused). */
  async start(): Promise<boolean> {
    if (this.pid() !== undefined && (await this.answers())) return false;
    if (await isPortTaken(this.port)) {
      throw new Error(
        `port ${this.port} (${this.options.name}) is taken by another process; stop it, or run ` +
          '`npm run stack:down` if it is a stack from another checkout',
      );
    }
    const mariadbd = findMariadbd();
    if (!mariadbd) throw new Error('mariadbd not found: install mariadb-server (npm start does it on Debian)');
    const child = spawnDetachedAs(this.user, mariadbd, [
      '--no-defaults',
      `--datadir=${this.datadir}`,
      `--port=${this.port}`,
      '--bind-address=127.0.0.1',
      `--socket=${this.socket}`,
      `--pid-file=${this.pidFile}`,
      `--log-error=${this.logFile}`,
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=256M',
      '--innodb-flush-log-at-trx-commit=2',
      '--max-connections=300',
    ]);
    let exited = false;
    child.once('exit', () => (exited = true));
    await waitFor(`MariaDB on port ${this.port} (log: ${this.logFile})`, async () => {
      if (exited) throw new Error(`mariadbd exited at start-up; see ${this.logFile}`);
      return this.answers();
    }, 60_000);
    return true;
  }

  async stop(): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) return;
    process.kill(pid, 'SIGTERM');
    await waitFor(`MariaDB (pid ${pid}) to stop`, async () => !isPidAlive(pid), 60_000);
  }
}
