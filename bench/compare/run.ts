/**
 * `npm run bench [-- --quick]`: the floor, naive yoga, Repogate and PostGraphile on the same
 * databases, pool sizes and role, side by side in one run; and, for Q1, Q3, Q5 and Q6, two
 * gateways in front of main, telemetry and legacy as subgraph services (issue 12): Repogate with
 * all three remote, and Hive Gateway over the supergraph of the same services.
 *
 * 1. Starts each server as its own process (so its CPU can be read from /proc), and the three
 *    subgraph services, whose CPU counts for the two gateways in front of them.
 * 2. Checks every server's JSON equals the floor's for every scenario, and counts the SQL
 *    round trips per repo one request costs.
 * 3. Loads each with autocannon at concurrency 1, 10 and 50: every server of a scenario warmed
 *    up, then each measured, servers interleaved per scenario so drift (cache, autovacuum) hits
 *    them all alike.
 * 4. Writes bench/results/<date>.md (and .json) and the chart of concurrency 10 (chart.ts): a full
 *    run to bench/results/comparison.svg, which BENCHMARKS.md shows, with the comparison table in
 *    BENCHMARKS.md; a quick run to bench/results/<date>-quick.svg.
 *
 * A focused run, to compare two gateways over a few interleaved rounds before and after a
 * change, writes nothing and prints each server's median req/s (and its ratio to Hive Gateway):
 *   npm run bench -- --servers repogate-remote,hive --scenarios Q3,Q5 --concurrency 10 --rounds 3
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { projectRoot } from '../../src/config.js';
import { supergraphOf } from '../../src/federation/supergraph.js';
import { loadSubgraphs } from '../../src/subgraphs.js';
import { prng } from '../../dev/stack/demo.js';
import { processTreeCpuSeconds } from '../../src/observability/process-cpu.js';
import { replaceSection, writeResults } from '../report.js';
import { postgraphileQueries } from './postgraphile-queries.js';
import { scenarios, type Scenario, type ScenarioName } from './scenarios.js';
import { prepareBench, remoteRepos, serviceUrl, startProcess, startSubgraphServices, writeRemoteTopology } from './setup.js';
import { renderReport, type Measurement, type ServerName } from './render.js';
import { renderChart } from './chart.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'pool-size': { type: 'string', default: '10' },
    // A focused run: some servers (the floor always), scenarios and concurrencies, measured in
    // `rounds` interleaved rounds; it prints each server's median and writes no report.
    servers: { type: 'string' },
    scenarios: { type: 'string' },
    concurrency: { type: 'string' },
    rounds: { type: 'string', default: '1' },
  },
});
const quick = values.quick;
const poolSize = Number(values['pool-size']);
// Quick: 60 runs of 3 s plus settling stay under 5 minutes on 2 cores.
const durations = quick ? { warm: 1, measured: 2 } : { warm: 3, measured: 10 };
const concurrencies = values.concurrency ? values.concurrency.split(',').map(Number) : [1, 10, 50];
const focused = Boolean(values.servers || values.scenarios || values.concurrency || values.rounds !== '1');
const rounds = Number(values.rounds);
const serverNames: readonly string[] = ['floor', 'naive', 'repogate', 'postgraphile', 'repogate-remote', 'hive'] satisfies ServerName[];
const wantedServers = new Set(['floor', ...(values.servers?.split(',') ?? serverNames)]);
const wantedScenarios = new Set(values.scenarios?.split(',') ?? scenarios.map((s) => s.name));
for (const name of wantedServers) if (!serverNames.includes(name)) throw new Error(`--servers: no server "${name}" (${serverNames.join(', ')})`);
for (const name of wantedScenarios) if (!scenarios.some((s) => s.name === name)) throw new Error(`--scenarios: no scenario "${name}" (${scenarios.map((s) => s.name).join(', ')})`);
const log = (line: string) => process.stdout.write(`${line}\n`);

// ---- the stack, the fixture, Repogate's config -------------------------------------------------
const { topology, token } = await prepareBench(poolSize);
// Repogate as a user runs it (npm start), from a config file like any deployment.
const configFile = path.join(projectRoot, '.data', 'bench-topology.json');
writeFileSync(configFile, JSON.stringify(topology));

// The same topology with main, telemetry and legacy as services.
const remoteConfigFile = path.join(projectRoot, '.data', 'bench-topology-remote.json');
const remoteTopology = writeRemoteTopology(topology, remoteConfigFile);
// What `npm run supergraph -- --only main,telemetry,legacy --url …` writes, for Hive Gateway.
const supergraphFile = path.join(projectRoot, '.data', 'bench-supergraph.graphql');
writeFileSync(supergraphFile, supergraphOf(await loadSubgraphs(remoteTopology), { only: remoteRepos, urls: Object.fromEntries(remoteRepos.map((repo) => [repo, serviceUrl(repo)])) }));
/** The scenarios the gateways in front of subgraph services run (issue 12). */
const federatedScenarios: readonly ScenarioName[] = ['Q1', 'Q3', 'Q5', 'Q6'];

