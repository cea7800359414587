import pg from 'pg';
import type { Database, DatabaseOptions, PoolStats } from './database.js';
import { RepoBusyError, RepoUnavailableError } from '../errors.js';
import { acquireWithin, translateDriverError } from './driver-errors.js';
import type { Executor } from './repo.js';

// int8 (bigint) and numeric stay strings: ids are GraphQL IDs, money is never a float.

export class PgDatabase implements Database {
  private readonly pool: pg.Pool;

  constructor(private readonly options: DatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      idleTimeoutMillis: options.idleTimeoutMs,
      // The acquire timeout is ours (acquireWithin); this only bounds opening a connection.
      connectionTimeoutMillis: options.acquireTimeoutMs,
      statement_timeout: options.statementTimeoutMs,
      query_timeout: options.readTimeoutMs,
      application_name: `repogate:${options.repo}`,
    });
    // An idle client whose server went away emits 'error' on the pool; unhandled, it would
    // crash the process. The next query reports the outage instead.
    this.pool.on('error', () => {});
  }

  private acquire(): Promise<pg.PoolClient> {
    if (this.pool.waitingCount >= this.options.maxQueue) return Promise.reject(new RepoBusyError(this.options.repo));
    return acquireWithin(
      this.options.repo,
      this.options.acquireTimeoutMs,
      () => this.pool.connect(),
      (client) => client.release(),
      () => this.pool.totalCount >= this.options.poolSize && this.pool.idleCount === 0,
    );
  }

  async query<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const client = await this.acquire();
    let lostServer = false;
    try {
      return (await client.query(sql, params as unknown[])).rows as R[];
    } catch (error) {
      const translated = translateDriverError(this.options.repo, error);
      lostServer = translated instanceof RepoUnavailableError;
      throw translated;
    } finally {
      // A client that lost its server must not go back to the pool.
      client.release(lostServer);
    }
  }

  async transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    const tx: Executor = {
      query: async <R extends object>(sql: string, params: readonly unknown[] = []) => {
        try {
          return (await client.query(sql, params as unknown[])).rows as R[];
        } catch (error) {
          throw translateDriverError(this.options.repo, error);
        }
      },
    };
    let lostServer = false;
    try {
      await tx.query('BEGIN');
      const result = await work(tx);
      await tx.query('COMMIT');
      return result;
    } catch (error) {
      lostServer = error instanceof RepoUnavailableError;
      // A lost or hung server is not asked: dropping the connection rolls the transaction back.
      if (!lostServer) await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release(lostServer);
    }
  }

  stats(): PoolStats {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
