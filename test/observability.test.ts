/**
 * What operators see: /metrics (Prometheus), request ids on responses and log lines, masked
 * errors logged with their cause and request id, Authorization never logged, and OpenTelemetry
 * spans per operation and per SQL round trip.
 */
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/observability/logger.js';
import { startTracing } from '../src/observability/tracing.js';
import { openGateway, testTopology, tokenFor } from './support.js';

const gateway = openGateway();
afterAll(() => gateway.close());

const query = '{ companies(first: 2) { edges { node { name openBalanceCents users(first: 2) { edges { node { lastPosition { recordedAt } } } } } } } }';

describe('/metrics', () => {
  it('reports requests, errors by code, statements per repo and class, pools, breakers and replica lag', async () => {
    // A fresh gateway reads from the primary until its replica monitor has seen the replica up
    // and caught up (right after the stack's seed, that can take a moment).
    const replica = () => gateway.registry.replicas('main')!.states[0]!;
    const { maxReplicaLagMs } = testTopology().repos.main;
    for (const deadline = Date.now() + 10_000; !(replica().up && replica().lagMs <= maxReplicaLagMs) && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await gateway.request(query);
    await gateway.request('{ companies(first: 501) { edges { cursor } } }', undefined, { clientClass: 'api' });
    const text = await (await gateway.gateway.fetch('http://repogate.test/metrics')).text();
    expect(text).toMatch(/repogate_repo_queries_total\{repo="main",class="interactive",server="replica",outcome="ok"\} \d+/);
    expect(text).toMatch(/repogate_repo_queries_total\{repo="legacy",class="interactive",server="primary",outcome="ok"\} \d+/);
    expect(text).toMatch(/repogate_repo_query_duration_seconds_bucket\{le="0\.01",repo="telemetry",class="interactive"\}/);
    expect(text).toMatch(/repogate_pool_connections\{repo="main",class="interactive",state="total"\} \d+/);
    expect(text).toMatch(/repogate_breaker_state\{repo="legacy"\} 0/);
    expect(text).toMatch(/repogate_replica_lag_seconds\{repo="main",replica="0"\} [\d.]+/);
    expect(text).toMatch(/repogate_graphql_errors_total\{code="BAD_USER_INPUT"\} [1-9]/);
    expect(text).toMatch(/graphql_yoga_http_duration_bucket/);
    expect(text).toMatch(/repogate_process_resident_memory_bytes/);
  });
});

describe('repogate_pool_connections', () => {
  it('reports the idle connections of the MariaDB pool once requests have returned them', async () => {
    await Promise.all(Array.from({ length: 3 }, () => gateway.request('{ company(id: "5") { name openBalanceCents } }')));
    const text = await (await gateway.gateway.fetch('http://repogate.test/metrics')).text();
    const idle = /repogate_pool_connections\{repo="legacy",class="interactive",state="idle"\} (\d+)/.exec(text);
    expect(Number(idle?.[1])).toBeGreaterThan(0);
  });
});

describe('request ids and logs', () => {
  it('answers with an x-request-id (the caller\'s when well formed) and logs one line per request with it', async () => {
    const token = await tokenFor('api');
    const response = await gateway.post(query, undefined, { clientClass: 'api', headers: { 'x-request-id': 'trace-abc.123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-abc.123');
    const generated = await gateway.post(query, undefined, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const line = gateway.logs.find((entry) => entry.requestId === 'trace-abc.123');
    expect(line).toMatchObject({ msg: 'request', status: 200, clientClass: 'api', tenant: 'acme', path: '/graphql' });
    expect(JSON.stringify(gateway.logs)).not.toContain(token.split('.')[2]!);
  });

  it('logs the cause of a masked error with the request id, and sends only "Unexpected error."', async () => {
    // A listener that throws stands in for a bug: the statement's caller gets its error.
    const stopFailing = gateway.registry.onQuery(() => {
      throw new Error('boom: relation "secret_table" does not exist');
    });
    try {
      const response = await gateway.post('{ company(id: "1") { name } }');
      const body = await response.json();
      expect(body.errors[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.stringify(body)).not.toContain('secret_table');
      const requestId = response.headers.get('x-request-id');
      const logged = gateway.logs.find((entry) => entry.msg === 'unexpected error' && entry.requestId === requestId);
      expect(logged?.err?.message).toContain('secret_table');
    } finally {
      stopFailing();
    }
  });

  it('redacts Authorization wherever it is logged', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    logger.info({ headers: { authorization: 'Bearer eyJ.secret.sig' } }, 'incoming');
    expect(lines[0]).toContain('[redacted]');
    expect(lines[0]).not.toContain('eyJ.secret.sig');
  });
});

describe('OpenTelemetry', () => {
  it('records a span per operation and one per SQL round trip', async () => {
    const exporter = new InMemorySpanExporter();
    startTracing(exporter);
    try {
      const response = await gateway.request(query);
      const trips = Object.values(response.extensions!.repos!).reduce((sum, usage) => sum + usage.roundTrips, 0);
      const spans = exporter.getFinishedSpans();
      const sql = spans.filter((span) => span.name === 'repogate.sql');
      expect(sql).toHaveLength(trips);
      expect(new Set(sql.map((span) => span.attributes['repogate.repo']))).toEqual(new Set(['main', 'telemetry', 'legacy']));
      expect(spans.filter((span) => span.name === 'graphql.operation').length).toBeGreaterThanOrEqual(1);
    } finally {
      trace.disable();
    }
  });
});
