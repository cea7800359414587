import pg from 'pg';
import type { DatabaseOptions, PoolStats } from './database.js';
import { RepoBusyError } from '../errors.js';
import { PooledDatabase, type Driver } from './pooled-database.js';

// int8 (bigint) and numeric stay strings: ids are GraphQL IDs, money is never a float.

class PgDriver implements Driver<pg.PoolClient> {
  readonly statements = { begin: 'BEGIN', commit: 'COMMIT', rollback: 'ROLLBACK' };
  private readonly pool: pg.Pool;

  constructor(private readonly options: DatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      idleTimeoutMillis: options.idleTimeoutMs,
      // Bounds both the wait in the queue of a full pool and opening a new connection. A
      // connection freed after a waiter gave up is handed to the next one, not to it (no leak).
      connectionTimeoutMillis: options.acquireTimeoutMs,
      statement_timeout: options.statementTimeoutMs,
      query_timeout: options.readTimeoutMs,
      application_name: `repogate:${options.repo}`,
    });
    // An idle client whose server went away emits 'error' on the pool; unhandled, it would
    // crash the process. The next query reports the outage instead.
    this.pool.on('error', () => {});
  }

  async acquire(): Promise<pg.PoolClient> {
    // pg-pool's queue has no limit of its own.
    if (this.pool.waitingCount >= this.options.maxQueue) throw new RepoBusyError(this.options.repo);
    try {
      return await this.pool.connect();
    } catch (error) {
      // pg-pool's message for a wait in the queue that timed out: every connection was taken.
      // (Opening a connection that timed out is "Connection terminated …": unreachable.)
      if (error instanceof Error && error.message === 'timeout exceeded when trying to connect') throw new RepoBusyError(this.options.repo);
      throw error;
    }
  }

  async run<R extends object>(client: pg.PoolClient, sql: string, params: readonly unknown[]): Promise<R[]> {
    return (await client.query(sql, params as unknown[])).rows as R[];
  }

  release(client: pg.PoolClient, broken: boolean): void {
    client.release(broken);
  }

  stats(): PoolStats {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export class PgDatabase extends PooledDatabase<pg.PoolClient> {
  constructor(options: DatabaseOptions) {
    super(options.repo, new PgDriver(options));
  }
}
