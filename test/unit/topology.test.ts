/**
 * parseTopology: a config gives only what differs from the defaults, and a bad one is refused
 * with every faulty field named, before anything connects.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, classDefaults, parseTopology } from '../../src/config.js';

const roles = { interactive: { user: 'i', password: 'p' }, api: { user: 'a', password: 'p' }, admin: { user: 'd', password: 'p' } };

/** The least a config must say. */
function minimal(): Record<string, any> {
  return {
    repos: {
      main: { driver: 'pg', url: 'postgres://db:5432/main', roles },
      telemetry: { driver: 'pg', url: 'postgres://db:5432/telemetry', roles },
      legacy: { driver: 'mysql', url: 'mysql://db:3306/legacy', roles },
    },
    tenancy: { registryUrl: 'postgres://db:5432/registry' },
    auth: { hs256Secret: 'x'.repeat(32) },
  };
}

const refusal = (raw: unknown) => {
  try {
    parseTopology(raw, 'repogate.json');
  } catch (error) {
    return error instanceof ConfigError ? error.message : error;
  }
  return 'accepted';
};

describe('parseTopology', () => {
  it('fills every default around a minimal config', () => {
    const topology = parseTopology(minimal());
    expect({
      main: topology.repos.main,
      legacy: topology.repos.legacy,
      tenancy: topology.tenancy,
      classes: topology.classes,
      gateway: topology.gateway,
      telemetry: topology.telemetry,
    }).toEqual({
      main: { driver: 'pg', url: 'postgres://db:5432/main', replicas: [], maxReplicaLagMs: 5000, roles, connectTimeoutMs: 2000, idleTimeoutMs: 30_000 },
      legacy: { driver: 'mysql', url: 'mysql://db:3306/legacy', roles, connectTimeoutMs: 2000, idleTimeoutMs: 30_000 },
      tenancy: { registryUrl: 'postgres://db:5432/registry', maxOpenTenants: 50, cacheMs: 1000, staleIfErrorMs: 300_000 },
      classes: classDefaults,
      gateway: { maxBodyBytes: 1_500_000, drainTimeoutMs: 10_000, graphiql: false, breaker: { failures: 5, cooldownMs: 1000 }, subscriptionQueue: 2000, cors: { origins: [], credentials: false } },
      telemetry: { maxTrackWindowDays: 31, maxAreaWindowHours: 24 },
    });
  });

  it('merges a partial class or gateway setting over its defaults, deeply', () => {
    const topology = parseTopology({ ...minimal(), classes: { api: { poolSize: 8, limits: { maxDepth: 6 } } }, gateway: { breaker: { failures: 2 } } });
    expect([topology.classes.api, topology.gateway.breaker]).toEqual([
      { ...classDefaults.api, poolSize: 8, limits: { ...classDefaults.api.limits, maxDepth: 6 } },
      { failures: 2, cooldownMs: 1000 },
    ]);
  });

  it('names every faulty field and the file', () => {
    const raw = minimal();
    raw.repos.main.url = 'mysql://db/main';
    raw.classes = { admin: { poolSize: 0 } };
    raw.gateway = { cors: { origins: ['app.example.com'] } };
    expect(refusal(raw)).toEqual(
      [
        'invalid Repogate config (repogate.json):',
        '  repos.main.url: must be a postgres:// URL',
        '  classes.admin.poolSize: Too small: expected number to be >0',
        '  gateway.cors.origins.0: must be an origin like https://app.example.com, a pattern with *, or *',
      ].join('\n'),
    );
  });

  it('refuses an unknown key rather than ignoring a typo', () => {
    expect(refusal({ ...minimal(), gatway: {} })).toEqual('invalid Repogate config (repogate.json):\n  (root): Unrecognized key: "gatway"');
  });
});

describe('what a topology may not say', () => {
  it('refuses credentials for every origin', () => {
    const config = { ...minimal(), gateway: { cors: { origins: ['*'], credentials: true } } };
    expect(refusal(config)).toBe('invalid Repogate config (repogate.json):\n  gateway.cors: credentials: true needs the origins listed, not *');
  });

  it('refuses a repo named like a key of the request context or of the topology', () => {
    for (const name of ['principal', 'session', 'auth']) {
      const config = minimal();
      config.repos[name] = { driver: 'pg', url: 'postgres://db:5432/x', roles };
      expect(refusal(config)).toBe(`invalid Repogate config (repogate.json):\n  repos.${name}: is reserved: the request context or the topology uses that key`);
    }
  });

  it('takes a pooler in front of a PostgreSQL repo, one per replica if any, and none for MariaDB', () => {
    const pooled = minimal();
    pooled.repos.main = { ...pooled.repos.main, replicas: ['postgres://replica:5432/main'], pooler: { url: 'postgres://bouncer:6432/main', replicas: ['postgres://bouncer-replica:6432/main'] } };
    pooled.repos.telemetry.pooler = { url: 'postgres://bouncer:6432/telemetry' };
    const topology = parseTopology(pooled);
    expect([topology.repos.main, topology.repos.telemetry]).toMatchObject([
      { url: 'postgres://db:5432/main', pooler: { url: 'postgres://bouncer:6432/main', replicas: ['postgres://bouncer-replica:6432/main'] } },
      { url: 'postgres://db:5432/telemetry', pooler: { url: 'postgres://bouncer:6432/telemetry' } },
    ]);
    const bad = minimal();
    bad.repos.main = { ...bad.repos.main, replicas: ['postgres://replica:5432/main'], pooler: { url: 'postgres://bouncer:6432/main', replicas: [] } };
    bad.repos.telemetry.pooler = { url: 'http://bouncer:6432/telemetry', poolMode: 'session' };
    bad.repos.legacy.pooler = { url: 'postgres://bouncer:6432/legacy' };
    expect(refusal(bad)).toBe(
      [
        'invalid Repogate config (repogate.json):',
        '  repos.main.pooler.replicas: must name one pooler per replica (1), in their order',
        '  repos.telemetry.pooler.url: must be a postgres:// URL',
        '  repos.telemetry.pooler: Unrecognized key: "poolMode"',
        '  repos.legacy: Unrecognized key: "pooler"',
      ].join('\n'),
    );
  });

  it('refuses a foreign subgraph named as a repo, or without a URL and no supergraph to give one', () => {
    const config = { ...minimal(), foreign: { main: { url: 'http://reviews:4001/graphql' }, reviews: {} } };
    expect(refusal(config)).toBe(
      'invalid Repogate config (repogate.json):\n  foreign.main: is the name of a repo: a foreign subgraph needs a name of its own\n  foreign.reviews.url: is needed (or a supergraph that gives it)',
    );
    expect(parseTopology({ ...minimal(), supergraph: 'supergraph.graphql', foreign: { reviews: {} } }).foreign.reviews).toEqual({
      maxSockets: 16,
      classes: ['interactive', 'api', 'admin'],
      forwardToken: true,
    });
  });
});
