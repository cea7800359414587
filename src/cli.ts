/**
 * Commands behind the npm scripts: `start` (stack + gateway), `stack:up`, `stack:down`,
 * `stack:reset`, `migrate`, `schemas`. Each prints what it does and exits non-zero with a one-line
 * reason on failure.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, topologyFromEnvironment } from './config.js';
import { printContracts, schemasDir } from './gateway/contracts.js';
import { migrateDatabase } from './migrations.js';
import { stackDown, stackReset, stackUp } from './stack/stack.js';

const commands: Record<string, () => Promise<void>> = {
  async start() {
    const { startGateway } = await import('./main.js');
    await startGateway();
  },
  async 'stack:up'() {
    await stackUp();
    console.log('stack: up (connection URLs in .data/stack.json)');
  },
  'stack:down': () => stackDown(),
  'stack:reset': () => stackReset(),
  /** Rewrites the checked-in schema contracts under schemas/. */
  async schemas() {
    for (const [file, sdl] of Object.entries(printContracts())) {
      writeFileSync(path.join(schemasDir, file), sdl);
      console.log(`wrote schemas/${file}`);
    }
  },
  /** Migrates the databases of REPOGATE_CONFIG / REPOGATE_*_URL (the stack migrates itself). */
  async migrate() {
    const topology = topologyFromEnvironment();
    if (!topology) throw new ConfigError('migrate needs REPOGATE_CONFIG or REPOGATE_*_URL');
    for (const name of ['main', 'telemetry', 'legacy'] as const) {
      const repo = topology.repos[name];
      const applied = await migrateDatabase(name, repo.driver, repo.url);
      console.log(`${name}: ${applied.length ? applied.join(', ') : 'up to date'}`);
    }
  },
};

const name = process.argv[2] ?? 'start';
const command = commands[name];
if (!command) {
  console.error(`unknown command "${name}"; known: ${Object.keys(commands).join(', ')}`);
  process.exit(2);
}
command().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `repogate ${name}: ${(error as Error).message}`);
  process.exit(1);
});
