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
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../src/config.js';
import { createRepogate } from '../src/gateway/repogate.js';
import type { Topology } from '../src/config.js';
import { createLogger } from '../src/observability/logger.js';
import { processTreeCpuSeconds } from '../src/observability/process-cpu.js';
import { prng } from '../dev/stack/demo.js';
import { scenarios } from './compare/scenarios.js';
import { prepareBench } from './compare/setup.js';
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

/** main, telemetry and legacy as services on ports 4111–4113 (the full bench's), read from one config file as a deployment's. */
async function startServices(local: Topology): Promise<{ topology: Topology; children: Record<string, ChildProcess> }> {
  const ports = { main: 4111, telemetry: 4112, legacy: 4113 } as const;
  const remote = structuredClone(local);
  for (const [repo, port] of Object.entries(ports)) remote.repos[repo]!.service = { url: `http://127.0.0.1:${port}/graphql`, maxSockets: 16 };
  const config = path.join(projectRoot, '.data', 'bench-cpu-topology-remote.json');
  writeFileSync(config, JSON.stringify(remote));
  const children = await Promise.all(Object.entries(ports).map(([repo, port]) => new Promise<[string, ChildProcess]>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'dev/cli.ts', 'subgraph', repo, '--port', String(port)], { cwd: projectRoot, env: { ...process.env, REPOGATE_CONFIG: config, REPOGATE_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout!.on('data', (chunk: Buffer) => /listening on|is serving|ready/i.test(chunk.toString()) && resolve([repo, child]));
    child.on('exit', (code) => reject(new Error(`subgraph ${repo} exited (${code}) before it was ready`)));
  })));
  return { topology: remote, children: Object.fromEntries(children) };
}

const services = values.remote ? await startServices(topology) : undefined;
/** Each service's CPU seconds so far. */
const servicesCpu = () => Object.fromEntries(Object.entries(services?.children ?? {}).map(([repo, child]) => [repo, processTreeCpuSeconds(child.pid!) ?? 0]));
const repogate = createRepogate(services?.topology ?? topology, { logger: createLogger('warn') });

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
for (const child of Object.values(services?.children ?? {})) child.kill('SIGTERM');
