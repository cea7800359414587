/**
 * The comparison's figures as Markdown: every figure next to its ratio to the floor, the goals of
 * issue 15 (execution cost), and the gateways in front of subgraph services next to Hive Gateway (issue 12).
 */
import type { Scenario, ScenarioName } from './scenarios.js';

export type ServerName = 'floor' | 'naive' | 'repogate' | 'postgraphile' | 'repogate-remote' | 'hive';

export interface Measurement {
  server: ServerName;
  scenario: ScenarioName;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** The server's processes together: the gateway and, where it has them, its subgraph services. */
  cpuMsPerRequest: number;
  /** The part of cpuMsPerRequest spent in the subgraph services (servers in front of services only). */
  servicesCpuMsPerRequest?: number;
  roundTrips: Record<string, number>;
}

interface RunInfo {
  date: string;
  quick: boolean;
  poolSize: number;
  durations: { warm: number; measured: number };
  scenarios: readonly Scenario[];
}

const ratio = (value: number, floor: number | undefined) => (floor ? `${(value / floor).toFixed(2)}×` : '–');
const trips = (r: Record<string, number>) => Object.entries(r).filter(([, n]) => n > 0).map(([repo, n]) => `${repo} ${n}`).join(' · ') || '0';

/** The servers compared with Hive Gateway, as the tables name them. */
const federatedNames: Partial<Record<ServerName, string>> = { repogate: 'Repogate in-process', 'repogate-remote': 'Repogate all-remote', hive: 'Hive Gateway' };

function table(measurements: Measurement[], connections: number): string[] {
  const at = measurements.filter((m) => m.connections === connections);
  const floorOf = (scenario: ScenarioName) => at.find((m) => m.scenario === scenario && m.server === 'floor');
  return [
    '| scenario | server | req/s | vs floor | p50 ms | p99 ms | p99 vs floor | CPU ms/req | vs floor | SQL round trips |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...at.map((m) => {
      const floor = floorOf(m.scenario);
      return `| ${m.scenario} | ${m.server} | ${m.rps.toFixed(0)} | ${ratio(m.rps, floor?.rps)} | ${m.p50} | ${m.p99} | ${ratio(m.p99, floor?.p99)} | ${m.cpuMsPerRequest.toFixed(2)} | ${ratio(m.cpuMsPerRequest, floor?.cpuMsPerRequest)} | ${trips(m.roundTrips)}${m.errors ? ` (${m.errors} errors)` : ''} |`;
    }),
  ];
}

/** Issue 15's goals (execution cost), each with the measured value, at concurrency 10. */
function goals(measurements: Measurement[]): string[] {
  const get = (server: ServerName, scenario: ScenarioName) => measurements.find((m) => m.connections === 10 && m.server === server && m.scenario === scenario);
  const rows: string[] = ['| goal (c=10) | measured | met |', '|---|---:|:---:|'];
  const goal = (text: string, value: number | undefined, target: number, atLeast = true, unit = '×') => {
    if (value === undefined || Number.isNaN(value)) return rows.push(`| ${text} | – | – |`);
    rows.push(`| ${text} | ${value.toFixed(2)}${unit} | ${(atLeast ? value >= target : value <= target) ? 'yes' : '**no**'} |`);
  };
  const versus = (other: ServerName, scenario: ScenarioName, field: 'rps' | 'p99' | 'cpuMsPerRequest') => {
    const ours = get('repogate', scenario);
    const theirs = get(other, scenario);
    return ours && theirs ? ours[field] / theirs[field] : undefined;
  };
  const totalTrips = (server: ServerName, scenario: ScenarioName) => {
    const m = get(server, scenario);
    return m && Object.values(m.roundTrips).reduce((sum, n) => sum + n, 0);
  };
  for (const scenario of ['Q1', 'Q3', 'Q6'] as const) {
    goal(`${scenario} Repogate rps ≥ 0.60 × floor`, versus('floor', scenario, 'rps'), 0.6);
    goal(`${scenario} Repogate p99 ≤ 2.5 × floor`, versus('floor', scenario, 'p99'), 2.5, false);
  }
  goal('Q4 Repogate rps ≥ 1.3 × PostGraphile', versus('postgraphile', 'Q4', 'rps'), 1.3);
  goal('Q4 Repogate round trips ≤ PostGraphile (1)', totalTrips('repogate', 'Q4'), totalTrips('postgraphile', 'Q4') ?? 1, false, '');
  goal('Q5 Repogate rps ≥ 1.2 × PostGraphile', versus('postgraphile', 'Q5', 'rps'), 1.2);
  goal('Q5 Repogate CPU ms/req ≤ naive yoga', versus('naive', 'Q5', 'cpuMsPerRequest'), 1, false);
  goal('Q2 Repogate round trips ≤ floor', totalTrips('repogate', 'Q2'), totalTrips('floor', 'Q2') ?? 1, false, '');
  return rows;
}

