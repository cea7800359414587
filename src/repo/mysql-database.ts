import mysql from 'mysql2/promise';
import type { Database, DatabaseOptions, PoolStats } from './database.js';
import { RepoBusyError, RepoUnavailableError } from '../errors.js';
import { acquireWithin, translateDriverError } from './driver-errors.js';
import type { Executor } from './repo.js';

export class MysqlDatabase implements Database {
  private readonly pool: mysql.Pool;
  private inUse = 0;
  private waiting = 0;

  constructor(private readonly options: DatabaseOptions) {
    this.pool = mysql.createPool({
      uri: options.url,
      connectionLimit: options.poolSize,
      maxIdle: options.poolSize,
      idleTimeout: options.idleTimeoutMs,
      connectTimeout: options.acquireTimeoutMs,
      enableKeepAlive: true,
      charset: 'utf8mb4',
      timezone: 'Z',
      // DATE stays 'YYYY-MM-DD': no time-zone shift, and the legacy zero date arrives intact.
      dateStrings: true,
      // DECIMAL stays a string so money is converted to cents without float rounding.
      decimalNumbers: false,
    });
    // The class's statement timeout, enforced by the server (MariaDB's max_statement_time, in
    // seconds). The callback matters: a failing statement without one emits an unhandled 'error'.
    this.pool.pool.on('connection', (connection) => {
      // Bounded like every statement: a command that never ends would hold back the ones queued behind it.
      const sql = 'SET SESSION max_statement_time = ?';
      connection.query({ sql, values: [options.statementTimeoutMs / 1000], timeout: options.readTimeoutMs }, () => {});
    });
  }

  private async acquire(): Promise<mysql.PoolConnection> {
    if (this.waiting >= this.options.maxQueue) throw new RepoBusyError(this.options.repo);
    this.waiting += 1;
    try {
      const connection = await acquireWithin(
        this.options.repo,
        this.options.acquireTimeoutMs,
        () => this.pool.getConnection(),
        (late) => late.release(),
        () => this.inUse >= this.options.poolSize,
      );
      this.inUse += 1;
      return connection;
    } finally {
      this.waiting -= 1;
    }
  }

  private release(connection: mysql.PoolConnection, broken: boolean): void {
    this.inUse -= 1;
    if (broken) connection.destroy();
    else connection.release();
  }

  private run<R>(connection: mysql.PoolConnection, sql: string, params: readonly unknown[]): Promise<R[]> {
    // The text protocol: mysql2 escapes every value and expands an array bound to `IN (?)`,
    // which `execute` cannot.
    // `timeout`: mysql2's client-side bound (PROTOCOL_SEQUENCE_TIMEOUT); the connection is then dropped.
    return connection.query({ sql, values: params as unknown[], timeout: this.options.readTimeoutMs }).then(([rows]) => rows as R[]);
  }

  async query<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    const connection = await this.acquire();
    let lostServer = false;
    try {
      return await this.run<R>(connection, sql, params);
    } catch (error) {
      const translated = translateDriverError(this.options.repo, error);
      lostServer = translated instanceof RepoUnavailableError;
      throw translated;
    } finally {
      this.release(connection, lostServer);
    }
  }

  async transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    const connection = await this.acquire();
    const tx: Executor = {
      query: async <R extends object>(sql: string, params: readonly unknown[] = []) => {
        try {
          return await this.run<R>(connection, sql, params);
        } catch (error) {
          throw translateDriverError(this.options.repo, error);
        }
      },
    };
    let lostServer = false;
    try {
      await tx.query('START TRANSACTION');
      const result = await work(tx);
      await tx.query('COMMIT');
      return result;
    } catch (error) {
      lostServer = error instanceof RepoUnavailableError;
      // A lost or hung server is not asked: dropping the connection rolls the transaction back.
      if (!lostServer) await this.run(connection, 'ROLLBACK', []).catch(() => {});
      throw error;
    } finally {
      this.release(connection, lostServer);
    }
  }

  stats(): PoolStats {
    return { total: this.inUse, idle: 0, waiting: this.waiting };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
