import mysql from 'mysql2/promise';
import type { PoolOptions } from '../config.js';
import { RepoUnavailableError } from '../errors.js';
import { isUnreachable } from './connection-errors.js';
import type { Repo, Row } from './repo.js';

export interface MysqlRepoOptions {
  name: string;
  url: string;
  pool: PoolOptions;
}

export class MysqlRepo implements Repo {
  readonly dialect = 'mysql';
  readonly name: string;
  private readonly pool: mysql.Pool;

  constructor({ name, url, pool }: MysqlRepoOptions) {
    this.name = name;
    this.pool = mysql.createPool({
      uri: url,
      connectionLimit: pool.max,
      maxIdle: pool.max,
      idleTimeout: pool.idleTimeoutMs,
      connectTimeout: pool.connectTimeoutMs,
      enableKeepAlive: true,
      charset: 'utf8mb4',
      timezone: 'Z',
      // DATE columns stay 'YYYY-MM-DD' strings: no time-zone shift, and the legacy zero date
      // '0000-00-00' arrives intact instead of as an Invalid Date.
      dateStrings: true,
      // DECIMAL stays a string so money is converted to cents without float rounding.
      decimalNumbers: false,
    });
  }

  /**
   * Uses the text protocol (`query`): mysql2 escapes every value client-side, and unlike
   * `execute` it expands an array bound to `IN (?)`.
   */
  async query<R extends object = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    try {
      const [rows] = await this.pool.query(sql, params as unknown[]);
      return rows as R[];
    } catch (error) {
      if (isUnreachable(error)) throw new RepoUnavailableError(this.name);
      throw error;
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
