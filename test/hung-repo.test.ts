/**
 * A hung database: its processes stopped with SIGSTOP (a frozen VM, a stuck disk, a partition:
 * no error, no answer). Every request touching it answers within the class's statement timeout
 * plus a second, with REPO_UNAVAILABLE at that repo's fields only; the breaker counts the
 * timeouts; after SIGCONT the repo is back within 5 s with a pool that holds no dead connections.
 * A hung replica costs no error at all: reads fall back to the primary.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseTopology } from '../src/config.js';
import { hangProcessTree } from '../dev/stack/processes.js';
import { stackProcesses } from '../dev/stack/stack.js';
import { listen, openGateway, testTopology, type GraphQLResponse } from './support.js';

const STATEMENT_TIMEOUT_MS = 1500;
const bound = STATEMENT_TIMEOUT_MS + 1000;
const base = testTopology();
const topology = parseTopology({
  ...base,
  classes: { ...base.classes, interactive: { ...base.classes.interactive, statementTimeoutMs: STATEMENT_TIMEOUT_MS } },
  gateway: { ...base.gateway, breaker: { failures: 3, cooldownMs: 500 } },
});
const gateway = openGateway({ topology });
const stack = stackProcesses();
const stopped = new Set<number>();
afterAll(async () => {
  for (const pid of stopped) process.kill(pid, 'SIGCONT'); // whatever happened, leave the stack running
  await gateway.close();
});

function hang(pid: number | undefined): () => void {
  if (pid === undefined) throw new Error('the server is not running');
  const { pids, resume } = hangProcessTree(pid);
  for (const each of pids) stopped.add(each);
  return () => {
    resume();
    for (const each of pids) stopped.delete(each);
  };
}

async function timed(query: string): Promise<{ response: GraphQLResponse; ms: number }> {
  const started = performance.now();
  const response = await gateway.request(query);
  return { response, ms: performance.now() - started };
}

const codesOf = (response: GraphQLResponse) => [...new Set((response.errors ?? []).map((e) => `${e.extensions?.code}:${e.extensions?.repo}`))];

async function backWithin(ms: number, query: string, healthy: (response: GraphQLResponse) => boolean): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (healthy((await timed(query)).response)) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not back within ${ms} ms`);
}

/** Requests hitting `repo` while it hangs: bounded, coded at its fields, the rest intact, the breaker open by the end. */
async function expectBoundedWhileHung(repo: 'legacy' | 'telemetry', query: string, expectIntact: (data: any) => void, hungField: (data: any) => unknown) {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const { response, ms } = await timed(query);
    expect(ms).toBeLessThan(bound);
    expectIntact(response.data);
    expect(hungField(response.data)).toBeNull();
    expect(codesOf(response)).toEqual([expect.stringMatching(new RegExp(`^REPO_(UNAVAILABLE|BUSY):${repo}$`))]);
  }
  expect(gateway.registry.breakers.get(repo)!.state).toBe('open');
}

/** After the hang: a burst of concurrent requests all succeed, and the pool is no bigger than its size. */
async function expectHealthyPool(repo: 'legacy' | 'telemetry', query: string) {
  const burst = await Promise.all(Array.from({ length: 12 }, () => gateway.request(query)));
  for (const response of burst) expect(response.errors).toBeUndefined();
  const stats = gateway.registry.poolStats().filter((s) => s.repo === repo && s.clientClass === 'interactive');
  for (const { total } of stats) expect(total).toBeLessThanOrEqual(topology.classes.interactive.poolSize);
}

describe('MariaDB hung (SIGSTOP)', () => {
  const query = '{ company(id: "5") { name openBalanceCents } }';

  it('answers within the statement timeout plus 1 s with REPO_UNAVAILABLE at legacy fields, and is back within 5 s of SIGCONT', async () => {
    const before = await gateway.request(query);
    expect(before.errors).toBeUndefined();
    const resume = hang(stack.legacy.pid());
    try {
      await expectBoundedWhileHung('legacy', query, (data) => expect(data.company.name).toBe(before.data!.company.name), (data) => data.company.openBalanceCents);
      // /ready names the hung repo within its own bound instead of hanging with it.
      const http = await listen(gateway.gateway);
      try {
        const started = performance.now();
        const ready = await fetch(`${http.url}/ready`);
        expect(performance.now() - started).toBeLessThan(bound);
        expect(ready.status).toBe(503);
        expect((await ready.json()).down).toEqual(['legacy']);
      } finally {
        await http.close();
      }
    } finally {
      resume();
    }
    const ms = await backWithin(5000, query, (response) => !response.errors);
    console.info(`[figures] legacy hung: back ${Math.round(ms)} ms after SIGCONT`);
    expect((await gateway.request(query)).data).toEqual(before.data);
    await expectHealthyPool('legacy', query);
  });
});