/**
 * Issue 12: Repogate with main, telemetry and legacy as services, and in-process, against Hive
 * Gateway over the same services; CPU of the gateway and of the services apart.
 */
function federated(measurements: Measurement[], connections: number): string[] {
  const at = measurements.filter((m) => m.connections === connections && m.server in federatedNames);
  const scenarios = [...new Set(at.filter((m) => m.server === 'hive').map((m) => m.scenario))];
  const hiveOf = (scenario: ScenarioName) => at.find((m) => m.scenario === scenario && m.server === 'hive');
  const rows = [
    '| scenario | server | req/s | vs Hive | p50 ms | p99 ms | CPU ms/req: gateway | subgraph services | together | SQL round trips |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const scenario of scenarios) {
    for (const m of at.filter((m) => m.scenario === scenario)) {
      const services = m.servicesCpuMsPerRequest ?? 0;
      rows.push(`| ${m.scenario} | ${federatedNames[m.server]} | ${m.rps.toFixed(0)} | ${ratio(m.rps, hiveOf(scenario)?.rps)} | ${m.p50} | ${m.p99} | ${(m.cpuMsPerRequest - services).toFixed(2)} | ${m.servicesCpuMsPerRequest === undefined ? '–' : services.toFixed(2)} | ${m.cpuMsPerRequest.toFixed(2)} | ${trips(m.roundTrips)}${m.errors ? ` (${m.errors} errors)` : ''} |`);
    }
  }
  return rows;
}

/** Issue 12's goals at concurrency 10: all-remote ≥ 1.3 × Hive Gateway's req/s, in-process ≥ 2 ×. */
function federatedGoals(measurements: Measurement[]): string[] {
  const at = measurements.filter((m) => m.connections === 10);
  const rps = (server: ServerName, scenario: ScenarioName) => at.find((m) => m.server === server && m.scenario === scenario)?.rps;
  const rows = ['| goal (c=10) | measured | met |', '|---|---:|:---:|'];
  for (const scenario of [...new Set(at.filter((m) => m.server === 'hive').map((m) => m.scenario))]) {
    const hive = rps('hive', scenario);
    for (const [server, target] of [['repogate-remote', 1.3], ['repogate', 2]] as const) {
      const ours = rps(server, scenario);
      const value = ours !== undefined && hive ? ours / hive : undefined;
      const text = `${scenario} ${federatedNames[server]} rps ≥ ${target.toFixed(1)} × Hive Gateway`;
      rows.push(value === undefined ? `| ${text} | – | – |` : `| ${text} | ${value.toFixed(2)}× | ${value >= target ? 'yes' : '**no**'} |`);
    }
  }
  return rows;
}

export function renderReport(measurements: Measurement[], run: RunInfo): { full: string; summary: string } {
  const how = `${run.date}${run.quick ? ' (quick)' : ''}: ${run.durations.warm} s warm-up + ${run.durations.measured} s measured per server and scenario, ` +
    `pool size ${run.poolSize} per repo for every server, all as the interactive class's database role, NODE_ENV=production, ` +
    'load from autocannon on the same 2 cores. Repogate runs as `npm start` runs it (REPOGATE_WORKERS unset: one worker process ' +
    'per core, its class pools split between them), serving the interactive class (its cost limit raised so Q4 passes); ' +
    'its CPU counts all its processes. Round trips: statements per request and repo, from one request of each. ' +
    'Repogate all-remote and Hive Gateway (Q1, Q3, Q5, Q6) front the same three subgraph services (`npm run subgraph`, ' +
    'each its own process, same pool size), each gateway as one process (all-remote with REPOGATE_WORKERS=1: the services share the cores): ' +
    'their CPU ms/req counts the gateway and the services together.';
  const scenarioList = run.scenarios.map((s) => `- **${s.name}** ${s.title}`);
  const summary = [
    how, '', ...goals(measurements), '', ...federatedGoals(measurements), '', '### Concurrency 10', '', ...table(measurements, 10),
    '', '### In front of subgraph services, concurrency 10', '', ...federated(measurements, 10),
  ].join('\n');
  const full = [
    `# Comparison ${run.date}${run.quick ? ' (quick)' : ''}`, '', how, '', ...scenarioList, '', '## Goals', '', ...goals(measurements), '', ...federatedGoals(measurements),
    ...[1, 10, 50].flatMap((c) => ['', `## Concurrency ${c}`, '', ...table(measurements, c), '', `### In front of subgraph services, concurrency ${c}`, '', ...federated(measurements, c)]), '',
  ].join('\n');
  return { full, summary };
}
