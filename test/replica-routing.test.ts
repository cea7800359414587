/**
 * Reads go to the streaming replica of main, writes and everything inside a mutation to the
 * primary; a client that sends back a mutation's WAL position reads its own writes; a replica
 * that lags or is down is skipped, without client errors, and used again once healthy.
 * Where each statement ran is proven with pg_is_in_recovery().
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RequestRepo } from '../src/repo/request-repo.js';
import { stackProcesses } from '../dev/stack/stack.js';
import { mainUrl, openGateway, pgRows, stackInfo, testTopology, type TestGateway } from './support.js';

const gateway = openGateway();
afterAll(() => gateway.close());

const replicaSuperuser = () => {
  const { superuser, repos } = stackInfo();
  return `postgres://${superuser.user}:${superuser.password}@127.0.0.1:${repos.main.replicaPort}/postgres`;
};
const pauseReplay = () => pgRows(replicaSuperuser(), 'SELECT pg_wal_replay_pause()');
const resumeReplay = () => pgRows(replicaSuperuser(), 'SELECT pg_wal_replay_resume()');

async function inRecovery(mode: 'query' | 'mutation', minLsn = {}, read: 'read' | 'readAnnounced' = 'read'): Promise<boolean> {
  const repo = new RequestRepo(gateway.registry, 'main', { clientClass: 'interactive', database: 'acme' }, { mode, minLsn });
  const [row] = await repo[read]<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
  return row!.r;
}

async function until(condition: () => Promise<boolean>, attempts = 40): Promise<number> {
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    if (await condition()) return attempt;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met after ${attempts} attempts`);
}

const servedBy = async (g: TestGateway, headers: Record<string, string> = {}) =>
  (await g.request('{ company(id: "1") { name } }', undefined, { headers })).extensions!.repos!.main!.servedBy;

describe('replica routing', () => {
  it('reads from the replica in a query and from the primary in a mutation', async () => {
    await until(async () => (await inRecovery('query')) === true); // the monitor's first poll
    expect(await inRecovery('query')).toBe(true);
    expect(await inRecovery('mutation')).toBe(false);
    expect(await servedBy(gateway)).toEqual(['replica']);
  });

  it('reads rows a live notice announced from the primary, even in a query: the replica may not have replayed them', async () => {
    await until(async () => (await inRecovery('query')) === true);
    expect(await inRecovery('query', {}, 'readAnnounced')).toBe(false);
  });

  it('lets a writer read its own write while replay is paused; others still see the replica', async () => {
    await pauseReplay();
    let entryId: string | undefined;
    try {
      const started = await gateway.post(
        'mutation { startTimeEntry(input: { userId: "395", projectId: "15", note: "ryw" }) { id } }',
      );
      const body = await started.json();
      expect(body.errors).toBeUndefined();
      entryId = body.data.startTimeEntry.id;
      const token = started.headers.get('x-repogate-lsn');
      expect(token).toMatch(/^main=[0-9A-F]+\/[0-9A-F]+$/);
      expect(body.extensions.repos.main).toMatchObject({ servedBy: ['primary'], lsn: token!.slice('main='.length) });

      const window = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };
      const entries = '{ user(id: "395") { timeEntries(from: "' + window.from + '", to: "' + window.to + '") { id } } }';
      const writer = await gateway.request(entries, undefined, { headers: { 'x-repogate-lsn': token! } });
      expect(writer.data!.user.timeEntries.map((e: any) => e.id)).toContain(entryId);
      expect(writer.extensions!.repos!.main!.servedBy).toEqual(['primary']);

      const other = await gateway.request(entries);
      expect(other.data!.user.timeEntries.map((e: any) => e.id)).not.toContain(entryId);
      expect(other.extensions!.repos!.main!.servedBy).toEqual(['replica']);
    } finally {
      await resumeReplay();
      if (entryId) await pgRows(mainUrl(), 'DELETE FROM time_entries WHERE id = $1', [entryId]);
    }
  });

  it('skips a replica lagging past the bound within 2 s, and uses it again once caught up', async () => {
    const topology = structuredClone(testTopology());
    topology.repos.main.maxReplicaLagMs = 500;
    const strict = openGateway({ topology });
    try {
      await until(async () => (await servedBy(strict))?.[0] === 'replica');
      await pauseReplay();
      await pgRows(mainUrl(), 'UPDATE companies SET name = name WHERE id = 1'); // WAL the replica will not replay
      const polls = await until(async () => (await servedBy(strict))?.[0] === 'primary', 20);
      expect(polls).toBeLessThanOrEqual(20); // 20 × 100 ms
      const ready = await (await strict.gateway.fetch('http://repogate.test/ready')).json();
      expect(ready.repos.main).toEqual({ primary: 'up', replicas: ['lagging'] });
      await resumeReplay();
      await until(async () => (await servedBy(strict))?.[0] === 'replica');
    } finally {
      await resumeReplay();
      await strict.close();
    }
  });

  it('falls back to the primary with no client error while the replica is down', async () => {
    const replica = stackProcesses().mainReplica;
    await replica.stop();
    try {
      const response = await gateway.request('{ companies(first: 2) { edges { node { name } } } }');
      expect(response.errors).toBeUndefined();
      expect(response.extensions!.repos!.main!.servedBy).toEqual(['primary']);
      const ready = await (await gateway.gateway.fetch('http://repogate.test/ready')).json();
      expect(ready).toMatchObject({ status: 'ready', repos: { main: { primary: 'up', replicas: ['down'] } } });
    } finally {
      await replica.start();
    }
    await until(async () => (await servedBy(gateway))?.[0] === 'replica', 60);
  });
});