describe('a PostgreSQL primary hung (telemetry, SIGSTOP on the postmaster and its backends)', () => {
  const query = '{ user(id: "7") { name lastPosition { recordedAt } } }';

  it('answers within the statement timeout plus 1 s with REPO_UNAVAILABLE at telemetry fields, and is back within 5 s of SIGCONT', async () => {
    const before = await gateway.request(query);
    expect(before.errors).toBeUndefined();
    const resume = hang(stack.telemetry.pid());
    try {
      await expectBoundedWhileHung('telemetry', query, (data) => expect(data.user.name).toBe(before.data!.user.name), (data) => data.user.lastPosition);
    } finally {
      resume();
    }
    const ms = await backWithin(5000, query, (response) => !response.errors);
    console.info(`[figures] telemetry hung: back ${Math.round(ms)} ms after SIGCONT`);
    expect((await gateway.request(query)).data).toEqual(before.data);
    await expectHealthyPool('telemetry', query);
  });
});

describe('the main replica hung', () => {
  const query = '{ companies(first: 3) { edges { node { name } } } }';
  const servedBy = (response: GraphQLResponse) => response.extensions!.repos!.main!.servedBy;

  it('costs no error: reads fall back to the primary within the bound, and return to the replica after SIGCONT', async () => {
    const before = await gateway.request(query);
    expect(servedBy(before)).toEqual(['replica']);
    const resume = hang(stack.mainReplica.pid());
    try {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const { response, ms } = await timed(query);
        expect(ms).toBeLessThan(bound);
        expect(response.errors).toBeUndefined();
        expect(response.data).toEqual(before.data);
        expect(servedBy(response)).toContain('primary');
      }
      // Once the replica monitor has seen it hang, reads go straight to the primary.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const { response, ms } = await timed(query);
      expect(servedBy(response)).toEqual(['primary']);
      expect(ms).toBeLessThan(500);
    } finally {
      resume();
    }
    const ms = await backWithin(5000, query, (response) => servedBy(response)?.includes('replica') ?? false);
    console.info(`[figures] main replica hung: reads back on it ${Math.round(ms)} ms after SIGCONT`);
  });
});

describe("main's primary hung (it also holds the tenant registry)", () => {
  const read = '{ companies(first: 3) { edges { node { name } } } }';
  const servedBy = (response: GraphQLResponse) => response.extensions!.repos!.main!.servedBy;

  it('keeps serving known tenants their reads from the replica, without waiting on the registry each time', async () => {
    const before = await gateway.request(read);
    expect(before.errors).toBeUndefined();
    const resume = hang(stack.main.pid());
    try {
      // The first lookup after the cache expired waits for the registry's bound, then falls back.
      await new Promise((resolve) => setTimeout(resolve, topology.tenancy.cacheMs + 50));
      const first = await timed(read);
      expect(first.ms).toBeLessThan(bound);
      expect(first.response.data).toEqual(before.data);
      // Then known tenants go on at once, read from the replica.
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const { response, ms } = await timed(read);
        expect(response.errors).toBeUndefined();
        expect(response.data).toEqual(before.data);
        expect(servedBy(response)).toEqual(['replica']);
        expect(ms).toBeLessThan(500);
      }
      // A tenant never seen before cannot be vouched for: its lookup is coded, not hung.
      const unknown = await gateway.request(read, undefined, { tenant: 'initech_never_seen' });
      expect(unknown.errors![0]!.extensions!.code).toMatch(/^(REPO_BUSY|REPO_UNAVAILABLE|TENANT_UNKNOWN)$/);
    } finally {
      resume();
    }
    await backWithin(5000, read, (response) => !response.errors);
  });
});