// ---- servers -----------------------------------------------------------------------------------
interface Server {
  name: ServerName;
  url: string;
  process: ChildProcess;
  /** The subgraph services it sends its fetches to: their CPU is the server's too. */
  services: ChildProcess[];
  /** Scenarios it serves (PostGraphile: the main-only ones). */
  serves: ReadonlySet<ScenarioName>;
  headers: Record<string, string>;
  body(scenario: Scenario, variables: Record<string, unknown>): string;
  /** Round trips per repo of one request, however the server reports them. */
  roundTrips(scenario: Scenario, variables: Record<string, unknown>): Promise<Record<string, number>>;
}

const graphqlBody = (scenario: Scenario, variables: Record<string, unknown>) =>
  JSON.stringify({ operationName: scenario.name, query: scenario.query, variables });

async function post(url: string, headers: Record<string, string>, body: string): Promise<any> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return response.json();
}

interface CountedServerOptions {
  body?: Server['body'];
  headers?: Record<string, string>;
  env?: Record<string, string>;
  services?: ChildProcess[];
}

async function countedServer(name: ServerName, port: number, serves: readonly ScenarioName[], options: CountedServerOptions = {}): Promise<Server> {
  const { body = graphqlBody, headers = {}, env = {}, services = [] } = options;
  const child = await startProcess(name, [`bench/compare/servers/${name}.ts`], { BENCH_PORT: String(port), BENCH_POOL_SIZE: String(poolSize), ...env });
  const base = `http://127.0.0.1:${port}`;
  const counts = async () => (await (await fetch(`${base}/__bench/queries`)).json()) as Record<string, number>;
  const server: Server = {
    name, url: `${base}/graphql`, process: child, services, serves: new Set(serves), headers, body,
    async roundTrips(scenario, variables) {
      const before = await counts();
      await post(server.url, headers, body(scenario, variables));
      const after = await counts();
      return Object.fromEntries(Object.keys(after).map((repo) => [repo, after[repo]! - before[repo]!]));
    },
  };
  return server;
}

const gatewayNodeFlags = JSON.parse(readFileSync(path.join(projectRoot, 'scripts', 'gateway-node-flags.json'), 'utf8')) as string[];

/** Repogate as `npm start` runs it from `config`; with subgraph services when the config gives repos a `service`. */
async function repogateServer(name: ServerName, port: number, config: string, serves: readonly ScenarioName[], services: ChildProcess[] = [], env: Record<string, string> = {}): Promise<Server> {
  const child = await startProcess(name, ['dev/cli.ts', 'start'], {
    REPOGATE_CONFIG: config, REPOGATE_PORT: String(port), REPOGATE_DEBUG: '1', ...env,
  }, gatewayNodeFlags);
  const headers = { authorization: `Bearer ${token}` };
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    name, url, process: child, services, serves: new Set(serves), headers, body: graphqlBody,
    async roundTrips(scenario, variables) {
      const answer = await post(url, { ...headers, 'x-repogate-debug': '1' }, graphqlBody(scenario, variables));
      return Object.fromEntries(Object.entries(answer.extensions.repos as Record<string, { roundTrips: number }>).map(([repo, r]) => [repo, r.roundTrips]));
    },
  };
}

