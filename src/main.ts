/**
 * `npm start`: the embedded stack (unless REPOGATE_CONFIG / REPOGATE_*_URL point elsewhere),
 * then the gateway on http://127.0.0.1:4000/graphql. Ctrl-C / SIGTERM closes the listener and
 * the pools; the stack keeps running for the next start (`npm run stack:down` stops it).
 */
import { createServer } from 'node:http';
import { serverOptions, topologyFromEnvironment } from './config.js';
import { createGateway } from './gateway/yoga.js';
import { RepoRegistry } from './repo/registry.js';
import { stackUp, topologyFromStack } from './stack/stack.js';

export async function startGateway(): Promise<void> {
  const server = serverOptions();
  const topology = topologyFromEnvironment() ?? topologyFromStack(await stackUp());
  const registry = new RepoRegistry(topology);
  const gateway = createGateway({ registry, tenant: topology.tenant, debug: server.debug });
  const http = createServer(gateway);

  await new Promise<void>((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${server.port} is already in use (REPOGATE_PORT picks another)`) : error),
    );
    http.listen(server.port, server.host, resolve);
  });
  const url = `http://${server.host}:${server.port}/graphql`;
  console.log(`\nRepogate is serving ${url} (GraphiQL: open it in a browser)`);
  console.log(`Try:\n  curl -s ${url} -H 'content-type: application/json' -H 'x-repogate-debug: 1' \\`);
  console.log(`    -d '{"query":"{ companies(first: 2) { edges { node { name openBalanceCents users(first: 2) { edges { node { name lastPosition { latitude longitude } } } } } } } }"}'`);

  const shutdown = async (signal: string) => {
    console.log(`\n${signal}: closing the gateway (the stack keeps running; npm run stack:down stops it)`);
    http.close();
    await registry.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
