/**
 * REPOGATE_WORKERS: several gateway processes behind one port (src/serve-workers.ts). Both
 * workers serve, /metrics adds them up, the class pools are split so the databases see the
 * configured total, a worker that dies is replaced, and SIGTERM drains every worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { childrenOf } from '../src/observability/process-cpu.js';
import { freePort, stackInfo, tokenFor } from './support.js';

/** The primary's worker processes (not tsx's esbuild service, also its child on a fresh checkout). */
const workersOf = (pid: number): number[] =>
  childrenOf(pid).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('gateway-worker');
    } catch {
      return false; // gone meanwhile
    }
  });

/** A request on a connection of its own: the cluster hands each new connection to the next worker. */
function post(port: number, token: string, query: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ port, host: '127.0.0.1', path: '/graphql', method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    });
    request.on('error', reject);
    request.end(JSON.stringify({ query }));
  });
}

async function metric(port: number, line: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text.split('\n').filter((row) => line.test(row)).reduce((sum, row) => sum + Number(row.split(' ').pop()), 0);
}

const until = async (what: string, done: () => boolean | Promise<boolean>, ms = 30_000) => {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('REPOGATE_WORKERS=2', () => {
  let primary: ChildProcess;
  let port: number;
  let output = '';
  let exited: Promise<number | null>;
  const poolSize = stackInfo().topology.classes.interactive.poolSize;

  beforeAll(async () => {
    port = await freePort();
    // As npm start runs it (the embedded stack is already up).
    primary = spawn(process.execPath, ['--import', 'tsx', 'dev/cli.ts', 'start'], {
      cwd: projectRoot,
      env: { ...process.env, REPOGATE_WORKERS: '2', REPOGATE_PORT: String(port), REPOGATE_LOG_LEVEL: 'info' },
    });
    for (const stream of [primary.stdout!, primary.stderr!]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => primary.once('exit', resolve));
    await until('the workers to serve', () => {
      if (primary.exitCode !== null) throw new Error(`exited early:\n${output}`);
      return output.includes('Repogate is serving');
    }, 120_000);
  }, 150_000);
  afterAll(() => {
    if (primary.exitCode === null) primary.kill('SIGKILL');
  });

  it('runs two workers behind the one port, and /metrics counts the requests of both', async () => {
    expect(output).toContain('with 2 worker processes');
    expect(workersOf(primary.pid!)).toHaveLength(2);
    const token = await tokenFor();
    const before = await metric(port, /^graphql_yoga_http_duration_count\{.*statusCode="200"/);
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(port, token, '{ user(id: "1") { name company { name } } }')));
    for (const answer of answers) expect(answer.body).toEqual({ data: { user: { name: 'Hana Schmidt', company: { name: 'Müller GmbH' } } } });
    // One worker's registry alone would hold about half of them.
    expect((await metric(port, /^graphql_yoga_http_duration_count\{.*statusCode="200"/)) - before).toBe(20);
  });

  it('splits each class pool between the workers: together they open the configured total, not twice it', async () => {
    const token = await tokenFor();
    // 40 at once, about 20 per worker: unsplit, each worker would fill a pool of poolSize.
    const answers = await Promise.all(Array.from({ length: 40 }, () => post(port, token, '{ devices(first: 200) { edges { node { id lastPosition { recordedAt } } } } }')));
    for (const answer of answers) expect(answer.body.data.devices.edges).toHaveLength(200);
    // The gateway's own count (other tests' gateways share the role on the database): idle connections stay open for a while.
    const opened = await metric(port, /^repogate_pool_connections\{repo="telemetry",class="interactive",state="total"\}/);
    expect(opened).toBeGreaterThan(poolSize / 2); // both workers opened theirs
    expect(opened).toBeLessThanOrEqual(poolSize);
  }, 60_000);

  it('replaces a worker that dies, and keeps serving meanwhile', async () => {
    const [victim, survivor] = workersOf(primary.pid!);
    process.kill(victim!, 'SIGKILL');
    // Once the primary knows (a connection handed to a worker in the instant it dies is lost with it).
    await until('the primary to notice', () => output.includes('gateway worker died; starting another'));
    const token = await tokenFor();
    const meanwhile = await Promise.all(Array.from({ length: 6 }, () => post(port, token, '{ company(id: "1") { name } }')));
    for (const answer of meanwhile) expect(answer.body).toEqual({ data: { company: { name: 'Müller GmbH' } } });
    await until('a new worker', () => {
      const workers = workersOf(primary.pid!);
      return workers.length === 2 && workers.includes(survivor!) && !workers.includes(victim!);
    });
  }, 60_000);

  it('drains every worker on SIGTERM: requests in flight answered, exit 0, no worker left', async () => {
    await until('the replacement to serve', () => output.includes('replacement worker serving'));
    const workers = workersOf(primary.pid!);
    const token = await tokenFor();
    const inFlight = Array.from({ length: 8 }, () => post(port, token, '{ companies(first: 20) { edges { node { name users(first: 50) { edges { node { name } } } } } } }'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    primary.kill('SIGTERM');
    for (const answer of await Promise.all(inFlight)) expect(answer.body.data.companies.edges).toHaveLength(20);
    expect(await exited).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
    expect(output.match(/"msg":"draining/g)).toHaveLength(2);
  }, 60_000);
});
