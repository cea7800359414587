/** The entry of one gateway worker process (serve-workers.ts forks it; it is not run by hand). */
import { ConfigError } from './config.js';
import { serveAsWorker } from './serve-workers.js';

try {
  await serveAsWorker();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `repogate worker: ${(error as Error).message}`);
  process.exit(1);
}
