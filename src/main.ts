/**
 * `npm start`: the embedded stack (unless REPOGATE_CONFIG points elsewhere), then the gateway
 * on http://127.0.0.1:4000/graphql. SIGTERM / Ctrl-C: stop accepting, let in-flight requests
 * finish (up to gateway.drainTimeoutMs), close the pools, exit 0. The stack keeps running for
 * the next start (`npm run stack:down` stops it).
 */
import { createServer } from 'node:http';
import net from 'node:net';
import { signDevToken } from './auth/tokens.js';
import { serverOptions, topologyFromEnvironment } from './config.js';
import { createRepogate } from './gateway/repogate.js';
import { createLogger } from './observability/logger.js';
import { startConsoleTracing } from './observability/tracing.js';
import { stackUp } from './stack/stack.js';

/** How long the server must have been without requests before a drain counts as done. */
const QUIET_MS = 500;

export async function startGateway(): Promise<void> {
  const server = serverOptions();
  const logger = createLogger(server.logLevel);
  if (server.tracing === 'console') startConsoleTracing();
  const configured = topologyFromEnvironment();
  const topology = configured ?? (await stackUp()).topology;
  // In dev (the embedded stack) GraphiQL opens with an interactive token for acme.
  const graphiqlToken =
    !configured && 'hs256Secret' in topology.auth
      ? await signDevToken(topology.auth.hs256Secret, { clientClass: 'interactive', tenant: 'acme', subject: 'graphiql', expiresIn: '30d' })
      : undefined;
  let draining = false;
  const repogate = createRepogate(topology, { debug: server.debug, graphiqlToken, logger, isDraining: () => draining });
  try {
    await repogate.checkGrants();
  } catch (error) {
    await repogate.close();
    throw error;
  }

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
    void repogate.gateway(request, response);
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${server.port} is already in use (REPOGATE_PORT picks another)`) : error),
    );
    http.listen(server.port, server.host, resolve);
  });
  const url = `http://${server.host}:${server.port}/graphql`;
  console.log(`\nRepogate is serving ${url}${topology.gateway.graphiql ? ' (GraphiQL: open it in a browser)' : ''}`);
  console.log(`Try:\n  TOKEN=$(npm run --silent token -- --class interactive --tenant acme)`);
  console.log(`  curl -s ${url} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -H 'x-repogate-debug: 1' \\`);
  console.log(`    -d '{"query":"{ companies(first: 2) { edges { node { name openBalanceCents users(first: 2) { edges { node { name lastPosition { latitude longitude } } } } } } } }"}'`);

  const shutdown = async (signal: string) => {
    logger.info({ signal, inFlight }, 'draining: finishing the requests on their way, then closing');
    draining = true;
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
    await repogate.close();
    logger.info('stopped (the stack keeps running; npm run stack:down stops it)');
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
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}
