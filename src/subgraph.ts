/**
 * The production entry of a subgraph service, run as built JavaScript with production
 * dependencies only (`npm run subgraph` is the same over tsx):
 *
 *   NODE_ENV=production REPOGATE_CONFIG=/etc/repogate.json node dist/src/subgraph.js telemetry [--port 4102]
 */
import { ConfigError, topologyFromEnvironment } from './config.js';
import { parseSubgraphArgs, serveSubgraph } from './federation/serve-subgraph.js';

try {
  const { name, port } = parseSubgraphArgs(process.argv.slice(2));
  const topology = topologyFromEnvironment();
  if (!topology) throw new ConfigError('REPOGATE_CONFIG must name the topology file');
  await serveSubgraph(topology, name, { port });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `repogate subgraph: ${(error as Error).message}`);
  process.exit(1);
}
