/**
 * The mover's production entry, run as built JavaScript with production dependencies only:
 *
 *   NODE_ENV=production REPOGATE_CONFIG=/etc/repogate.json node dist/src/move/main.js --older-than 90d
 *
 * The same as `npm run move` in a checkout (dev/cli.ts), without the embedded stack. Exits 1 with
 * the reason when the arguments are wrong or a source stopped, 0 when every month moved.
 */
import { ConfigError, moveEnvironment, topologyFromEnvironment } from '../config.js';
import { parseMoveArgs } from './args.js';
import { runMove } from './run-move.js';

try {
  const options = parseMoveArgs(process.argv.slice(2), moveEnvironment(), new Date());
  const topology = topologyFromEnvironment();
  if (!topology) throw new ConfigError('REPOGATE_CONFIG must name the topology file');
  await runMove(topology, options);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `repogate move: ${(error as Error).message}`);
  process.exit(1);
}
