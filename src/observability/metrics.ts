/**
 * Prometheus metrics (prom-client), served at /metrics by yoga's prometheus plugin next to its
 * own request, phase and error metrics: per repo and client class, the pools (total, idle,
 * waiting), statements (count, latency), the breakers and the replicas' lag. One registry per
 * gateway, so several gateways in one process (tests) do not collide.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RepoRegistry } from '../repo/registry.js';

export interface RepogateMetrics {
  registry: Registry;
  /** GraphQL errors by extensions.code. */
  errors: Counter<'code'>;
  queries: Counter<'repo' | 'class' | 'server' | 'outcome'>;
}

export function createMetrics(repos: RepoRegistry): RepogateMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'repogate_' });

  const queries = new Counter({
    name: 'repogate_repo_queries_total',
    help: 'SQL statements run for requests, by repo, client class, server and outcome',
    labelNames: ['repo', 'class', 'server', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'repogate_repo_query_duration_seconds',
    help: 'Time of one SQL round trip (including the wait for a connection)',
    labelNames: ['repo', 'class'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  repos.onQuery(({ repo, clientClass, server, seconds, ok }) => {
    queries.inc({ repo, class: clientClass, server, outcome: ok ? 'ok' : 'error' });
    latency.observe({ repo, class: clientClass }, seconds);
  });

  new Gauge({
    name: 'repogate_pool_connections',
    help: 'Connections of the pools of each repo and client class, by state',
    labelNames: ['repo', 'class', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { repo, clientClass, total, idle, waiting } of repos.poolStats()) {
        this.set({ repo, class: clientClass, state: 'total' }, total);
        this.set({ repo, class: clientClass, state: 'idle' }, idle);
        this.set({ repo, class: clientClass, state: 'waiting' }, waiting);
      }
    },
  });
  new Gauge({
    name: 'repogate_breaker_state',
    help: 'Circuit breaker of each repo: 0 closed, 1 half-open, 2 open',
    labelNames: ['repo'] as const,
    registers: [registry],
    // Across gateway workers (serve-workers.ts): the most open of their breakers, not a sum.
    aggregator: 'max',
    collect() {
      for (const [repo, breaker] of repos.breakers) this.set({ repo }, { closed: 0, 'half-open': 1, open: 2 }[breaker.state]);
    },
  });
  new Gauge({
    name: 'repogate_replica_lag_seconds',
    help: 'How far each replica is behind its primary (0 when caught up); -1 while it is down',
    labelNames: ['repo', 'replica'] as const,
    registers: [registry],
    // Every worker watches the same replica: the largest lag any of them saw.
    aggregator: 'max',
    collect() {
      for (const repo of repos.repoNames) {
        repos.replicas(repo)?.states.forEach((state, index) => {
          this.set({ repo, replica: String(index) }, state.up ? state.lagMs / 1000 : -1);
        });
      }
    },
  });
  const errors = new Counter({
    name: 'repogate_graphql_errors_total',
    help: 'GraphQL errors sent to clients, by extensions.code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  return { registry, errors, queries };
}
