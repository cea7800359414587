/**
 * Database-side latency of the telemetry queries at the current size of `positions`: the
 * gateway's own statements (subgraphs/telemetry/sql.ts) under EXPLAIN ANALYZE, warm, each run
 * `--runs` times with custom plans (what pg's unnamed statements get). The windows are fixed
 * inside the demo week, so at 1M, 10M and 100M rows they read the same fixes and only the size
 * of the table around them changes: the curve shows what the size costs.
 *
 *   npm run seed:telemetry -- --rows 10000000 && npm run bench:telemetry
 *
 * Each size is kept in bench/results/telemetry-scale.json; the table in BENCHMARKS.md is
 * rewritten from all of them.
 */
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { readStackInfo } from '../dev/stack/stack.js';
import { withPgClient } from '../src/repo/pg-client.js';
import { SEED_END } from '../dev/stack/demo.js';
import { positionsInArea, statementsFor, tracks, tracksDownsampled } from '../subgraphs/telemetry/sql.js';

/** The device statement of a class that sees every field (admin). */
const { devicesByIds } = statementsFor(() => true);
import { readResults, replaceSection, writeResults } from './report.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const runs = Number(values.runs);

interface Measured {
  query: string;
  medianMs: number;
  p95Ms: number;
  rowsOut: number;
  plan: string;
}

const hourBeforeEnd = { from: new Date(SEED_END.getTime() - 3_600_000), to: SEED_END };
// The week's history at 30 s intervals sits before the demo week: a dense hour (120 fixes).
const denseHour = { from: new Date(SEED_END.getTime() - 7 * 86_400_000 - 5 * 3_600_000), to: new Date(SEED_END.getTime() - 7 * 86_400_000 - 4 * 3_600_000) };

async function explain(client: pg.Client, sql: string, params: unknown[]): Promise<{ ms: number; rows: number; plan: any }> {
  const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
  const [result] = rows[0]['QUERY PLAN'];
  return { ms: result['Planning Time'] + result['Execution Time'], rows: result.Plan['Actual Rows'], plan: result.Plan };
}

/** The scans of a plan, in one line: which index, how, and the heap fetches that break index-only. */
function scans(plan: any): string {
  const found: string[] = [];
  const walk = (node: any) => {
    if (/Scan/.test(node['Node Type'])) {
      const fetches = node['Heap Fetches'] !== undefined ? `, heap fetches ${node['Heap Fetches']}` : '';
      found.push(`${node['Node Type']}${node['Index Name'] ? ` ${node['Index Name']}` : ` ${node['Relation Name']}`}${fetches}`);
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan);
  return [...new Set(found)].join('; ');
}

async function measure(client: pg.Client, query: string, sql: string, params: unknown[]): Promise<Measured> {
  for (let warm = 0; warm < 3; warm += 1) await explain(client, sql, params);
  const times: number[] = [];
  let last!: Awaited<ReturnType<typeof explain>>;
  for (let run = 0; run < runs; run += 1) {
    last = await explain(client, sql, params);
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 1000) / 1000;
  return { query, medianMs: at(0.5), p95Ms: at(0.95), rowsOut: last.rows, plan: scans(last.plan) };
}

const info = readStackInfo();
if (!info) throw new Error('no stack: npm run stack:up first');
const results = await withPgClient(info.topology.repos.telemetry.url, async (client) => {
  await client.query('SET plan_cache_mode = force_custom_plan');
  process.stdout.write('counting positions … ');
  const total = Number((await client.query<{ count: string }>('SELECT count(*) FROM positions')).rows[0]!.count);
  process.stdout.write(`${total.toLocaleString('en')}\n`);
  const { rows: devices } = await client.query<{ id: string }>("SELECT id FROM devices WHERE tenant = 'acme' ORDER BY id LIMIT 500");
  const ids = devices.map((d) => d.id);
  const berlinBox = [52.3, 52.7, 13.1, 13.7];
  const plan = [
    ['track: 1 device, 1 hour (demo week)', tracks, [[ids[0]], hourBeforeEnd.from, hourBeforeEnd.to]],
    ['track: 1 device, 1 hour at 30 s (history)', tracks, [[ids[0]], denseHour.from, denseHour.to]],
    ['track: 1 device, 7 days, maxPoints 200', tracksDownsampled, [[ids[0]], new Date(SEED_END.getTime() - 7 * 86_400_000), SEED_END, 200]],
    ['last position of 500 devices', devicesByIds, ['acme', ids]],
    ['area: Berlin box, 1 hour, first 100', positionsInArea, ['acme', hourBeforeEnd.from, hourBeforeEnd.to, ...berlinBox, null, null, 101]],
    ['area: Berlin box, 24 hours, first 100', positionsInArea, ['acme', new Date(SEED_END.getTime() - 86_400_000), SEED_END, ...berlinBox, null, null, 101]],
  ] as const;
  const measured: Measured[] = [];
  for (const [query, sql, params] of plan) {
    process.stdout.write(`  ${query} … `);
    const result = await measure(client, query, sql, [...params]);
    process.stdout.write(`median ${result.medianMs} ms, p95 ${result.p95Ms} ms (${result.rowsOut} rows)\n`);
    measured.push(result);
  }
  return { rows: total, measured };
});

const label = results.rows >= 1e6 ? `${Math.round(results.rows / 1e6)}M` : results.rows.toLocaleString('en');
const all = readResults<Record<string, { rows: number; date: string; measured: Measured[] }>>('telemetry-scale.json', {});
all[label] = { rows: results.rows, date: new Date().toISOString().slice(0, 10), measured: results.measured };
writeResults('telemetry-scale.json', all);

const sizes = Object.values(all).sort((a, b) => a.rows - b.rows);
const queries = results.measured.map((m) => m.query);
const cell = (size: (typeof sizes)[number], query: string) => {
  const m = size.measured.find((x) => x.query === query);
  return m ? `${m.medianMs} / ${m.p95Ms}` : '–';
};
const table = [
  `Median / p95 ms, planning + execution, warm, ${runs} runs each (\`npm run bench:telemetry\`).`,
  '',
  `| query | ${sizes.map((s) => `${s.rows.toLocaleString('en')} rows`).join(' | ')} |`,
  `|---|${sizes.map(() => '---:').join('|')}|`,
  ...queries.map((q) => `| ${q} | ${sizes.map((s) => cell(s, q)).join(' | ')} |`),
  '',
  `Plans at ${sizes.at(-1)!.rows.toLocaleString('en')} rows:`,
  '',
  ...sizes.at(-1)!.measured.map((m) => `- ${m.query}: ${m.plan}`),
].join('\n');
replaceSection('telemetry-scale', table);
console.log('wrote bench/results/telemetry-scale.json and the table in BENCHMARKS.md');
