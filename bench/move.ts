/**
 * `npm run bench:move -- [--before 2026-10-01]`: the move at scale. Measures the active track and
 * last-position latency through the gateway, moves every month of history before `--before`
 * (default: the month of the demo week; the history before it goes) into
 * training, and measures again: the move's rows/s and rows per CPU-second, and whether the
 * active reads stayed flat. Grow the history first, past the demo week's month (history is
 * written back from 2026-10-25 at 120,000 fixes an hour, so 100M rows reach into September):
 *
 *   npm run seed:telemetry -- --rows 100000000 && npm run bench:move
 *
 * It moves your stack's history for real (`npm run stack:reset` starts over). The report goes to
 * bench/results/move-<time>.md; BENCHMARKS.md quotes it.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SEED_END } from '../dev/stack/demo.js';
import { readStackInfo } from '../dev/stack/stack.js';
import { signDevToken } from '../src/auth/tokens.js';
import { projectRoot } from '../src/config.js';
import { createRepogate } from '../src/gateway/repogate.js';
import { parseMoveArgs } from '../src/move/args.js';
import { createProgress } from '../src/move/progress.js';
import { runMove } from '../src/move/run-move.js';
import { createLogger } from '../src/observability/logger.js';
import { withPgClient } from '../src/repo/pg-client.js';

const { values } = parseArgs({ options: { before: { type: 'string', default: '2026-10-01' }, requests: { type: 'string', default: '300' } } });
const info = readStackInfo();
if (!info) throw new Error('bench:move needs the stack (npm start or npm run stack:up first)');
const { topology } = info;
const auth = topology.auth as { hs256Secret: string };
const token = await signDevToken(auth.hs256Secret, { clientClass: 'interactive', tenant: 'acme', expiresIn: '1h' });

const countRows = () => withPgClient(info.repos.telemetry.url, async (client) => Number((await client.query('SELECT count(*) AS n FROM positions')).rows[0].n));

/** The active reads a dispatcher's screen makes: an hour of one device's track, and the newest fix of 500 devices. */
const reads = {
  'track, 1 h of one device': {
    query: 'query ($id: ID!, $from: DateTime!, $to: DateTime!) { device(id: $id) { track(from: $from, to: $to) { recordedAt latitude longitude } } }',
    variables: (n: number) => ({ id: String(1 + 2 * (n % 250)), from: new Date(SEED_END.getTime() - 3_600_000).toISOString(), to: SEED_END.toISOString() }),
  },
  'last position of 500 devices': {
    query: '{ devices(first: 500) { edges { node { lastPosition { recordedAt latitude longitude } } } } }',
    variables: () => ({}),
  },
};

async function latencies(): Promise<Record<string, { p50: number; p99: number }>> {
  const repogate = createRepogate(topology, { logger: createLogger('warn') });
  try {
    const measured: Record<string, { p50: number; p99: number }> = {};
    for (const [name, { query, variables }] of Object.entries(reads)) {
      const one = async (n: number) => {
        const started = performance.now();
        const response = await repogate.gateway.fetch('http://repogate.bench/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables: variables(n) }),
        });
        const body = (await response.json()) as { errors?: unknown };
        if (body.errors) throw new Error(`${name}: ${JSON.stringify(body.errors)}`);
        return performance.now() - started;
      };
      for (let warm = 0; warm < 30; warm += 1) await one(warm);
      const times: number[] = [];
      for (let n = 0; n < Number(values.requests); n += 1) times.push(await one(n));
      times.sort((a, b) => a - b);
      measured[name] = { p50: times[Math.floor(times.length * 0.5)]!, p99: times[Math.floor(times.length * 0.99)]! };
    }
    return measured;
  } finally {
    await repogate.close();
  }
}

const rowsBefore = await countRows();
console.log(`bench:move: telemetry holds ${rowsBefore.toLocaleString('en')} fixes; measuring active reads (${values.requests} each)`);
const before = await latencies();

const lines: string[] = [];
const printing = await createProgress();
const progress = { ...printing, log: (line: string) => (lines.push(line), printing.log(line)) };
const summary = await runMove(topology, parseMoveArgs(['--before', values.before], {}, new Date()), progress);
const rowsAfter = await countRows();
if (rowsAfter === rowsBefore) {
  // seed:telemetry writes history back from the demo week (2026-10-25) at 120,000 fixes an hour:
  // below ~70M rows all of it is in October, the demo week's month, which does not move.
  console.warn(`bench:move: no telemetry fix was before ${values.before}: grow the history further back (npm run seed:telemetry -- --rows 100000000) for a move at scale`);
}

console.log('bench:move: measuring active reads again');
const after = await latencies();

const ms = (value: number) => value.toFixed(1);
const report = [
  `# The move at ${rowsBefore.toLocaleString('en')} fixes (${new Date().toISOString()})`,
  '',
  `\`npm run bench:move -- --before ${values.before}\`: ${summary.rowsMoved.toLocaleString('en')} rows moved; telemetry ${rowsBefore.toLocaleString('en')} → ${rowsAfter.toLocaleString('en')} fixes.`,
  '',
  '```',
  ...lines.filter((line) => line.trim() !== ''),
  '```',
  '',
  '| active read (interactive, through the gateway) | p50 before | p50 after | p99 before | p99 after |',
  '|---|---|---|---|---|',
  ...Object.keys(reads).map((name) => `| ${name} | ${ms(before[name]!.p50)} ms | ${ms(after[name]!.p50)} ms | ${ms(before[name]!.p99)} ms | ${ms(after[name]!.p99)} ms |`),
  '',
];
const file = path.join(projectRoot, 'bench', 'results', `move-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
writeFileSync(file, `${report.join('\n')}\n`);
console.log(`\n${report.slice(-Object.keys(reads).length - 3).join('\n')}\nwrote ${path.relative(projectRoot, file)}`);
