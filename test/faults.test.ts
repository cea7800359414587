/**
 * Databases going away under a running gateway: killed MariaDB, a stopped telemetry cluster,
 * connections terminated by the server. The other repos keep answering, the breaker makes the
 * lost repo fail fast, and everything recovers by itself (no gateway restart) within seconds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { stackProcesses } from '../dev/stack/stack.js';
import { openGateway, pgRows, stackInfo, type GraphQLResponse } from './support.js';

const gateway = openGateway();
const stack = stackProcesses();
afterAll(async () => {
  await stack.legacy.start();
  await stack.telemetry.start();
  await gateway.close();
});

const mixed = /* GraphQL */ `{
  companies(first: 3) { edges { node {
    name
    openBalanceCents
    users(first: 2) { edges { node { name lastPosition { recordedAt } } } }
  } } }
}`;

async function recovered(check: (response: GraphQLResponse) => boolean): Promise<number> {
  const started = performance.now();
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const response = await gateway.request(mixed);
    if (check(response)) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('did not recover within 10 s');
}

const codesOf = (response: GraphQLResponse) => [...new Set((response.errors ?? []).map((e) => `${e.extensions?.code}:${e.extensions?.repo}`))];

describe('MariaDB killed during mixed queries', () => {
  it('nulls legacy fields with REPO_UNAVAILABLE, keeps PostgreSQL fields, fails fast once the breaker opens, and recovers within 5 s', async () => {
    const load = Array.from({ length: 10 }, () => gateway.request(mixed));
    process.kill(stack.legacy.pid()!, 'SIGKILL');
    const during = [...(await Promise.all(load)), ...(await Promise.all(Array.from({ length: 10 }, () => gateway.request(mixed))))];
    for (const response of during) {
      expect(response.data!.companies.edges).toHaveLength(3); // main still answers
      expect(response.data!.companies.edges[0].node.users.edges[0].node.lastPosition).not.toBeNull(); // telemetry too
      expect(codesOf(response).every((code) => code === 'REPO_UNAVAILABLE:legacy')).toBe(true);
    }
    expect(during.some((response) => response.data!.companies.edges[0].node.openBalanceCents === null)).toBe(true);
    expect(gateway.registry.breakers.get('legacy')!.state).toBe('open');
    const rejectedBefore = gateway.registry.breakers.get('legacy')!.rejected;
    const fast = await gateway.request(mixed);
    expect(codesOf(fast)).toEqual(['REPO_UNAVAILABLE:legacy']);
    expect(gateway.registry.breakers.get('legacy')!.rejected).toBeGreaterThan(rejectedBefore); // refused without trying

    await stack.legacy.start();
    const ms = await recovered((response) => !response.errors);
    console.info(`[figures] legacy: breaker open after the kill; recovered ${Math.round(ms)} ms after mariadbd answered again`);
    expect(ms).toBeLessThan(5000);
    expect(gateway.registry.breakers.get('legacy')!.state).toBe('closed');
  });
});

describe('the telemetry cluster stopped', () => {
  it('nulls telemetry fields with REPO_UNAVAILABLE, keeps main and legacy, and recovers within 5 s of its restart', async () => {
    await stack.telemetry.stop();
    try {
      const response = await gateway.request(mixed);
      expect(response.data!.companies.edges[0].node.name).toBe('Müller GmbH');
      expect(response.data!.companies.edges[0].node.openBalanceCents).toBeGreaterThan(0);
      expect(response.data!.companies.edges[0].node.users.edges[0].node.lastPosition).toBeNull();
      expect(codesOf(response)).toEqual(['REPO_UNAVAILABLE:telemetry']);
    } finally {
      await stack.telemetry.start();
    }
    const ms = await recovered((response) => !response.errors);
    console.info(`[figures] telemetry: recovered ${Math.round(ms)} ms after its cluster was back`);
    expect(ms).toBeLessThan(5000);
  });
});

describe('connections terminated by the server', () => {
  it('leave the next queries succeeding', async () => {
    expect((await gateway.request(mixed)).errors).toBeUndefined(); // pools warm
    const { superuser, repos } = stackInfo();
    const terminated = await pgRows(
      `postgres://${superuser.user}:${superuser.password}@127.0.0.1:${repos.main.port}/postgres`,
      "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = 'repogate:main' AND state = 'idle'",
    );
    expect(terminated.length).toBeGreaterThan(0);
    console.info(`[figures] pg_terminate_backend: ${terminated.length} idle connections of main terminated`);
    const afterwards = await Promise.all(Array.from({ length: 5 }, () => gateway.request(mixed, undefined, { clientClass: 'admin' })));
    for (const response of afterwards) expect(response.errors).toBeUndefined();
  });
});
