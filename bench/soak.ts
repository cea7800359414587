/**
 * A soak: mixed load at a steady rate against the real gateway (over HTTP, on the embedded
 * stack) for N minutes, every class and both tenants, reads and an idempotent write. Reports
 * errors (HTTP and GraphQL: must be 0), latency percentiles and the gateway's memory growth,
 * with progress every 10 s, and writes bench/results/soak-<date>.md.
 *
 *   npm run soak -- --minutes 10 [--rate 100]
 *
 * With `--faults` (default rate 40) it hangs and kills each repo in turn while it runs: see soak-faults.ts.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { signDevToken } from '../src/auth/tokens.js';
import { projectRoot } from '../src/config.js';
import { createRepogate } from '../src/gateway/repogate.js';
import { createLogger } from '../src/observability/logger.js';
import { stackUp } from '../dev/stack/stack.js';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string' }, faults: { type: 'boolean', default: false } },
});
const seconds = Math.round(Number(values.minutes) * 60);
if (values.faults) {
  // Below capacity: at 100 req/s two cores have no headroom to drain the backlog a hung repo builds.
  const { soakWithFaults } = await import('./soak-faults.js');
  process.exit(await soakWithFaults({ minutes: Number(values.minutes), rate: Number(values.rate ?? 40) }));
}
const rate = Number(values.rate ?? 100);

const { topology } = await stackUp(() => {});
if (!('hs256Secret' in topology.auth)) throw new Error('the soak signs tokens with the stack secret');
const secret = topology.auth.hs256Secret;
const repogate = createRepogate(topology, { logger: createLogger('warn') });
const server = createServer(repogate.gateway);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

const token = (clientClass: string, tenant: string) => signDevToken(secret, { clientClass, tenant, expiresIn: `${seconds + 600}s` });
const fixes = Array.from({ length: 20 }, (_, i) => ({ recordedAt: new Date(Date.UTC(2026, 10, 20, 0, 0, i)).toISOString(), latitude: 52.5, longitude: 13.4 }));
const operations = [
  { clientClass: 'interactive', tenant: 'acme', query: '{ companies(first: 5) { edges { node { name openBalanceCents users(first: 10) { edges { node { name lastPosition { recordedAt } devices { serial } } } } invoices(status: OPEN) { number lines { unitPriceCents } } } } } }' },
  { clientClass: 'interactive', tenant: 'globex', query: '{ user(id: "7") { name email trackedSeconds(from: "2026-10-01T00:00:00Z", to: "2026-10-08T00:00:00Z") devices { track(from: "2026-10-30T00:00:00Z", to: "2026-10-30T06:00:00Z", maxPoints: 50) { recordedAt } } } }' },
  { clientClass: 'api', tenant: 'acme', query: '{ devices(first: 50) { edges { node { serial lastPosition { latitude longitude } user { name company { name } } } } } }' },
  { clientClass: 'api', tenant: 'globex', query: 'mutation ($p: [PositionInput!]!) { recordPositions(deviceId: "2", positions: $p) { inserted duplicates } }', variables: { p: fixes } },
  { clientClass: 'admin', tenant: 'acme', query: '{ invoice(number: "4999") { number company { name } lines { description } } company(id: "2") { openBalanceCents } }' },
];
let graphqlErrors = 0;
const errorSamples: string[] = [];
const requests = await Promise.all(
  operations.map(async (operation) => ({
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(operation.clientClass, operation.tenant)}` },
    body: JSON.stringify({ query: operation.query, variables: operation.variables }),
    onResponse: (_status: number, body: string) => {
      if (body.includes('"errors"')) {
        graphqlErrors += 1;
        if (errorSamples.length < 5) errorSamples.push(body.slice(0, 300));
      }
    },
  })),
);

const memory: { at: number; rssMb: number; heapMb: number }[] = [];
const sample = () => {
  const { rss, heapUsed } = process.memoryUsage();
  memory.push({ at: Math.round(performance.now() / 1000), rssMb: Math.round(rss / 1e6), heapMb: Math.round(heapUsed / 1e6) });
};
sample();
const progress = setInterval(() => {
  sample();
  const last = memory.at(-1)!;
  process.stdout.write(`  ${memory.length * 10 - 10}s / ${seconds}s  rss ${last.rssMb} MB  heap ${last.heapMb} MB  graphql errors ${graphqlErrors}\n`);
}, 10_000);

// Warm-up: JIT, pools and plans at a quarter of the rate; its errors are reported apart.
process.stdout.write('warm-up 20 s …\n');
await autocannon({ url, connections: 5, overallRate: Math.max(1, Math.round(rate / 4)), duration: 20, requests });
const warmUpErrors = graphqlErrors;
graphqlErrors = 0;
errorSamples.length = 0;

const result = await autocannon({ url, connections: 20, overallRate: rate, duration: seconds, requests });
clearInterval(progress);
sample();
// Let the last answers go out before the pools close.
await new Promise((resolve) => server.close(resolve));
await repogate.close();
// Leave the demo data as the seed made it (the write above is idempotent, but adds its fixes once).
const { withPgClient } = await import('../src/repo/pg-client.js');
const { readStackInfo } = await import('../dev/stack/stack.js');
await withPgClient(readStackInfo()!.repos.telemetry.url, async (client) => {
  await client.query("DELETE FROM positions WHERE device_id = 2 AND recorded_at >= '2026-11-20' AND recorded_at < '2026-11-21'");
  await client.query(`UPDATE device_last_position l SET recorded_at = p.recorded_at, lat = p.lat, lon = p.lon, speed_kmh = p.speed_kmh, heading = p.heading
    FROM (SELECT * FROM positions WHERE device_id = 2 ORDER BY recorded_at DESC LIMIT 1) p WHERE l.device_id = 2`);
});

const steady = memory[Math.min(3, memory.length - 1)]!; // after 30 s of warm-up
const end = memory.at(-1)!;
const report = [
  `# Soak — ${new Date().toISOString()}`,
  '',
  `${values.minutes} min at ${rate} req/s (20 connections), mixed: 5 operations over 3 classes and 2 tenants, one an idempotent write;`,
  `after a 20 s warm-up at a quarter of the rate (GraphQL errors during warm-up: ${warmUpErrors}).`,
  '',
  '| requests | HTTP non-2xx | transport errors | GraphQL errors | p50 ms | p99 ms | max ms | RSS after warm-up → end | heap after warm-up → end |',
  '|---|---|---|---|---|---|---|---|---|',
  `| ${result.requests.total} | ${result.non2xx} | ${result.errors} | ${graphqlErrors} | ${result.latency.p50} | ${result.latency.p99} | ${result.latency.max} | ${steady.rssMb} → ${end.rssMb} MB | ${steady.heapMb} → ${end.heapMb} MB |`,
  ...(errorSamples.length > 0 ? ['', 'First errors:', '', ...errorSamples.map((sampleText) => `    ${sampleText}`)] : []),
].join('\n');
const file = path.join(projectRoot, 'bench', 'results', `soak-${new Date().toISOString().slice(0, 10)}.md`);
writeFileSync(file, `${report}\n`);
console.log(`\n${report}\n\nwritten to ${path.relative(projectRoot, file)}`);
process.exit(result.non2xx + result.errors + graphqlErrors === 0 ? 0 : 1);
