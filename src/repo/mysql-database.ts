import mysql from 'mysql2/promise';
import type { DatabaseOptions, PoolStats } from './database.js';
import { RepoBusyError } from '../errors.js';
import { PooledDatabase, type Driver } from './pooled-database.js';

/**
 * mysql2's pool keeps its counts only in private queues (checked against mysql2 3.24): every
 * connection (open or opening), the idle ones, and the getConnection callbacks waiting.
 * Read here and nowhere else; test/observability.test.ts fails if they move.
 */
function poolQueues(pool: mysql.Pool): { all: number; free: number; waiting: number } {
  const core = pool.pool as unknown as Record<'_allConnections' | '_freeConnections' | '_connectionQueue', { length: number }>;
  return { all: core._allConnections.length, free: core._freeConnections.length, waiting: core._connectionQueue.length };
}

class MysqlDriver implements Driver<mysql.PoolConnection> {
  readonly statements = { begin: 'START TRANSACTION', commit: 'COMMIT', rollback: 'ROLLBACK' };
  private readonly pool: mysql.Pool;

  constructor(private readonly options: DatabaseOptions) {
    this.pool = mysql.createPool({
      uri: options.url,
      connectionLimit: options.poolSize,
      maxIdle: options.poolSize,
      idleTimeout: options.idleTimeoutMs,
      connectTimeout: options.acquireTimeoutMs,
      // Beyond maxQueue waiting requests getConnection fails at once ("Queue limit reached.");
      // mysql2 reads a queueLimit of 0 as "no limit", so 0 means not waiting at all.
      waitForConnections: options.maxQueue > 0,
      queueLimit: options.maxQueue,
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

  async acquire(): Promise<mysql.PoolConnection> {
    const { repo, poolSize, acquireTimeoutMs } = this.options;
    const { all, free } = poolQueues(this.pool);
    const checkout = this.pool.getConnection().catch((error: unknown) => {
      if (error instanceof Error && /^(Queue limit reached|No connections available)\./.test(error.message)) throw new RepoBusyError(repo);
      throw error;
    });
    // Opening a connection is bounded by connectTimeout. Waiting in the queue is not: mysql2's
    // pool has no acquire timeout (sidorares/node-mysql2#673; #4498 proposes one), so that wait
    // is bounded here. A waiter that gave up keeps its place in mysql2's queue (and counts
    // against queueLimit) until a connection comes, which is then handed straight back.
    if (free > 0 || all < poolSize) return checkout;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new RepoBusyError(repo));
        checkout.then((late) => late.release(), () => {});
      }, acquireTimeoutMs);
    });
    try {
      return await Promise.race([checkout, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  run<R extends object>(connection: mysql.PoolConnection, sql: string, params: readonly unknown[]): Promise<R[]> {
    // The text protocol: mysql2 escapes every value and expands an array bound to `IN (?)`,
    // which `execute` cannot.
    // `timeout`: mysql2's client-side bound (PROTOCOL_SEQUENCE_TIMEOUT); the connection is then dropped.
    return connection.query({ sql, values: params as unknown[], timeout: this.options.readTimeoutMs }).then(([rows]) => rows as R[]);
  }

  release(connection: mysql.PoolConnection, broken: boolean): void {
    if (broken) connection.destroy();
    else connection.release();
  }

  stats(): PoolStats {
    const { all, free, waiting } = poolQueues(this.pool);
    return { total: all, idle: free, waiting };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export class MysqlDatabase extends PooledDatabase<mysql.PoolConnection> {
  constructor(options: DatabaseOptions) {
    super(options.repo, new MysqlDriver(options));
  }
}
