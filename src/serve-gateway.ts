/**
 * Serves a gateway over a given topology on REPOGATE_HOST:REPOGATE_PORT, and drains on SIGTERM /
 * SIGINT: stop accepting, let in-flight requests finish (up to gateway.drainTimeoutMs), close the
 * pools, exit 0. Production code: both `npm start` (dev/start.ts, after the embedded stack) and
 * the built `node dist/src/serve.js` end here, so it must not import anything dev-only.
 */
import { createServer } from 'node:http';
import net from 'node:net';
import { serverOptions, type ServerOptions, type Topology } from './config.js';
import { createRepogate } from './gateway/repogate.js';
import type { ClusterWorker } from './serve-workers.js';
import { closeWithin } from './repo/close-within.js';
import { coalesceEventStreamWrites } from './gateway/coalesce-writes.js';
import { attachWebSockets, webSocketOptions } from './gateway/websocket.js';
import { loadSubgraphs } from './subgraphs.js';
import { createLogger } from './observability/logger.js';
import { startTracingWith } from './observability/tracing.js';

/** How long the server must have been without requests before a drain counts as done. */
const QUIET_MS = 500;

export interface ServeGatewayOptions {
  server?: ServerOptions;
  /** A token GraphiQL opens with (dev only). */
  graphiqlToken?: string;
  /** The operation GraphiQL opens with (dev only). */
  graphiqlQuery?: string;
  /** Appended to the last log line, after the pools are closed. */
  stoppedHint?: string;
  /** Print the "Repogate is serving" line (a worker leaves it to the primary, which prints it once). */
  announce?: boolean;
  /** Set when this process is one worker of several (serve-workers.ts): /metrics then answers for all. */
  worker?: ClusterWorker;
}

/** Resolves with the GraphQL URL once the gateway listens; exits the process after a drain. */
export async function serveGateway(topology: Topology, options: ServeGatewayOptions = {}): Promise<{ url: string }> {
  const { server = serverOptions(), graphiqlToken, graphiqlQuery, stoppedHint, announce = true, worker } = options;
  const logger = createLogger(server.logLevel);
  const tracing = server.tracing && startTracingWith(server.tracing);
  let draining = false;
  const subgraphs = await loadSubgraphs(topology);
  const repogate = createRepogate(topology, { debug: server.debug, graphiqlToken, graphiqlQuery, logger, isDraining: () => draining, subgraphs });
  try {
    await repogate.joinForeignSubgraphs();
    await repogate.checkGrants();
  } catch (error) {
    await repogate.close();
    throw error;
  }
  worker?.shareMetrics(repogate.metrics.registry);

  let inFlight = 0;
  let lastActivity = performance.now();
  const http = createServer((request, response) => {
    inFlight += 1;
    lastActivity = performance.now();
    // While draining, keep-alive clients are told to reconnect (elsewhere) after this answer.
    if (draining) response.setHeader('connection', 'close');
    response.on('close', () => {
      inFlight -= 1;
      lastActivity = performance.now();
    });
    if (worker && request.method === 'GET' && request.url?.split('?')[0] === '/metrics') return worker.serveMetrics(response);
    coalesceEventStreamWrites(response);
    void repogate.gateway(request, response);
  });
  const webSockets = attachWebSockets(http, repogate.gateway, webSocketOptions(repogate, topology));

  await new Promise<void>((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${server.port} is already in use (REPOGATE_PORT picks another)`) : error),
    );
    http.listen(server.port, server.host, resolve);
  });
  const url = `http://${server.host}:${server.port}/graphql`;
  if (announce) console.log(`\nRepogate is serving ${url}${topology.gateway.graphiql ? ' (GraphiQL: open it in a browser)' : ''}`);

  const shutdown = async (signal: string) => {
    logger.info({ signal, inFlight }, 'draining: finishing the requests on their way, then closing');
    draining = true;
    // Subscriptions never finish on their own: end them cleanly (each stream completes), first;
    // then WebSocket clients are told the server is going away (1001) and reconnect elsewhere.
    await repogate.endSubscriptions();
    await webSockets.close();
    const deadline = performance.now() + topology.gateway.drainTimeoutMs;
    const quiet = async (until: () => boolean) => {
      while (performance.now() < deadline && !until()) await new Promise((resolve) => setTimeout(resolve, 25));
    };
    // Keep accepting until no request has started for a quiet moment: under load, connections
    // clients opened before the signal may still wait in the listen backlog, and closing the
    // listener would reset them.
    await quiet(() => performance.now() - lastActivity >= QUIET_MS);
    // Then stop listening only: http.Server#close would also close "idle" connections, which
    // under load includes connections whose request has arrived but not been read yet.
    net.Server.prototype.close.call(http);
    await quiet(() => inFlight === 0 && performance.now() - lastActivity >= QUIET_MS);
    if (inFlight > 0) logger.warn({ inFlight }, 'drain timeout: closing anyway');
    http.closeAllConnections();
    await closeWithin(() => repogate.close(), logger);
    // The batched OTLP exporter still holds the last spans: send them before exiting.
    await tracing?.shutdown();
    logger.info(stoppedHint ? `stopped (${stoppedHint})` : 'stopped');
    process.exit(0);
  };
  // Repeated signals (Ctrl-C twice, a supervisor and a process group both signalling) must not
  // fall through to the default handler, which would kill the process mid-drain.
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return logger.warn({ signal }, 'already draining');
    stopping = true;
    void shutdown(signal);
  };
  // HUP too: the terminal closing, or `npm start`'s parent gone (scripts/bootstrap.mjs passes it on).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal(signal));
  return { url };
}
