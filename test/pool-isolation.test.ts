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
