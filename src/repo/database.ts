/**
 * One pool to one server, as a given role: the unit the registry opens, routes to and closes.
 * The control flow is pooled-database.ts's; one identically shaped driver file per dialect:
 * pg-database.ts, mysql-database.ts.
 */
import type { Executor } from './repo.js';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Database extends Executor {
  /** Runs `work` inside BEGIN … COMMIT on one connection (ROLLBACK if it throws). */
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T>;
  stats(): PoolStats;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** For messages: the repo name. */
  repo: string;
  url: string;
  poolSize: number;
  /** Longest wait for a connection of this pool (opening one included). */
  acquireTimeoutMs: number;
  statementTimeoutMs: number;
  /**
   * The client-side bound on one statement: a server that is hung (SIGSTOP, a frozen VM, a
   * partition) neither answers nor cancels, so past this the connection is dropped and the
   * repo reported unavailable. Longer than the server-side statement timeout, so a merely slow
   * statement is still cancelled by the server (REPO_BUSY) first.
   */
  readTimeoutMs: number;
  idleTimeoutMs: number;
  /** Requests that may wait for a connection; more are refused at once with REPO_BUSY. */
  maxQueue: number;
  /**
   * `url` is a pooler in transaction mode (PgBouncer): a connection is a server's only for one
   * transaction, so nothing may outlive one (pg only; config.ts, `pooler`).
   */
  pooled?: boolean;
}
