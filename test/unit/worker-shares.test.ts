/**
 * Gateway workers split the budgets that bound a shared resource (src/serve-workers.ts): the
 * databases and services see the configured totals whatever REPOGATE_WORKERS is.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseTopology, workersFromEnvironment } from '../../src/config.js';
import { shareOf, workerTopology } from '../../src/serve-workers.js';

const roles = { interactive: { user: 'i', password: 'p' }, api: { user: 'a', password: 'p' }, admin: { user: 'd', password: 'p' } };
const topology = parseTopology({
  repos: {
    main: { driver: 'pg', url: 'postgres://db:5432/main', roles },
    telemetry: { driver: 'pg', url: 'postgres://db:5432/telemetry', roles, service: { url: 'http://t:4102/graphql', maxSockets: 16 } },
  },
  tenancy: { registryUrl: 'postgres://db:5432/registry' },
  auth: { hs256Secret: 'x'.repeat(32) },
  foreign: { badges: { url: 'http://b:4199/graphql', maxSockets: 5 } },
});

describe('worker shares', () => {
  it.each([[10, 2], [10, 3], [4, 4], [7, 2], [200, 7]])('%i split over %i workers adds up to it', (total, workers) => {
    const shares = Array.from({ length: workers }, (_, index) => shareOf(total, workers, index));
    expect(shares.reduce((sum, share) => sum + share, 0)).toBe(total);
    expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
  });

  it('gives every worker at least one connection, even when that exceeds a small total', () => {
    expect(Array.from({ length: 4 }, (_, index) => shareOf(2, 4, index))).toEqual([1, 1, 1, 1]);
  });

  it('divides class pools and sockets to services, and leaves the rest as configured', () => {
    const shares = [0, 1, 2].map((index) => workerTopology(topology, 3, index));
    const sum = (pick: (t: typeof topology) => number) => shares.reduce((total, share) => total + pick(share), 0);
    expect(sum((t) => t.classes.interactive.poolSize)).toBe(topology.classes.interactive.poolSize);
    expect(sum((t) => t.classes.api.poolSize)).toBe(topology.classes.api.poolSize);
    expect(sum((t) => t.repos.telemetry!.service!.maxSockets)).toBe(16);
    expect(sum((t) => t.foreign.badges!.maxSockets)).toBe(5);
    expect(shares[0]!.classes.interactive.statementTimeoutMs).toBe(topology.classes.interactive.statementTimeoutMs);
    expect(shares[0]!.repos.main).toEqual(topology.repos.main);
    expect(shares[0]!.classes.interactive.subscriptions).toEqual(topology.classes.interactive.subscriptions); // per process by name
  });
});

describe('REPOGATE_WORKERS', () => {
  it('defaults to one worker per core', () => {
    expect(workersFromEnvironment({})).toBe(availableParallelism());
    expect(workersFromEnvironment({ REPOGATE_WORKERS: ' 3 ' })).toBe(3);
  });

  it.each(['0', '-1', '1.5', 'many', '65'])('refuses %s, naming the variable', (given) => {
    expect(() => workersFromEnvironment({ REPOGATE_WORKERS: given })).toThrow(ConfigError);
    expect(() => workersFromEnvironment({ REPOGATE_WORKERS: given })).toThrow(/REPOGATE_WORKERS/);
  });
});
