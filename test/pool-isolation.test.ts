/**
 * One pool per (repo, client class): when every `api` connection of main is busy, api requests
 * get REPO_BUSY naming the repo after the class's acquire timeout (never a hang), and
 * interactive requests are served meanwhile from their own pool.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openGateway, testTopology } from './support.js';

const gateway = openGateway();
afterAll(() => gateway.close());

const query = '{ companies(first: 3) { edges { node { name } } } }';

describe('pool isolation', () => {
  it('saturating api leaves interactive untouched, and api gets REPO_BUSY', async () => {
    const { poolSize, acquireTimeoutMs } = testTopology().classes.api;
    // Hold every api connection to main, on the primary and on the replica.
    const hold = (server: 'primary' | number) => {
      const pool = gateway.registry.database({ repo: 'main', clientClass: 'api', server, database: 'acme' });
      return Array.from({ length: poolSize }, () => pool.query('SELECT pg_sleep(3)'));
    };
    const holding = [...hold('primary'), ...hold(0)];
    let released = false;
    void Promise.all(holding).then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 300));

    const [api, ...interactive] = await Promise.all([
      gateway.request(query, undefined, { clientClass: 'api' }),
      ...Array.from({ length: 5 }, () => gateway.request(query)),
    ]);
    // The answer came while the api connections were still held: bounded by the acquire timeout, not a hang.
    const answeredWhileHeld = !released;

    for (const response of interactive) {
      expect(response.errors).toBeUndefined();
      expect(response.data!.companies.edges).toHaveLength(3);
    }
    expect(api.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/Repo "main" is busy/), extensions: { code: 'REPO_BUSY', repo: 'main' } }),
    ]);
    expect(answeredWhileHeld).toBe(true);
    expect(acquireTimeoutMs).toBeLessThan(3000); // so the 3 s sleeps outlast the wait

    await Promise.all(holding);
    const after = await gateway.request(query, undefined, { clientClass: 'api' });
    expect(after.errors).toBeUndefined();
  });
});

describe('bounded queues', () => {
  it('refuse at once with REPO_BUSY once the queue of a pool is full', async () => {
    const { PgDatabase } = await import('../src/repo/pg-database.js');
    const { RepoBusyError } = await import('../src/errors.js');
    const { connectionUrl } = await import('../src/repo/registry.js');
    const config = testTopology().repos.main;
    const pool = new PgDatabase({
      repo: 'main',
      url: connectionUrl(config, 'primary', config.roles.api, 'acme'),
      poolSize: 1,
      maxQueue: 2,
      acquireTimeoutMs: 5000,
      statementTimeoutMs: 5000,
      readTimeoutMs: 5500,
      idleTimeoutMs: 1000,
    });
    try {
      let released = false;
      const holder = pool.query('SELECT pg_sleep(1)').then(() => (released = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const queued = [pool.query('SELECT 1'), pool.query('SELECT 1')];
      await expect(pool.query('SELECT 1')).rejects.toBeInstanceOf(RepoBusyError);
      expect(released).toBe(false); // refused while the connection was still held: no waiting
      await holder;
      await Promise.all(queued); // the queued ones are served
    } finally {
      await pool.close();
    }
  });
});

describe('the MariaDB pool', () => {
  // mysql2's pool bounds neither the wait in its queue (sidorares/node-mysql2#673) nor hands
  // back what a waiter that gave up receives: mysql-database.ts does both, pinned here.
  it('gives up on a busy pool after the acquire timeout with REPO_BUSY, hands the late connection back, and refuses beyond its queue', async () => {
    const { MysqlDatabase } = await import('../src/repo/mysql-database.js');
    const { RepoBusyError } = await import('../src/errors.js');
    const { connectionUrl } = await import('../src/repo/registry.js');
    const config = testTopology().repos.legacy;
    const pool = new MysqlDatabase({
      repo: 'legacy',
      url: connectionUrl(config, 'primary', config.roles.api),
      poolSize: 1,
      maxQueue: 2,
      acquireTimeoutMs: 200,
      statementTimeoutMs: 5000,
      readTimeoutMs: 5500,
      idleTimeoutMs: 1000,
    });
    try {
      const holder = pool.query('SELECT SLEEP(1)');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = performance.now();
      const waiting = [pool.query('SELECT 1'), pool.query('SELECT 1')];
      await expect(pool.query('SELECT 1')).rejects.toEqual(new RepoBusyError('legacy')); // the queue holds two
      expect(performance.now() - started).toBeLessThan(50);
      for (const each of waiting) await expect(each).rejects.toEqual(new RepoBusyError('legacy'));
      expect(performance.now() - started).toBeLessThan(600);
      await holder;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(pool.stats()).toEqual({ total: 1, idle: 1, waiting: 0 }); // the late connection went back, not lost
      expect(await pool.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await pool.close();
    }
  });
});