const pgScenarios = Object.keys(postgraphileQueries) as ScenarioName[];
log(`starting servers (pool size ${poolSize} per repo) …`);
const allScenarios = scenarios.map((s) => s.name);
const services = Object.values(await startSubgraphServices(remoteConfigFile));
const starters: Record<ServerName, () => Promise<Server>> = {
  floor: () => countedServer('floor', 4101, allScenarios),
  naive: () => countedServer('naive', 4102, allScenarios),
  repogate: () => repogateServer('repogate', 4103, configFile, allScenarios),
  postgraphile: () => countedServer('postgraphile', 4104, pgScenarios, { body: (scenario, variables) =>
    JSON.stringify({ query: postgraphileQueries[scenario.name as keyof typeof postgraphileQueries].query, variables }) }),
  // One gateway process in front of the services, as Hive Gateway runs: the three services, the
  // databases and autocannon share the two cores with it, and a second worker only competes with
  // them (Q5: 0.67 → 0.46 gateway CPU ms per request and 1,398 → 1,757 req/s with one; Q1 164 →
  // 199 req/s). The deployment advice in the README ("Every core") says the same.
  'repogate-remote': () => repogateServer('repogate-remote', 4105, remoteConfigFile, federatedScenarios, services, { REPOGATE_WORKERS: '1' }),
  hive: () => countedServer('hive', 4106, federatedScenarios, { headers: { authorization: `Bearer ${token}` }, env: { BENCH_SUPERGRAPH: supergraphFile }, services }),
};
const servers: Server[] = [];
for (const [name, start] of Object.entries(starters)) if (wantedServers.has(name)) servers.push(await start());
const stopAll = () => [...servers.map((s) => s.process), ...services].forEach((child) => child.kill('SIGTERM'));
process.on('exit', stopAll);

// ---- correctness and round trips ------------------------------------------------------------------
const answerOf = async (server: Server, scenario: Scenario, variables: Record<string, unknown>) => {
  const answer = await post(server.url, server.headers, server.body(scenario, variables));
  if (answer.errors) throw new Error(`${server.name} ${scenario.name}: ${JSON.stringify(answer.errors).slice(0, 500)}`);
  return server.name === 'postgraphile' ? postgraphileQueries[scenario.name as keyof typeof postgraphileQueries].toGatewayShape(answer.data) : answer.data;
};
const roundTrips = new Map<string, Record<string, number>>();
log('checking every answer against the floor …');
const measuredScenarios = scenarios.filter((s) => wantedScenarios.has(s.name));
for (const scenario of measuredScenarios) {
  const random = prng(42);
  for (let draw = 0; draw < 5; draw += 1) {
    const variables = scenario.variables(random);
    const floor = await answerOf(servers[0]!, scenario, variables);
    for (const server of servers.slice(1).filter((s) => s.serves.has(scenario.name))) {
      const answer = await answerOf(server, scenario, variables);
      if (!isDeepStrictEqual(answer, floor)) {
        writeFileSync(path.join(projectRoot, '.data', `bench-mismatch-${server.name}-${scenario.name}.json`), JSON.stringify({ variables, floor, answer }, null, 2));
        throw new Error(`${server.name} ${scenario.name} differs from the floor (both answers in .data/bench-mismatch-${server.name}-${scenario.name}.json)`);
      }
    }
  }
  for (const server of servers.filter((s) => s.serves.has(scenario.name))) {
    roundTrips.set(`${server.name} ${scenario.name}`, await server.roundTrips(scenario, scenario.variables(prng(7))));
  }
  log(`  ${scenario.name}: ${servers.filter((s) => s.serves.has(scenario.name)).length - 1} servers agree with the floor`);
}

// ---- load ----------------------------------------------------------------------------------------
/** CPU seconds so far of the processes; the bench runs on Linux, where /proc always answers. */
const cpuSeconds = (...children: ChildProcess[]): number => children.reduce((sum, child) => sum + processTreeCpuSeconds(child.pid!)!, 0);

/** Waits until the server (and its services) have finished the requests a run left in flight (their CPU falls quiet), so they do not count against the next run. */
async function settle(server: Server): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 250) {
    const before = cpuSeconds(server.process, ...server.services);
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (cpuSeconds(server.process, ...server.services) - before < 0.03) return;
  }
}

function load(server: Server, scenario: Scenario, connections: number, seconds: number) {
  const random = prng(1234 + connections);
  return autocannon({
    url: server.url,
    connections,
    duration: seconds,
    requests: [{
      method: 'POST',
      headers: { 'content-type': 'application/json', ...server.headers },
      setupRequest: (request) => ({ ...request, body: server.body(scenario, scenario.variables(random)) }),
    }],
  });
}

