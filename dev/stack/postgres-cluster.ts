/**
 * One real PostgreSQL cluster under .data/<name>/: initdb once, pg_ctl start/stop, run as the
 * `postgres` user (PostgreSQL refuses root), listening on 127.0.0.1 only.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chownTree, isPidAlive, isPortTaken, runAs, userExists } from './processes.js';

export interface PostgresClusterOptions {
  /** Repo name, used in messages and as the folder under the data dir. */
  name: string;
  dataDir: string;
  port: number;
  /** Directory holding initdb and pg_ctl. */
  binDir: string;
  superuserPassword: string;
  /** Who runs the server when there is no `postgres` user. */
  processUser: string;
}

export function findPgBinDir(configured: string | undefined): string {
  if (configured) return configured;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((entry) => existsSync(path.join(root, entry, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql; set REPOGATE_PG_BIN');
  }
  return path.join(root, versions[0]!, 'bin');
}

export class PostgresCluster {
  readonly dir: string;
  readonly pgdata: string;
  readonly logFile: string;
  readonly socketDir: string;
  private readonly user: string;

  constructor(private readonly options: PostgresClusterOptions) {
    this.dir = path.join(options.dataDir, options.name);
    this.pgdata = path.join(this.dir, 'pgdata');
    this.logFile = path.join(this.dir, 'log', 'postgres.log');
    this.socketDir = path.join(this.dir, 'run');
    this.user = userExists('postgres') ? 'postgres' : options.processUser;
  }

  get port(): number {
    return this.options.port;
  }

  private bin(tool: string): string {
    return path.join(this.options.binDir, tool);
  }

  /** The postmaster's pid while the cluster runs (postmaster.pid's first line). */
  pid(): number | undefined {
    const file = path.join(this.pgdata, 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && isPidAlive(pid) ? pid : undefined;
  }

  isInitialized(): boolean {
    return existsSync(path.join(this.pgdata, 'PG_VERSION'));
  }

  async init(): Promise<void> {
    if (this.isInitialized()) return;
    for (const dir of [this.dir, path.dirname(this.logFile), this.socketDir]) mkdirSync(dir, { recursive: true });
    const pwfile = path.join(this.dir, 'superuser.pw');
    writeFileSync(pwfile, this.options.superuserPassword, { mode: 0o600 });
    await chownTree(this.dir, this.user);
    await runAs(this.user, this.bin('initdb'), [
      '-D', this.pgdata,
      '-U', 'postgres',
      '--pwfile', pwfile,
      '--auth-host=scram-sha-256',
      '--auth-local=peer',
      '--encoding=UTF8',
      '--locale=C.UTF-8',
    ]);
  }

  /**
   * Makes this cluster a streaming replica of the one on `primaryPort` (pg_basebackup -R): it
   * starts in recovery and follows the primary's WAL.
   */
  async initReplicaOf(primaryPort: number, replicator: { user: string; password: string }): Promise<void> {
    if (this.isInitialized()) return;
    for (const dir of [this.dir, path.dirname(this.logFile), this.socketDir]) mkdirSync(dir, { recursive: true });
    await chownTree(this.dir, this.user);
    await runAs(this.user, 'env', [
      `PGPASSWORD=${replicator.password}`,
      this.bin('pg_basebackup'),
      '-h', '127.0.0.1',
      '-p', String(primaryPort),
      '-U', replicator.user,
      '-D', this.pgdata,
      '-R',
      '-X', 'stream',
      '-c', 'fast',
    ]);
  }

  async isRunning(): Promise<boolean> {
    if (!this.isInitialized()) return false;
    try {
      await runAs(this.user, this.bin('pg_ctl'), ['status', '-D', this.pgdata]);
      return true;
    } catch {
      return false;
    }
  }

  /** Starts the cluster; returns false when it was already running (reused). */
  async start(): Promise<boolean> {
    if (await this.isRunning()) return false;
    if (await isPortTaken(this.port)) {
      throw new Error(
        `port ${this.port} (${this.options.name}) is taken by another process; stop it, or run ` +
          '`npm run stack:down` if it is a stack from another checkout',
      );
    }
    const settings = [
      `-c listen_addresses=127.0.0.1`,
      `-c port=${this.port}`,
      `-c unix_socket_directories=${this.socketDir}`,
      `-c max_connections=200`,
      `-c shared_buffers=256MB`,
      // No fsync (a dev stack survives no OS crash), but a commit is written before it is
      // acknowledged: a crash-like stop of the server (the fault soak's) loses no acknowledged write.
      `-c fsync=off`,
      `-c synchronous_commit=on`,
    ].join(' ');
    await runAs(this.user, this.bin('pg_ctl'), ['start', '-D', this.pgdata, '-l', this.logFile, '-w', '-t', '60', '-o', settings]);
    return true;
  }

  /**
   * `fast` rolls back open transactions and shuts down cleanly; `immediate` quits at once, like
   * a crash (the soak's fault), and the next start runs crash recovery.
   */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!(await this.isRunning())) return;
    await runAs(this.user, this.bin('pg_ctl'), ['stop', '-D', this.pgdata, '-m', mode, '-w', '-t', '60']);
  }
}
