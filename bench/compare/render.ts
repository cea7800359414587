/** The comparison's figures as Markdown: every figure next to its ratio to the floor, and the goals of issue 5. */
import type { Scenario, ScenarioName } from './scenarios.js';

export type ServerName = 'floor' | 'naive' | 'repogate' | 'postgraphile';

export interface Measurement {
  server: ServerName;
  scenario: ScenarioName;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuMsPerRequest: number;
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

/** Issue 5's goals, each with the measured value, at concurrency 10. */
function goals(measurements: Measurement[]): string[] {
  const get = (server: ServerName, scenario: ScenarioName) => measurements.find((m) => m.connections === 10 && m.server === server && m.scenario === scenario);
  const rows: string[] = ['| goal (c=10) | measured | met |', '|---|---:|:---:|'];
  const goal = (text: string, value: number | undefined, target: number, atLeast = true, unit = '×') => {
    if (value === undefined || Number.isNaN(value)) return rows.push(`| ${text} | – | – |`);
    rows.push(`| ${text} | ${value.toFixed(2)}${unit} | ${(atLeast ? value >= target : value <= target) ? 'yes' : '**no**'} |`);
  };
  const vsFloor = (scenario: ScenarioName, field: 'rps' | 'p99') => {
    const ours = get('repogate', scenario);
    const floor = get('floor', scenario);
    return ours && floor ? ours[field] / floor[field] : undefined;
  };
  goal('Q1 Repogate rps ≥ 0.60 × floor', vsFloor('Q1', 'rps'), 0.6);
  goal('Q3 Repogate rps ≥ 0.60 × floor', vsFloor('Q3', 'rps'), 0.6);
  goal('Q5 Repogate rps ≥ 0.40 × floor', vsFloor('Q5', 'rps'), 0.4);
  for (const scenario of ['Q1', 'Q3', 'Q5'] as const) goal(`${scenario} Repogate p99 ≤ 2 × floor`, vsFloor(scenario, 'p99'), 2, false);
  const naive = get('naive', 'Q1');
  const ours = get('repogate', 'Q1');
  goal('Q1 Repogate rps ≥ 10 × naive', ours && naive ? ours.rps / naive.rps : undefined, 10);
  const postgraphile = get('postgraphile', 'Q4');
  const q4 = get('repogate', 'Q4');
  goal('Q4 Repogate rps ≥ PostGraphile', q4 && postgraphile ? q4.rps / postgraphile.rps : undefined, 1);
  return rows;
}

export function renderReport(measurements: Measurement[], run: RunInfo): { full: string; summary: string } {
  const how = `${run.date}${run.quick ? ' (quick)' : ''}: ${run.durations.warm} s warm-up + ${run.durations.measured} s measured per server and scenario, ` +
    `pool size ${run.poolSize} per repo for every server, all as the interactive class's database role, NODE_ENV=production, ` +
    'load from autocannon on the same 2 cores. Repogate runs as `npm start` runs it, serving the interactive class ' +
    '(its cost limit raised so Q4 passes). Round trips: statements per request and repo, from one request of each.';
  const scenarioList = run.scenarios.map((s) => `- **${s.name}** ${s.title}`);
  const summary = [
    how, '', ...goals(measurements), '', '### Concurrency 10', '', ...table(measurements, 10),
  ].join('\n');
  const full = [
    `# Comparison ${run.date}${run.quick ? ' (quick)' : ''}`, '', how, '', ...scenarioList, '', '## Goals', '', ...goals(measurements),
    ...[1, 10, 50].flatMap((c) => ['', `## Concurrency ${c}`, '', ...table(measurements, c)]), '',
  ].join('\n');
  return { full, summary };
}