const measurements: Measurement[] = [];
const runs = rounds * concurrencies.length * measuredScenarios.reduce((n, s) => n + servers.filter((v) => v.serves.has(s.name)).length, 0);
const started = Date.now();
log(`${runs} runs of ${durations.warm} s warm-up + ${durations.measured} s measured (about ${Math.ceil((runs * (durations.warm + durations.measured)) / 60)} min)`);
for (let round = 0; round < rounds; round += 1) for (const connections of concurrencies) {
  for (const scenario of measuredScenarios) {
    // Every server warms up before any is measured: the subgraph services are shared by the two
    // gateways in front of them, and warmed by only the first, the second measured on warmer
    // services (rounds of `--rounds` showed the first gateway's services at 3.5 CPU ms per Q3
    // request against 2.9 for the second; 2.5 for both once warm).
    for (const server of servers.filter((s) => s.serves.has(scenario.name))) {
      await settle(server);
      await load(server, scenario, connections, durations.warm);
    }
    for (const server of servers.filter((s) => s.serves.has(scenario.name))) {
      await settle(server);
      const cpuBefore = { gateway: cpuSeconds(server.process), services: cpuSeconds(...server.services) };
      const result = await load(server, scenario, connections, durations.measured);
      const servicesCpu = cpuSeconds(...server.services) - cpuBefore.services;
      const cpu = cpuSeconds(server.process) - cpuBefore.gateway + servicesCpu;
      await settle(server);
      const ok = result.requests.total - result.non2xx - result.errors;
      const m: Measurement = {
        server: server.name, scenario: scenario.name, connections,
        rps: ok / durations.measured, p50: result.latency.p50, p99: result.latency.p99,
        errors: result.errors + result.non2xx, cpuMsPerRequest: ok > 0 ? (cpu * 1000) / ok : NaN,
        ...(server.services.length > 0 && { servicesCpuMsPerRequest: ok > 0 ? (servicesCpu * 1000) / ok : NaN }),
        roundTrips: roundTrips.get(`${server.name} ${scenario.name}`) ?? {},
      };
      measurements.push(m);
      log(`  [${measurements.length}/${runs} ${Math.round((Date.now() - started) / 1000)} s] c=${connections} ${scenario.name} ${server.name}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ${m.cpuMsPerRequest.toFixed(2)} CPU ms/req${m.servicesCpuMsPerRequest === undefined ? '' : ` (${m.servicesCpuMsPerRequest.toFixed(2)} in the services)`}${m.errors ? `, ${m.errors} errors` : ''}`);
    }
  }
}
stopAll();

if (focused) {
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  log(`\nmedians of ${rounds} round(s):`);
  for (const connections of concurrencies) {
    for (const scenario of measuredScenarios) {
      const of = (server: Server) => measurements.filter((m) => m.server === server.name && m.scenario === scenario.name && m.connections === connections);
      const rpsOf = (server: Server) => median(of(server).map((m) => m.rps));
      const hive = servers.find((server) => server.name === 'hive');
      for (const server of servers.filter((s) => s.serves.has(scenario.name))) {
        const versusHive = hive && hive.serves.has(scenario.name) ? ` (${(rpsOf(server) / rpsOf(hive)).toFixed(2)}x Hive Gateway)` : '';
        log(`  c=${connections} ${scenario.name} ${server.name}: ${rpsOf(server).toFixed(0)} req/s${versusHive}, ${median(of(server).map((m) => m.cpuMsPerRequest)).toFixed(2)} CPU ms/req`);
      }
    }
  }
  process.exit(0);
}

// ---- report --------------------------------------------------------------------------------------
const date = new Date().toISOString().slice(0, 10);
const run = { date, quick, poolSize, durations, scenarios };
const { full, summary } = renderReport(measurements, run);
writeResults(`${date}${quick ? '-quick' : ''}.json`, measurements);
writeResults(`${date}${quick ? '-quick' : ''}.md`, full);
// BENCHMARKS.md shows comparison.svg: like the table there, only a full run replaces it.
const chartFile = quick ? `${date}-quick.svg` : 'comparison.svg';
writeResults(chartFile, renderChart(measurements, run));
// A quick run is a check, not a record: only full runs replace the table BENCHMARKS.md discusses.
if (!quick) replaceSection('comparison', summary);
log(`\n${summary}\n\nwrote bench/results/${date}${quick ? '-quick' : ''}.md, bench/results/${chartFile}${quick ? '' : ' and the table in BENCHMARKS.md'}`);
process.exit(0);
