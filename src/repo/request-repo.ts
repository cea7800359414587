/**
 * A request's view of one repo: the routing (client class, tenant database, primary or
 * replica) and the accounting (round trips, time, where they ran, the WAL position after its
 * writes). Made per request; the pools behind it belong to the process.
 */
import { repoConfig, type ClientClass, type RepoName } from '../config.js';
import { RepoBusyError, RepoUnavailableError } from '../errors.js';
import type { Database } from './database.js';
import { inSqlSpan } from '../observability/subgraph-spans.js';
import { formatLsn, parseLsn } from './lsn.js';
import type { RepoRegistry, Server } from './registry.js';
import type { Dialect, Executor, Repo, RepoUsage, Row } from './repo.js';

/** What the whole request shares: whether it is a mutation, and the positions it must read past. */
export interface RequestSession {
  readonly mode: 'query' | 'mutation';
  /** From the request's `x-repogate-lsn` header: read-your-writes per repo. */
  minLsn: Partial<Record<RepoName, bigint>>;
}

export interface RequestRepoOptions {
  clientClass: ClientClass;
  /** main: the tenant's database. */
  database?: string;
  poolCap?: number;
}

export class RequestRepo implements Repo {
  readonly usage: RepoUsage = { roundTrips: 0, ms: 0 };
  readonly dialect: Dialect;

  constructor(
    private readonly registry: RepoRegistry,
    readonly name: RepoName,
    private readonly options: RequestRepoOptions,
    private readonly session: RequestSession,
  ) {
    this.dialect = repoConfig(registry.topology, name).driver;
  }

  private pool(server: Server): Database {
    return this.registry.database({ repo: this.name, server, ...this.options });
  }

  private served(by: 'primary' | 'replica'): void {
    const servedBy = (this.usage.servedBy ??= []);
    if (!servedBy.includes(by)) servedBy.push(by);
  }

  private async timed<T>(trips: number, run: () => Promise<T>, server: 'primary' | 'replica' = 'primary'): Promise<T> {
    const started = performance.now();
    this.usage.roundTrips += trips;
    let ok = false;
    const attributes = { 'db.system': this.dialect === 'pg' ? 'postgresql' : 'mysql', 'repogate.repo': this.name, 'repogate.class': this.options.clientClass, 'repogate.server': server };
    try {
      const result = await inSqlSpan(this.name, attributes, run);
      ok = true;
      return result;
    } finally {
      const ms = performance.now() - started;
      this.usage.ms += ms;
      this.registry.reportQuery({ repo: this.name, clientClass: this.options.clientClass, server, seconds: ms / 1000, ok });
    }
  }

  async read<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    const monitor = this.session.mode === 'query' ? this.registry.replicas(this.name) : undefined;
    const replica = monitor?.pick(this.session.minLsn[this.name]);
    if (replica === undefined) return this.onPrimary(sql, params);
    try {
      const rows = await this.timed(1, () => this.pool(replica).query<R>(sql, params), 'replica');
      this.served('replica');
      return rows;
    } catch (error) {
      // The replica went away (or hangs, its pool full of statements waiting on it) since the
      // last poll: the primary answers, the client sees no error. A statement that ran past its
      // timeout would only run as long again there.
      if (error instanceof RepoUnavailableError) monitor!.markDown(replica);
      else if (!(error instanceof RepoBusyError && error.wait === 'pool')) throw error;
      return this.onPrimary(sql, params);
    }
  }

  readAnnounced<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.onPrimary(sql, params);
  }

  private async onPrimary<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    const rows = await this.timed(1, () => this.pool('primary').query<R>(sql, params));
    this.served('primary');
    return rows;
  }

  async write<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    const rows = await this.onPrimary<R>(sql, params);
    await this.recordWritePosition();
    return rows;
  }

  async transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    this.usage.roundTrips += 2; // BEGIN and COMMIT
    const result = await this.pool('primary').transaction((tx) =>
      work({ query: (sql, params) => this.timed(1, () => tx.query(sql, params)) }),
    );
    this.served('primary');
    await this.recordWritePosition();
    return result;
  }

  /**
   * After a write on PostgreSQL: the primary's WAL position, for the client's read-your-writes
   * token. The insert position, not pg_current_wal_lsn(): with asynchronous commit the commit
   * record may still sit in WAL buffers past the write position, and a replica replayed up to
   * that position would not show the write yet.
   */
  private async recordWritePosition(): Promise<void> {
    if (this.dialect !== 'pg') return;
    const [row] = await this.onPrimary<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    const lsn = parseLsn(row!.lsn);
    if (!this.usage.lsn || parseLsn(this.usage.lsn) < lsn) this.usage.lsn = formatLsn(lsn);
  }
}
