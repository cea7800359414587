/**
 * A subgraph of ours reached over HTTP: its Federation v2 service (`npm run subgraph`, same
 * descriptor) at `repos.<name>.service.url`. The gateway stitches it with the descriptor's own
 * SDL and merge config, so the plan (which entry point, how many keys per call) is the one of
 * in-process; only the execution goes over the wire, as `@graphql-tools/executor-http` requests
 * that carry the client's own token (the service trusts nothing else, README "Subgraphs as
 * services").
 *
 * - Connections: one keep-alive undici `Pool` per subgraph with at most `maxSockets` connections;
 *   the executor gets a small fetch over it (fetchThrough).
 * - Time: a request waits at most its class's statement timeout (plus the margin the pools give
 *   a hung server), so a hung service costs a bounded wait.
 * - Faults: a service that refuses, hangs or answers no GraphQL is REPO_UNAVAILABLE at the
 *   fields it would have resolved; its breaker (the repos' RepoBreaker) opens after as many
 *   such failures as a repo's, fails fast meanwhile and closes once the service's /health
 *   answers again. Errors the service itself answers (its own REPO_BUSY, FORBIDDEN, …) pass as
 *   they are and do not count.
 * - Accounting: each answer's `extensions.repos` (the service's round trips and time per repo)
 *   is added to the request's (`GatewayContext.addRemoteUsage`), so `extensions.repos` reports
 *   every repo as in-process.
 */
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import type { GraphQLError } from 'graphql';
import { Pool, type Dispatcher } from 'undici';
import type { ClassOptions, ClientClass, ForeignSubgraphConfig, RepoName } from '../config.js';
import { RepoUnavailableError } from '../errors.js';
import { traceHeaders } from '../observability/trace-context.js';
import { RepoBreaker, type BreakerOptions } from '../repo/breaker.js';
import { parseLsn } from '../repo/lsn.js';
import { HUNG_AFTER_STATEMENT_TIMEOUT_MS, type ServerState } from '../repo/registry.js';
import type { RepoUsage } from '../repo/repo.js';
import type { GatewayContext } from './context.js';
import { LSN_HEADER } from './use-request-session.js';

export interface RemoteSubgraphOptions {
  name: RepoName;
  /** The service's GraphQL endpoint. */
  url: string;
  maxSockets: number;
  classes: Record<ClientClass, Pick<ClassOptions, 'statementTimeoutMs'>>;
  breaker: BreakerOptions;
  /**
   * Not one of our services but another team's Federation v2 subgraph (foreign-subgraphs.ts): it
   * has neither our /health nor our `extensions.repos`, so the breaker probes it with `{ __typename }`
   * and each request counts as one round trip to it; it gets the client's token only if told to.
   */
  foreign?: Pick<ForeignSubgraphConfig, 'forwardToken' | 'timeoutMs'>;
}

/** How long the breaker's probe of the service's /health may take. */
const PROBE_TIMEOUT_MS = 1000;

/**
 * What executor-http answers when no GraphQL answer came back: the connection failed
 * (SUBREQUEST_HTTP_ERROR), the request timed out (TIMEOUT_ERROR) or the body was not a GraphQL
 * response (RESPONSE_VALIDATION_FAILED, a proxy's 502 page).
 */
const transportFailures: ReadonlySet<unknown> = new Set(['SUBREQUEST_HTTP_ERROR', 'TIMEOUT_ERROR', 'RESPONSE_VALIDATION_FAILED']);

function isTransportFailure(result: ExecutionResult): boolean {
  return (result.errors ?? []).some((error: GraphQLError) => transportFailures.has(error.extensions?.code));
}

/** An answer executor-http reads whole (JSON): what it uses of a fetch Response, without building one. */
function plainAnswer(status: number, statusText: string, headers: IncomingHttpHeaders, text: string): Response {
  const header = (name: string) => {
    const value = headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  };
  return {
    status,
    statusText,
    ok: status >= 200 && status < 300,
    headers: { get: header, has: (name: string) => header(name) !== null, entries: () => Object.entries(headers).map(([name, value]) => [name, String(value)])[Symbol.iterator]() },
    text: async () => text,
    json: async () => JSON.parse(text) as unknown,
  } as unknown as Response;
}

