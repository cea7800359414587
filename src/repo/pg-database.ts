import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DatabaseOptions, PoolStats } from './database.js';
import { RepoBusyError } from '../errors.js';
import { pgTypes } from './instants.js';
import { PooledDatabase, type Driver } from './pooled-database.js';

// int8 (bigint) and numeric stay strings: ids are GraphQL IDs, money is never a float.

/**
 * Statements with parameters run as named prepared statements, one per text: each connection
 * parses and plans a statement once, not once per call. Our statements are constants (each
 * subgraph's sql.ts), so the names are few, and planning was most of a short statement's cost:
 * recordPositions took 0.75-0.9 ms of the server's time unprepared, 0.14-0.21 ms prepared
 * (PostgreSQL plans it generically after five calls; 0.51 ms with force_custom_plan).
 * Statements without parameters keep the simple protocol (BEGIN, several statements in one).
 */
const statementNames = new Map<string, string>();

function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) statementNames.set(sql, (name = `rg_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`));
  return name;
}

class PgDriver implements Driver<pg.PoolClient> {
  readonly statements: Driver<pg.PoolClient>['statements'];
  readonly perTransaction: boolean;
  private readonly pool: pg.Pool;

  constructor(private readonly options: DatabaseOptions) {
    // Through a pooler in transaction mode (PgBouncer) a client connection has a server
    // connection for one transaction at a time, each time perhaps another one, shared with other
    // clients of the same role: nothing set on a session may be counted on. PgBouncer refuses a
    // startup parameter it does not know (`statement_timeout`: "unsupported startup parameter")
    // or, listed in its ignore_startup_parameters, drops it; so the class's timeout is set at
    // the start of every transaction instead, with the BEGIN in the same round trip, and a lone
    // statement gets a transaction of its own (pooled-database.ts). Named prepared statements
    // live in a server session too: through the pooler they are unnamed (PgBouncer < 1.21 has no
    // max_prepared_statements).
    const pooled = options.pooled ?? false;
    this.perTransaction = pooled;
    this.statements = {
      begin: pooled ? `BEGIN; SET LOCAL statement_timeout = ${Math.trunc(options.statementTimeoutMs)}` : 'BEGIN',
      commit: 'COMMIT',
      rollback: 'ROLLBACK',
    };
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      idleTimeoutMillis: options.idleTimeoutMs,
      // Bounds both the wait in the queue of a full pool and opening a new connection. A
      // connection freed after a waiter gave up is handed to the next one, not to it (no leak).
      connectionTimeoutMillis: options.acquireTimeoutMs,
      ...(!pooled && { statement_timeout: options.statementTimeoutMs }),
      query_timeout: options.readTimeoutMs,
      // PgBouncer passes application_name on (it is one of the parameters it tracks per client).
      application_name: `repogate:${options.repo}`,
      types: pgTypes,
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
    if (params.length === 0) return (await client.query(sql)).rows as R[];
    if (this.perTransaction) return (await client.query(sql, params as unknown[])).rows as R[];
    return (await client.query({ name: statementName(sql), text: sql, values: params as unknown[] })).rows as R[];
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
