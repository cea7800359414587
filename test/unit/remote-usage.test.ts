/**
 * A remote subgraph in the topology (`repos.<name>.service`), what the gateway still runs itself,
 * and how a request adds its services' `extensions.repos` to its own figures.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseTopology } from '../../src/config.js';
import { hostedSubgraphs } from '../../src/gateway/context.js';
import { addUsage } from '../../src/gateway/remote-subgraph.js';
import { builtInSubgraphs } from '../../src/subgraphs.js';
import type { RepoUsage } from '../../src/repo/repo.js';

const roles = { interactive: { user: 'i', password: 'p' }, api: { user: 'a', password: 'p' }, admin: { user: 'd', password: 'p' } };
const topology = (service: unknown) => ({
  repos: { telemetry: { driver: 'pg', url: 'postgres://db:5432/telemetry', roles, service } },
  tenancy: { registryUrl: 'postgres://db:5432/registry' },
  auth: { hs256Secret: 'x'.repeat(32) },
});

describe('repos.<name>.service', () => {
  it('is optional; given, its sockets default to 16', () => {
    expect(parseTopology(topology(undefined)).repos.telemetry!.service).toBeUndefined();
    expect(parseTopology(topology({ url: 'http://gps.internal:4102/graphql' })).repos.telemetry!.service).toEqual({ url: 'http://gps.internal:4102/graphql', maxSockets: 16 });
  });

  it('refuses a URL that is not http(s), a bad socket count and unknown keys, naming them', () => {
    const refusal = (service: unknown) => {
      try {
        parseTopology(topology(service), 'repogate.json');
        return 'accepted';
      } catch (error) {
        return error instanceof ConfigError ? error.message : error;
      }
    };
    expect(refusal({ url: 'postgres://db/telemetry' })).toContain('repos.telemetry.service.url: must be an http:// or https:// URL');
    expect(refusal({ url: 'http://gps:4102/graphql', maxSockets: 0 })).toContain('repos.telemetry.service.maxSockets');
    expect(refusal({ url: 'http://gps:4102/graphql', token: 'x' })).toContain('repos.telemetry.service');
  });
});

describe('addUsage', () => {
  it('adds round trips and time per repo, joins the servers and keeps the later WAL position', () => {
    const sums = new Map<string, RepoUsage>([['main', { roundTrips: 2, ms: 1.5, servedBy: ['replica'], lsn: '0/3000148' }]]);
    addUsage(sums, { main: { roundTrips: 1, ms: 2, servedBy: ['primary'], lsn: '0/2FFFFFF' }, telemetry: { roundTrips: 3, ms: 4.25 } });
    addUsage(sums, { telemetry: { roundTrips: 1, ms: 0.75, lsn: '1/0' } });
    expect(Object.fromEntries(sums)).toEqual({
      main: { roundTrips: 3, ms: 3.5, servedBy: ['replica', 'primary'], lsn: '0/3000148' },
      telemetry: { roundTrips: 4, ms: 5, lsn: '1/0' },
    });
  });

  it('ignores what is not usage: no extensions, a malformed entry or position', () => {
    const sums = new Map<string, RepoUsage>();
    for (const reported of [undefined, null, 'x', { main: { roundTrips: '1', ms: 1 } }, { main: null }]) addUsage(sums, reported);
    addUsage(sums, { main: { roundTrips: 1, ms: 1, lsn: 'not a position' } });
    expect(Object.fromEntries(sums)).toEqual({ main: { roundTrips: 1, ms: 1 } });
  });
});

describe('hostedSubgraphs', () => {
  const hosted = (...remote: string[]) => hostedSubgraphs(builtInSubgraphs, new Set(remote)).map((subgraph) => subgraph.name);

  it('runs every subgraph that is not remote, and none of the remote ones nobody here needs', () => {
    expect(hosted()).toEqual(['main', 'telemetry', 'legacy', 'training']);
    expect(hosted('telemetry', 'legacy')).toEqual(['main', 'training']);
    expect(hosted('main', 'telemetry', 'legacy')).toEqual(['training']);
  });

  it("keeps a remote subgraph that provides a fact a local one needs: main's customer codes for a local legacy", () => {
    expect(hosted('main')).toEqual(['main', 'telemetry', 'legacy', 'training']);
    expect(hosted('main', 'telemetry')).toEqual(['main', 'legacy', 'training']);
    expect(hosted('training', 'legacy')).toEqual(['main', 'telemetry', 'training']);
  });
});