/** A streamed answer (SSE, multipart) as a real Response, which executor-http reads as a stream. */
function streamedAnswer(status: number, statusText: string, headers: IncomingHttpHeaders, body: string): Response {
  const answerHeaders = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) answerHeaders.append(name, one);
  }
  return new Response(status === 204 || status === 304 ? null : body, { status, statusText, headers: answerHeaders });
}

/** The path and query of an absolute URL (`/` when it names none), parsed once per URL. */
const paths = new Map<string, string>();
export function pathOf(url: string): string {
  let path = paths.get(url);
  if (path === undefined) {
    const { pathname, search } = new URL(url);
    paths.set(url, (path = pathname + search));
  }
  return path;
}

/**
 * A fetch over an undici `Pool` (the service's keep-alive connections, at most `maxSockets`):
 * what executor-http needs, nothing more. undici's `request` rather than node:http's client or
 * any fetch: node:http's request and response streams were the largest part of the gateway's
 * CPU per hop in the profile, and a WHATWG Response (Headers, a body stream) costs more per request
 * than the exchange itself. So a JSON answer comes back as a plain object with the Response members
 * executor-http reads.
 *
 * The wait, from the call, is bounded by a timer of ours that the exchange races: undici settles
 * an aborted request only once a connection takes it, so a request queued behind `maxSockets`
 * hung ones (or behind a connection still opening) would otherwise wait for them. The abort then
 * reaches undici, which drops the request when its turn comes. Not the executor's signal:
 * executor-http ties every request's signal to one executor-wide AbortController, whose listeners
 * pile up with the requests in flight, and an AbortSignal.timeout per request was itself a
 * measurable cost. Closing the gateway closes the pool.
 */
function fetchThrough(pool: Pool, timeout: (context: unknown) => number): (url: string, init?: RequestInit, context?: unknown) => Promise<Response> {
  return (url, init = {}, context) => {
    const limit = timeout(context);
    const abort = new EventEmitter();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.emit('abort');
        reject(Object.assign(new Error(`no answer from ${url} within ${limit} ms`), { name: 'TimeoutError' }));
      }, limit);
    });
    const exchange = (async () => {
      const { statusCode, statusText, headers, body } = await pool.request({
        path: pathOf(url),
        method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: init.headers as Record<string, string>,
        body: typeof init.body === 'string' ? init.body : undefined,
        signal: abort,
      });
      const text = await body.text();
      const type = String(headers['content-type'] ?? '');
      return type.includes('text/event-stream') || type.includes('multipart/mixed') ? streamedAnswer(statusCode, statusText, headers, text) : plainAnswer(statusCode, statusText, headers, text);
    })();
    // Whichever loses the race settles unobserved: the exchange when undici drops it, the timer never.
    exchange.catch(() => {});
    timedOut.catch(() => {});
    return Promise.race([exchange, timedOut]).finally(() => clearTimeout(timer));
  };
}

/** Sums one service's figures into a request's: round trips and time add up, servers join, the later WAL position wins. */
export function addUsage(into: Map<RepoName, RepoUsage>, reported: unknown): void {
  if (typeof reported !== 'object' || reported === null) return;
  for (const [repo, figures] of Object.entries(reported as Record<string, Partial<RepoUsage>>)) {
    if (typeof figures?.roundTrips !== 'number' || typeof figures.ms !== 'number') continue;
    const usage = into.get(repo) ?? { roundTrips: 0, ms: 0 };
    usage.roundTrips += figures.roundTrips;
    usage.ms += figures.ms;
    for (const server of figures.servedBy ?? []) {
      const servedBy = (usage.servedBy ??= []);
      if (!servedBy.includes(server)) servedBy.push(server);
    }
    if (typeof figures.lsn === 'string' && isLater(figures.lsn, usage.lsn)) usage.lsn = figures.lsn;
    into.set(repo, usage);
  }
}

