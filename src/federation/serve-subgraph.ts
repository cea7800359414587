/**
 * Serves one subgraph as its own HTTP service (`npm run subgraph -- <name> [--port N]`) and drains
 * on SIGTERM / SIGINT / SIGHUP: stop accepting, let in-flight requests finish (up to
 * gateway.drainTimeoutMs), close the pools, exit 0. Production code: it must not import dev/.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { ConfigError, serverOptions, type Topology } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { closeWithin } from '../repo/close-within.js';
import { loadSubgraphs } from '../subgraphs.js';
import { createSubgraphService } from './subgraph-service.js';

/** Where each built-in subgraph listens unless told otherwise (DOMAIN.md). */
export const defaultSubgraphPorts: Readonly<Record<string, number>> = { main: 4101, telemetry: 4102, legacy: 4103, training: 4104 };

export interface ServeSubgraphOptions {
  /** Default: the subgraph's entry in defaultSubgraphPorts. */
  port?: number;
}

/** `<name> [--port N]`, as `npm run subgraph --` and `dist/src/subgraph.js` take them. */
export function parseSubgraphArgs(args: string[]): { name: string; port?: number } {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { port: { type: 'string' } } });
  const [name] = positionals;
  if (!name) throw new ConfigError('usage: <subgraph name> [--port N]');
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new ConfigError(`--port: must be a port number, got ${values.port}`);
  return { name, port };
}

/** Resolves with the GraphQL URL once the service listens; exits the process after a drain. */
export async function serveSubgraph(topology: Topology, name: string, options: ServeSubgraphOptions = {}): Promise<{ url: string }> {
  const { host, logLevel } = serverOptions();
  const port = options.port ?? defaultSubgraphPorts[name];
  if (port === undefined) throw new ConfigError(`subgraph ${name} has no default port: pass --port`);
  const logger = createLogger(logLevel);
  let draining = false;
  const service = createSubgraphService(topology, name, { subgraphs: await loadSubgraphs(topology), logger, isDraining: () => draining });

  let inFlight = 0;
  const http = createServer((request, response) => {
    inFlight += 1;
    if (draining) response.setHeader('connection', 'close');
    response.on('close', () => (inFlight -= 1));
    void service.handler(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new ConfigError(`port ${port} is already in use (--port picks another)`) : error));
    http.listen(port, host, resolve);
  });
  const url = `http://${host}:${port}/graphql`;
  console.log(`Repogate subgraph ${name} is serving ${url}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return logger.warn({ signal }, 'already draining');
    stopping = true;
    draining = true;
    logger.info({ signal, inFlight }, 'draining: finishing the requests on their way, then closing');
    // Stops listening and closes idle keep-alive connections; busy ones end after their answer.
    http.close();
    const deadline = performance.now() + topology.gateway.drainTimeoutMs;
    while (inFlight > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    if (inFlight > 0) logger.warn({ inFlight }, 'drain timeout: closing anyway');
    http.closeAllConnections();
    await closeWithin(() => service.close(), logger);
    logger.info('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
  return { url };
}
