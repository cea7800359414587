/**
 * Traces a deployment can use: switched on by the standard OTEL_* variables, sent over OTLP/HTTP
 * by the SDK's exporter to a receiver this file runs, nested request → operation → subgraph →
 * SQL statement on both execution paths (stitching, single subgraph), and joined to the caller's
 * W3C `traceparent`.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tracingFromEnvironment } from '../src/config.js';
import { builtInSubgraphs as subgraphs } from '../src/subgraphs.js';
import { soleSubgraph } from '../src/gateway/use-single-subgraph.js';
import { traceHeaders } from '../src/observability/trace-context.js';
import { inSpan, startTracingWith, type Tracing } from '../src/observability/tracing.js';
import { subgraphSchema } from '../src/subgraph-kit/subgraph.js';
import { openGateway, type GraphQLResponse } from './support.js';

// Which exporters the environment asks for is a pure function: test/unit/tracing-options.test.ts.

/** A span as the receiver decoded it from OTLP/JSON, attributes flattened. */
interface ReceivedSpan {
  traceId: string;
  /** Nanoseconds since the epoch, as decimal strings (OTLP/JSON). */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

interface OtlpKeyValue {
  key: string;
  value: Record<string, unknown>;
}

const flatten = (attributes: OtlpKeyValue[] = []) => Object.fromEntries(attributes.map(({ key, value }) => [key, Object.values(value)[0]]));

/** The smallest OTLP/HTTP traces receiver: accepts POST /v1/traces (JSON) and keeps the spans. */
async function startReceiver() {
  const spans: ReceivedSpan[] = [];
  const paths: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      paths.push(`${request.method} ${request.url} ${request.headers['content-type']}`);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { resource: { attributes: OtlpKeyValue[] }; scopeSpans: { spans: (Omit<ReceivedSpan, 'attributes' | 'resource'> & { attributes: OtlpKeyValue[] })[] }[] }[];
      };
      for (const { resource, scopeSpans } of body.resourceSpans) {
        for (const scope of scopeSpans) {
          for (const span of scope.spans) {
            spans.push({ ...span, parentSpanId: span.parentSpanId ?? '', attributes: flatten(span.attributes), resource: flatten(resource.attributes) });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const subgraphSchemas = subgraphs.map(subgraphSchema);
/** The subgraph the single-subgraph path would send `query` to, by name; undefined: stitching. */
const fastPathOf = (query: string) => subgraphs[subgraphSchemas.indexOf(soleSubgraph(parse(query), subgraphSchemas)!)]?.name;

const OTLP_SERVER_KIND = 2;
const OTLP_CLIENT_KIND = 3;

/** A span's place in the tree, readable in a failure: `repogate.sql main`, `repogate.subgraph legacy`. */
function label(span: ReceivedSpan): string {
  if (span.name === 'repogate.sql') return `repogate.sql ${String(span.attributes['repogate.repo'])}`;
  if (span.name === 'repogate.subgraph') return `repogate.subgraph ${String(span.attributes['repogate.subgraph'])}`;
  return span.name;
}

/** Each span of one trace as `child <- parent`, the caller's span (not exported here) as `caller`. */
function edges(spans: ReceivedSpan[], callerSpanId = ''): Set<string> {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  return new Set(
    spans.map((span) => {
      const parent = byId.get(span.parentSpanId);
      return `${label(span)} <- ${parent ? label(parent) : span.parentSpanId === callerSpanId ? 'caller' : `unknown ${span.parentSpanId}`}`;
    }),
  );
}

describe('OTLP traces', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let tracing: Tracing;
  const gateway = openGateway();

  beforeAll(async () => {
    receiver = await startReceiver();
    // What a deployment sets. The exporter and the resource detector read them from process.env
    // themselves; vi.unstubAllEnvs puts process.env back.
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiver.url);
    vi.stubEnv('OTEL_SERVICE_NAME', 'repogate-under-test');
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'deployment.environment.name=test');
    const options = tracingFromEnvironment(process.env);
    expect(options).toEqual({ exporters: ['otlp'] });
    tracing = startTracingWith(options!);
  });

  afterAll(async () => {
    await gateway.close();
    // Unregisters the global provider, context manager and propagator, so nothing leaks.
    await tracing?.shutdown();
    await receiver?.close();
    vi.unstubAllEnvs();
  });

  /** POSTs `query`, flushes the exporter and returns the answer and the spans of its trace. */
  async function traced(query: string, headers: Record<string, string> = {}) {
    const before = receiver.spans.length;
    const response = await gateway.post(query, undefined, { headers });
    const body = (await response.json()) as GraphQLResponse;
    expect(body.errors).toEqual(undefined);
    await tracing.flush();
    const received = receiver.spans.slice(before);
    const request = received.find((span) => span.kind === OTLP_SERVER_KIND);
    const trip = Object.values(body.extensions!.repos!).reduce((sum, usage) => sum + usage.roundTrips, 0);
    return { request: request!, spans: received.filter((span) => span.traceId === request?.traceId), roundTrips: trip };
  }

  it('joins the caller\'s trace and nests request → operation → one span per subgraph → its SQL statements', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const query = '{ companies(first: 2) { edges { node { name openBalanceCents users(first: 2) { edges { node { lastPosition { recordedAt } } } } } } } }';
    expect(fastPathOf(query)).toEqual(undefined);
    const { request, spans, roundTrips } = await traced(query, { traceparent: `00-${traceId}-${callerSpanId}-01` });

    expect(receiver.paths).toContain('POST /v1/traces application/json');
    expect(request).toMatchObject({
      traceId,
      parentSpanId: callerSpanId,
      name: 'POST /graphql',
      attributes: { 'http.request.method': 'POST', 'http.route': '/graphql', 'http.response.status_code': 200 },
      resource: { 'service.name': 'repogate-under-test', 'deployment.environment.name': 'test' },
    });
    expect(edges(spans, callerSpanId)).toEqual(
      new Set([
        'POST /graphql <- caller',
        'graphql.operation <- POST /graphql',
        'repogate.subgraph main <- graphql.operation',
        'repogate.subgraph telemetry <- graphql.operation',
        'repogate.subgraph legacy <- graphql.operation',
        'repogate.sql main <- repogate.subgraph main',
        'repogate.sql telemetry <- repogate.subgraph telemetry',
        'repogate.sql legacy <- repogate.subgraph legacy',
      ]),
    );
    // One subgraph span each, however many delegations and batches reached the subgraph.
    expect(spans.filter((span) => span.name === 'repogate.subgraph')).toHaveLength(3);
    const sql = spans.filter((span) => span.name === 'repogate.sql');
    expect(sql).toHaveLength(roundTrips);
    // Each subgraph span covers its statements: from its first one's start to its last one's end.
    for (const subgraph of spans.filter((span) => span.name === 'repogate.subgraph')) {
      const statements = sql.filter((span) => span.parentSpanId === subgraph.spanId);
      const first = statements.map((span) => BigInt(span.startTimeUnixNano)).reduce((a, b) => (a < b ? a : b));
      const last = statements.map((span) => BigInt(span.endTimeUnixNano)).reduce((a, b) => (a > b ? a : b));
      expect([BigInt(subgraph.startTimeUnixNano) <= first, BigInt(subgraph.endTimeUnixNano)]).toEqual([true, last]);
    }
    expect(new Set(sql.map((span) => span.kind))).toEqual(new Set([OTLP_CLIENT_KIND]));
    const systems = Object.fromEntries(['main', 'telemetry', 'legacy'].map((repo) => [repo, [...new Set(sql.filter((span) => span.attributes['repogate.repo'] === repo).map((span) => span.attributes['db.system']))]]));
    expect(systems).toEqual({ main: ['postgresql'], telemetry: ['postgresql'], legacy: ['mysql'] });
    expect(spans.find((span) => span.name === 'graphql.operation')?.attributes).toEqual({ 'graphql.operation.type': 'query', 'graphql.operation.name': '' });
  });

  it('nests the same way when one subgraph answers alone, and starts a trace when the caller sends none', async () => {
    const query = 'query Names { companies(first: 2) { edges { node { name } } } }';
    expect(fastPathOf(query)).toEqual('main');
    const { request, spans, roundTrips } = await traced(query);
    expect(request.parentSpanId).toEqual('');
    expect(edges(spans)).toEqual(
      new Set(['POST /graphql <- caller', 'graphql.operation <- POST /graphql', 'repogate.subgraph main <- graphql.operation', 'repogate.sql main <- repogate.subgraph main']),
    );
    expect(spans.filter((span) => span.name === 'repogate.sql')).toHaveLength(roundTrips);
    expect(spans.find((span) => span.name === 'graphql.operation')?.attributes).toEqual({ 'graphql.operation.type': 'query', 'graphql.operation.name': 'Names' });
  });

  it('gives probes and scrapes no span', async () => {
    const before = receiver.spans.length;
    await gateway.gateway.fetch('http://repogate.test/health');
    await tracing.flush();
    expect(receiver.spans.slice(before)).toEqual([]);
  });

  it('passes the active span on in the headers of outgoing requests', async () => {
    await inSpan('outgoing', {}, async (span) => {
      const { traceId, spanId } = span.spanContext();
      expect(traceHeaders({ accept: 'application/json' })).toEqual({ accept: 'application/json', traceparent: `00-${traceId}-${spanId}-01` });
    });
  });
});
