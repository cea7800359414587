/**
 * `npm start`: the embedded stack (unless REPOGATE_CONFIG points elsewhere), then the gateway
 * on http://127.0.0.1:4000/graphql. SIGTERM / Ctrl-C: stop accepting, let in-flight requests
 * finish (up to gateway.drainTimeoutMs), close the pools, exit 0. The stack keeps running for
 * the next start (`npm run stack:down` stops it).
 */
import { createServer } from 'node:http';
import { signDevToken } from './auth/tokens.js';
import { serverOptions, topologyFromEnvironment } from './config.js';
import { createRepogate } from './gateway/repogate.js';
import { createLogger } from './observability/logger.js';
import { startConsoleTracing } from './observability/tracing.js';
import { stackUp } from './stack/stack.js';

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
  const repogate = createRepogate(topology, { debug: server.debug, graphiqlToken, logger });
  try {
    await repogate.checkGrants();
  } catch (error) {
    await repogate.close();
    throw error;
  }

  let inFlight = 0;
  let idle: (() => void) | undefined;
  const http = createServer((request, response) => {
    inFlight += 1;
    response.on('close', () => {
      inFlight -= 1;
      if (inFlight === 0) idle?.();
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
    logger.info({ signal, inFlight }, 'draining: no new connections; waiting for in-flight requests');
    http.close();
    http.closeIdleConnections();
    const drained = new Promise<void>((resolve) => (inFlight === 0 ? resolve() : (idle = resolve)));
    const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), topology.gateway.drainTimeoutMs).unref());
    if ((await Promise.race([drained, deadline])) === 'timeout') logger.warn({ inFlight }, 'drain timeout: closing anyway');
    http.closeAllConnections();
    await repogate.close();
    logger.info('stopped (the stack keeps running; npm run stack:down stops it)');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