/** The delegating request's context: the gateway's (the HTTP request, its principal, its figures). */
function callerOf(request: ExecutionRequest | undefined): (Partial<Pick<GatewayContext, 'principal' | 'addRemoteUsage'>> & { request?: Request; requestId?: string }) | undefined {
  return request?.context as never;
}

function isLater(lsn: string, than: string | undefined): boolean {
  try {
    return parseLsn(lsn) > (than === undefined ? -1n : parseLsn(than));
  } catch {
    return false; // a malformed position is ignored, as in a client's x-repogate-lsn
  }
}

export class RemoteSubgraph {
  readonly name: RepoName;
  readonly breaker: RepoBreaker;
  readonly executor: Executor;
  /** The service's /ready: down when the service, or a repo it holds, does not answer. */
  readonly ready: () => Promise<ServerState>;
  private readonly pool: Pool;

  private readonly foreign: RemoteSubgraphOptions['foreign'];

  constructor({ name, url, maxSockets, classes, breaker, foreign }: RemoteSubgraphOptions) {
    this.name = name;
    this.foreign = foreign;
    const endpoint = new URL(url);
    this.pool = new Pool(endpoint.origin, { connections: maxSockets });
    // The class's statement timeout, and the margin the pools give a hung server: the service's own REPO_BUSY comes first.
    const fetch = fetchThrough(this.pool, (context) => {
      if (foreign?.timeoutMs) return foreign.timeoutMs;
      const clientClass = (context as Partial<GatewayContext> | undefined)?.principal?.clientClass;
      return (clientClass ? classes[clientClass].statementTimeoutMs : Math.max(...Object.values(classes).map((c) => c.statementTimeoutMs))) + HUNG_AFTER_STATEMENT_TIMEOUT_MS;
    });
    const probe = fetchThrough(this.pool, () => PROBE_TIMEOUT_MS);
    const health = foreign
      ? () => probe(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })
      : () => probe(new URL('/health', endpoint).toString());
    this.breaker = new RepoBreaker(name, breaker, async () => {
      const response = await health().catch(() => undefined);
      if (!response?.ok) throw new RepoUnavailableError(name);
    });
    const ready = new URL('/ready', endpoint).toString();
    this.ready = async () => ((await probe(ready).catch(() => undefined))?.ok ? 'up' : 'down');
    const overHttp = buildHTTPExecutor({
      endpoint: url,
      fetch,
      headers: (request) => {
        const caller = callerOf(request);
        const forwarded: Record<string, string> = {};
        for (const name of foreign ? (foreign.forwardToken ? ['authorization'] : []) : ['authorization', LSN_HEADER]) {
          const value = caller?.request?.headers.get(name);
          if (value) forwarded[name] = value;
        }
        // The service logs under the gateway's id for the request (useRequestId takes a caller's).
        if (caller?.requestId) forwarded['x-request-id'] = caller.requestId;
        // The active span's traceparent too, so a service that traces joins the client's trace.
        return traceHeaders(forwarded);
      },
      // Two requests' identical fetches stay two: each answer carries its own request's figures.
      deduplicateInflightRequests: false,
    });
    this.executor = (request: ExecutionRequest) => this.execute(overHttp, request);
  }

  private async execute(overHttp: Executor, request: ExecutionRequest): Promise<ExecutionResult> {
    let result: ExecutionResult;
    const started = performance.now();
    try {
      result = await this.breaker.run(async () => {
        const answer = (await overHttp(request)) as ExecutionResult;
        if (isTransportFailure(answer)) throw new RepoUnavailableError(this.name);
        return answer;
      });
    } catch (error) {
      if (error instanceof RepoUnavailableError) return { errors: [error] };
      throw error;
    }
    // Ours report their repos' round trips; a foreign service's one round trip is the request itself.
    const usage = this.foreign ? { [this.name]: { roundTrips: 1, ms: performance.now() - started } } : result.extensions?.repos;
    callerOf(request)?.addRemoteUsage?.(usage);
    return result;
  }

  close(): void {
    this.breaker.shutdown();
    // Its sockets are closed either way; a failure to say so must not become an unhandled rejection.
    this.pool.destroy().catch(() => {});
  }
}
