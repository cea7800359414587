/**
 * The production entry, run as built JavaScript with production dependencies only:
 *
 *   NODE_ENV=production REPOGATE_CONFIG=/etc/repogate.json node --max-semi-space-size=64 dist/src/serve.js [--supergraph <file>]
 *
 * Serves the databases REPOGATE_CONFIG describes; it never starts the embedded stack, so none of
 * the dev-only code (dev/: the embedded stack, the demo seeds) is in its import graph
 * (test/production-build.test.ts checks that graph).
 */
import { parseArgs } from 'node:util';
import { ConfigError, topologyFromEnvironment } from './config.js';
import { serveWithWorkers } from './serve-workers.js';

try {
  const topology = topologyFromEnvironment();
  if (!topology) throw new ConfigError('REPOGATE_CONFIG must name the topology file (the embedded stack is for npm start only)');
  // `--supergraph <file or URL>`, as Hive Gateway and Apollo Router take it: foreign subgraphs composed elsewhere.
  const { values } = parseArgs({ options: { supergraph: { type: 'string' } } });
  if (values.supergraph) topology.supergraph = values.supergraph;
  await serveWithWorkers(topology);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `repogate: ${(error as Error).message}`);
  process.exit(1);
}
