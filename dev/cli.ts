/**
 * Commands behind the npm scripts: `start` (stack + gateway), `subgraph`, `supergraph`, `stack:up`, `stack:down`,
 * `stack:reset`, `migrate`, `schemas`, `token`, `tenant`, `move`. Each prints what it does and exits non-zero with a one-line
 * reason on failure.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, moveEnvironment, repoConfig, topologyFromEnvironment } from '../src/config.js';
import { printContracts, schemasDir } from '../src/gateway/contracts.js';
import { parseArgs } from 'node:util';
import { signDevToken } from '../src/auth/tokens.js';
import { migrateTopology } from '../src/migrate-topology.js';
import { builtInSubgraphs, loadSubgraphs } from '../src/subgraphs.js';
import { readStackInfo, stackDown, stackReset, stackUp } from './stack/stack.js';
import { addTenant, setTenantStatus } from '../src/tenancy/tenant-admin.js';

const commands: Record<string, () => Promise<void>> = {
  async start() {
    const { startGateway } = await import('./start.js');
    await startGateway();
  },
  /**
   * `subgraph <name> [--port N]`: one subgraph as its own Federation v2 service, over REPOGATE_CONFIG
   * or the running stack (it starts none: `npm run stack:up` first).
   */
  async subgraph() {
    const { parseSubgraphArgs, serveSubgraph } = await import('../src/federation/serve-subgraph.js');
    const { name, port } = parseSubgraphArgs(process.argv.slice(3));
    const topology = topologyFromEnvironment() ?? readStackInfo()?.topology;
    if (!topology) throw new ConfigError('subgraph needs the stack (npm run stack:up first) or REPOGATE_CONFIG');
    await serveSubgraph(topology, name, { port });
  },
  /**
   * `supergraph [--out <file>] [--url main=http://… …] [--only main,telemetry]`: the supergraph SDL
   * of the subgraphs as services, for a federation gateway in front of them (Hive Gateway, Apollo
   * Router). Starts nothing: the descriptors of REPOGATE_CONFIG or the stack (the built-in ones
   * without either); a repo's `service.url` is its URL unless --url says otherwise.
   */
  async supergraph() {
    const { values } = parseArgs({ args: process.argv.slice(3), options: { out: { type: 'string' }, url: { type: 'string', multiple: true, default: [] }, only: { type: 'string' } } });
    const urls = Object.fromEntries(
      values.url.map((pair) => {
        const at = pair.indexOf('=');
        if (at <= 0) throw new ConfigError(`--url: expected <name>=http://host:port/graphql, got ${pair}`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    );
    const topology = topologyFromEnvironment() ?? readStackInfo()?.topology;
    const serviceUrls = Object.entries(topology?.repos ?? {}).flatMap(([repo, config]) => (config.service ? [[repo, config.service.url] as const] : []));
    const { supergraphOf } = await import('../src/federation/supergraph.js');
    const sdl = supergraphOf(topology ? await loadSubgraphs(topology) : builtInSubgraphs, {
      urls: { ...Object.fromEntries(serviceUrls), ...urls },
      only: values.only?.split(',').map((name) => name.trim()).filter(Boolean),
    });
    const text = sdl.endsWith('\n') ? sdl : `${sdl}\n`;
    if (!values.out) return void process.stdout.write(text);
    writeFileSync(values.out, text);
    console.log(`wrote ${values.out}`);
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
  /**
   * Migrates and grants the databases of REPOGATE_CONFIG (the stack does its own): the tenant
   * registry, then every subgraph's repo (each registered tenant's database where there is one
   * per tenant).
   */
  async migrate() {
    const topology = topologyFromEnvironment();
    if (!topology) throw new ConfigError('migrate needs REPOGATE_CONFIG');
    await migrateTopology(topology, await loadSubgraphs(topology), (where, applied) => console.log(`${where}: ${applied.length ? applied.join(', ') : 'up to date'}`));
  },
  /** `token --class <class> --tenant <tenant> [--sub <subject>] [--expires 8h]`: a dev token signed with the stack's secret. */
  async token() {
    const { values } = parseArgs({
      args: process.argv.slice(3),
      options: { class: { type: 'string', default: 'interactive' }, tenant: { type: 'string', default: 'acme' }, sub: { type: 'string' }, expires: { type: 'string', default: '8h' } },
    });
    const auth = (topologyFromEnvironment() ?? readStackInfo()?.topology)?.auth;
    if (!auth || !('hs256Secret' in auth)) throw new ConfigError('token signs with the HS256 secret of the stack (npm start first) or REPOGATE_CONFIG');
    console.log(await signDevToken(auth.hs256Secret, { clientClass: values.class!, tenant: values.tenant!, subject: values.sub, expiresIn: values.expires }));
  },
  /** `seed:telemetry --rows N [--interval-s 30]`: grows positions to N rows of generated history (resumable). */
  async 'seed:telemetry'() {
    const { values } = parseArgs({ args: process.argv.slice(3), options: { rows: { type: 'string' }, 'interval-s': { type: 'string', default: '30' } } });
    const rows = Number(values.rows?.replaceAll('_', ''));
    if (!Number.isSafeInteger(rows) || rows <= 0) throw new ConfigError('usage: npm run seed:telemetry -- --rows 100000000 [--interval-s 30]');
    const topology = topologyFromEnvironment() ?? readStackInfo()?.topology;
    if (!topology) throw new ConfigError('seed:telemetry needs the stack (npm run stack:up first) or REPOGATE_CONFIG');
    const { seedTelemetryHistory } = await import('./seeds/telemetry-history.js');
    await seedTelemetryHistory(repoConfig(topology, 'telemetry').url, { rows, intervalSeconds: Number(values['interval-s']) });
  },
  /**
   * `move (--older-than 90d | --before YYYY-MM-DD) [--dry-run] [--settle-ms 1000]`: whole months of
   * history from the active repos into training, verified before anything is dropped (src/move).
   */
  async move() {
    const { parseMoveArgs } = await import('../src/move/args.js');
    const options = parseMoveArgs(process.argv.slice(3), moveEnvironment(), new Date());
    const topology = topologyFromEnvironment() ?? readStackInfo()?.topology;
    if (!topology) throw new ConfigError('move needs the stack (npm run stack:up first) or REPOGATE_CONFIG');
    const { runMove } = await import('../src/move/run-move.js');
    await runMove(topology, options);
  },
  /** `tenant add <slug> [--pool-size N]`, `tenant suspend <slug>`, `tenant activate <slug>`, while the gateway runs. */
  async tenant() {
    const { positionals, values } = parseArgs({ args: process.argv.slice(3), allowPositionals: true, options: { 'pool-size': { type: 'string' } } });
    const [action, slug] = positionals;
    const topology = topologyFromEnvironment() ?? readStackInfo()?.topology;
    if (!topology) throw new ConfigError('tenant needs the stack (npm start first) or REPOGATE_CONFIG');
    if (!slug) throw new ConfigError('usage: npm run tenant -- add|suspend|activate <slug>');
    if (action === 'add') {
      const poolSize = values['pool-size'] ? Number(values['pool-size']) : undefined;
      const applied = await addTenant(topology, await loadSubgraphs(topology), slug, { poolSize });
      console.log(`tenant ${slug}: database tenant_${slug} ready (${applied.length} migrations), registered`);
    } else if (action === 'suspend' || action === 'activate') {
      await setTenantStatus(topology, slug, action === 'suspend' ? 'suspended' : 'active');
      console.log(`tenant ${slug}: ${action === 'suspend' ? 'suspended' : 'active'}`);
    } else {
      throw new ConfigError(`unknown tenant action "${action}": add, suspend or activate`);
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
