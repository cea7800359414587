/**
 * The gateway's own CPU per request, per scenario: requests go straight into yoga's fetch
 * handler (no HTTP, no load generator in the way), 10 at a time, and the process's CPU time is
 * divided by the requests served. Steadier than req/s under autocannon on a small machine, so it
 * is what tuning steps are compared by. `--profile` also samples the measured window and splits
 * its CPU by owner (each plugin, graphql-js, stitching, the driver…: bench/cpu-profile.ts); run
 * it under `node --cpu-prof` for the whole call tree.
 *
 * `--remote` puts main, telemetry and legacy behind their own services (`npm run subgraph`, child
 * processes, as the full bench runs them): the gateway's figure is then its own side of the
 * all-remote shape, and the services' CPU per request (from /proc) is printed next to it.
 *
 *   npm run bench:cpu [-- --requests 2000 --scenarios Q5,Q6 --profile --remote]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../src/config.js';
import { createRepogate } from '../src/gateway/repogate.js';
import { createLogger } from '../src/observability/logger.js';
import { processTreeCpuSeconds } from '../src/observability/process-cpu.js';
import { prng } from '../dev/stack/demo.js';
import { scenarios } from './compare/scenarios.js';
import { prepareBench, startSubgraphServices, writeRemoteTopology } from './compare/setup.js';
import { ownersTable, profileWhile } from './cpu-profile.js';

// Measure the gateway as npm start runs it: its node flags and NODE_ENV. Re-run ourselves with them if missing.
const gatewayNodeFlags = JSON.parse(readFileSync(path.join(projectRoot, 'scripts', 'gateway-node-flags.json'), 'utf8')) as string[];
if (process.env.NODE_ENV !== 'production' || !gatewayNodeFlags.every((flag) => process.execArgv.includes(flag))) {
  const run = spawnSync(process.execPath, [...gatewayNodeFlags, '--import', 'tsx', import.meta.filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  process.exit(run.status ?? 1);
}

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '2000' }, scenarios: { type: 'string', default: 'Q1,Q2,Q3,Q4,Q5,Q6' }, profile: { type: 'boolean', default: false }, remote: { type: 'boolean', default: false } },
});
const wanted = new Set(values.scenarios.split(','));

const { topology, token } = await prepareBench(10);

// main, telemetry and legacy behind their services, as the full bench runs them.
const remoteConfigFile = path.join(projectRoot, '.data', 'bench-cpu-topology-remote.json');
const remoteTopology = values.remote ? writeRemoteTopology(topology, remoteConfigFile) : undefined;
const services = remoteTopology ? await startSubgraphServices(remoteConfigFile) : undefined;
/** Each service's CPU seconds so far. */
const servicesCpu = () => Object.fromEntries(Object.entries(services ?? {}).map(([repo, child]) => [repo, processTreeCpuSeconds(child.pid!) ?? 0]));
const repogate = createRepogate(remoteTopology ?? topology, { logger: createLogger('warn') });

for (const scenario of scenarios.filter((s) => wanted.has(s.name))) {
  const random = prng(1);
  const one = async () => {
    const response = await repogate.gateway.fetch('http://repogate.bench/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ operationName: scenario.name, query: scenario.query, variables: scenario.variables(random) }),
    });
    const body = (await response.json()) as { errors?: unknown };
    if (body.errors) throw new Error(`${scenario.name}: ${JSON.stringify(body.errors)}`);
  };
  // Heavy scenarios get fewer requests so each takes seconds, not minutes.
  const requests = Math.max(50, Math.round(Number(values.requests) / (scenario.name === 'Q4' ? 40 : scenario.name === 'Q6' || scenario.name === 'Q1' || scenario.name === 'Q3' ? 8 : 1)));
  for (let warm = 0; warm < Math.min(200, requests); warm += 1) await one();
  const cpuBefore = process.cpuUsage();
  const servicesBefore = servicesCpu();
  const started = performance.now();
  let sent = 0;
  const load = () => Promise.all(Array.from({ length: 10 }, async () => {
    while (sent < requests) {
      sent += 1;
      await one();
    }
  })).then(() => undefined);
  // The profiler's own cost lands in the CPU figure too: compare profiled runs with profiled runs.
  const owners = values.profile ? await profileWhile(load) : (await load(), undefined);
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  const spent = Object.entries(servicesCpu()).map(([repo, seconds]) => [repo, ((seconds - servicesBefore[repo]!) * 1000) / requests] as const);
  const inServices = services ? `, ${spent.reduce((sum, [, ms]) => sum + ms, 0).toFixed(2)} more in the services (${spent.map(([repo, ms]) => `${repo} ${ms.toFixed(2)}`).join(', ')})` : '';
  console.log(`${scenario.name}: ${((cpu.user + cpu.system) / 1000 / requests).toFixed(2)} CPU ms/request${inServices} (${requests} requests, ${(requests / seconds).toFixed(0)} req/s in-process)`);
  if (owners) console.log(`\n${ownersTable(owners, requests).join('\n')}\n`);
}
await repogate.close();
for (const child of Object.values(services ?? {})) child.kill('SIGTERM');
