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
    // A client whose server went away emits 'error': on the pool while idle, on the client itself
    // while checked out (brianc/node-postgres#3202). Unhandled, either would crash the process;
    // the query in flight, or the next one, reports the outage instead.
    this.pool.on('error', () => {});
    this.pool.on('connect', (client) => client.on('error', () => {}));
  }

  async acquire(): Promise<pg.PoolClient> {
    // pg-pool's queue has no limit of its own.
    if (this.pool.waitingCount >= this.options.maxQueue) throw new RepoBusyError(this.options.repo);
    // A wait in the queue that timed out is REPO_BUSY, opening a connection that timed out
    // ("Connection terminated …") REPO_UNAVAILABLE: translateDriverError tells them apart.
    return this.pool.connect();
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
