/**
 * The gateway's own CPU per request, per scenario: requests go straight into yoga's fetch
 * handler (no HTTP, no load generator in the way), 10 at a time, and the process's CPU time is
 * divided by the requests served. Steadier than req/s under autocannon on a small machine, so it
 * is what tuning steps are compared by; run it under `node --cpu-prof` to see where the time goes.
 *
 *   npm run bench:cpu [-- --requests 2000 --scenarios Q5,Q6]
 */
import { parseArgs } from 'node:util';
import { signDevToken } from '../src/auth/tokens.js';
import { createRepogate } from '../src/gateway/repogate.js';
import { createLogger } from '../src/observability/logger.js';
import { withPgClient } from '../src/repo/pg-client.js';
import { prng } from '../src/stack/demo.js';
import { stackUp } from '../src/stack/stack.js';
import { ids, scenarios } from './compare/scenarios.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, scenarios: { type: 'string', default: 'Q1,Q2,Q3,Q4,Q5,Q6' } } });
const wanted = new Set(values.scenarios.split(','));

const { topology, repos } = await stackUp(() => {});
if (!('hs256Secret' in topology.auth)) throw new Error('the bench signs tokens with the stack secret');
ids.devices = await withPgClient(repos.telemetry.url, async (client) =>
  (await client.query<{ id: string }>("SELECT id::text FROM devices WHERE tenant = 'acme' ORDER BY id")).rows.map((r) => r.id));
// As in npm run bench: the interactive class with room for Q4's cost.
const repogate = createRepogate(
  { ...topology, classes: { ...topology.classes, interactive: { ...topology.classes.interactive, poolSize: 10, limits: { ...topology.classes.interactive.limits, maxCost: 5_000_000 } } } },
  { logger: createLogger('warn') },
);
const token = await signDevToken(topology.auth.hs256Secret, { clientClass: 'interactive', tenant: 'acme' });

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
  const started = performance.now();
  let sent = 0;
  await Promise.all(Array.from({ length: 10 }, async () => {
    while (sent < requests) {
      sent += 1;
      await one();
    }
  }));
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  console.log(`${scenario.name}: ${((cpu.user + cpu.system) / 1000 / requests).toFixed(2)} CPU ms/request (${requests} requests, ${(requests / seconds).toFixed(0)} req/s in-process)`);
}
await repogate.close();
