/**
 * A Database over one driver's pool, with the control flow written once for every dialect
 * (kysely's Driver / TransactionBuilder split): a driver only acquires, runs and releases, and
 * names its transaction statements; how a statement or a transaction uses a connection, and
 * what happens to a connection whose server was lost, is decided here.
 */
import type { Database, PoolStats } from './database.js';
import { RepoUnavailableError } from '../errors.js';
import { translateDriverError } from './driver-errors.js';
import type { Executor } from './repo.js';

/** What a dialect provides: pg-database.ts, mysql-database.ts. */
export interface Driver<C> {
  /** A connection within the pool's acquire timeout, or REPO_BUSY (or the driver's error). */
  acquire(): Promise<C>;
  run<R extends object>(connection: C, sql: string, params: readonly unknown[]): Promise<R[]>;
  /** Back to the pool, or destroyed when `broken` (its server was lost or hung). */
  release(connection: C, broken: boolean): void;
  readonly statements: { begin: string; commit: string; rollback: string };
  /**
   * A connection is a server's for one transaction only (a pooler in transaction mode): the
   * session's settings ride in `begin` (SET LOCAL), so a statement on its own runs inside
   * begin … commit too.
   */
  readonly perTransaction?: boolean;
  stats(): PoolStats;
  close(): Promise<void>;
}

export class PooledDatabase<C> implements Database {
  constructor(
    private readonly repo: string,
    private readonly driver: Driver<C>,
  ) {}

  async query<R extends object>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    if (this.driver.perTransaction) return this.transaction((tx) => tx.query<R>(sql, params));
    const connection = await this.acquire();
    let broken = false;
    try {
      return await this.run<R>(connection, sql, params);
    } catch (error) {
      broken = error instanceof RepoUnavailableError;
      throw error;
    } finally {
      this.driver.release(connection, broken);
    }
  }

  async transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    const { begin, commit, rollback } = this.driver.statements;
    const connection = await this.acquire();
    const tx: Executor = { query: (sql, params = []) => this.run(connection, sql, params) };
    let broken = false;
    try {
      await tx.query(begin);
      const result = await work(tx);
      await tx.query(commit);
      return result;
    } catch (error) {
      // A lost or hung server is not asked: dropping the connection rolls the transaction back.
      // A connection whose ROLLBACK failed is in a state nobody knows: it goes too.
      broken = error instanceof RepoUnavailableError || !(await this.driver.run(connection, rollback, []).then(() => true, () => false));
      throw error;
    } finally {
      this.driver.release(connection, broken);
    }
  }

  stats(): PoolStats {
    return this.driver.stats();
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  private async acquire(): Promise<C> {
    try {
      return await this.driver.acquire();
    } catch (error) {
      throw translateDriverError(this.repo, error);
    }
  }

  private async run<R extends object>(connection: C, sql: string, params: readonly unknown[]): Promise<R[]> {
    try {
      return await this.driver.run<R>(connection, sql, params);
    } catch (error) {
      throw translateDriverError(this.repo, error);
    }
  }
}
