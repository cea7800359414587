import pg from 'pg';
import type { PoolOptions } from '../config.js';
import { RepoUnavailableError } from '../errors.js';
import { isUnreachable } from './connection-errors.js';
import type { Repo, Row } from './repo.js';

export interface PgRepoOptions {
  name: string;
  url: string;
  pool: PoolOptions;
}

// int8 (bigint) stays a string: ids are GraphQL IDs and counts may pass 2^53.
// numeric stays a string too, so money is never rounded through a float.

export class PgRepo implements Repo {
  readonly dialect = 'pg';
  readonly name: string;
  private readonly pool: pg.Pool;

  constructor({ name, url, pool }: PgRepoOptions) {
    this.name = name;
    this.pool = new pg.Pool({
      connectionString: url,
      max: pool.max,
      connectionTimeoutMillis: pool.connectTimeoutMs,
      idleTimeoutMillis: pool.idleTimeoutMs,
      application_name: `repogate:${name}`,
    });
    // An idle client whose server went away emits 'error' on the pool; unhandled, it would
    // crash the process. The next query reports the outage instead.
    this.pool.on('error', () => {});
  }

  async query<R extends object = Row>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    try {
      const result = await this.pool.query(sql, params as unknown[]);
      return result.rows as R[];
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
