/**
 * `npm start`: the embedded stack (unless REPOGATE_CONFIG points elsewhere), then the gateway
 * on http://127.0.0.1:4000/graphql. Ctrl-C / SIGTERM closes the listener and the pools; the
 * stack keeps running for the next start (`npm run stack:down` stops it).
 */
import { createServer } from 'node:http';
import { signDevToken } from './auth/tokens.js';
import { serverOptions, topologyFromEnvironment } from './config.js';
import { createRepogate } from './gateway/repogate.js';
import { stackUp } from './stack/stack.js';

export async function startGateway(): Promise<void> {
  const server = serverOptions();
  const configured = topologyFromEnvironment();
  const topology = configured ?? (await stackUp()).topology;
  // In dev (the embedded stack) GraphiQL opens with an interactive token for acme.
  const graphiqlToken =
    !configured && 'hs256Secret' in topology.auth
      ? await signDevToken(topology.auth.hs256Secret, { clientClass: 'interactive', tenant: 'acme', subject: 'graphiql', expiresIn: '30d' })
      : undefined;
  const repogate = createRepogate(topology, { debug: server.debug, graphiqlToken });
  try {
    await repogate.checkGrants();
  } catch (error) {
    await repogate.close();
    throw error;
  }
  const http = createServer(repogate.gateway);

  await new Promise<void>((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${server.port} is already in use (REPOGATE_PORT picks another)`) : error),
    );
    http.listen(server.port, server.host, resolve);
  });
  const url = `http://${server.host}:${server.port}/graphql`;
  console.log(`\nRepogate is serving ${url} (GraphiQL: open it in a browser)`);
  console.log(`Try:\n  TOKEN=$(npm run --silent token -- --class interactive --tenant acme)`);
  console.log(`  curl -s ${url} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -H 'x-repogate-debug: 1' \\`);
  console.log(`    -d '{"query":"{ companies(first: 2) { edges { node { name openBalanceCents users(first: 2) { edges { node { name lastPosition { latitude longitude } } } } } } } }"}'`);

  const shutdown = async (signal: string) => {
    console.log(`\n${signal}: closing the gateway (the stack keeps running; npm run stack:down stops it)`);
    http.close();
    await repogate.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
