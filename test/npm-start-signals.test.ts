/**
 * `npm start` under a process manager: `docker stop`, systemd and supervisors signal the process
 * they started, which is npm. TERM, INT and HUP sent to npm alone must reach the gateway and drain
 * it as Ctrl-C does (requests in flight answered, port freed); the exit code passes through.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { freePort, tokenFor } from './support.js';

interface Started {
  npm: ChildProcess;
  url: string;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function npmStart(): Promise<Started> {
  const port = await freePort();
  // Its own process group, so a signal reaches npm alone, as `kill <pid>` from a supervisor does.
  const npm = spawn('npm', ['start'], { cwd: projectRoot, detached: true, env: { ...process.env, REPOGATE_PORT: String(port) } });
  let output = '';
  for (const stream of [npm.stdout!, npm.stderr!]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 120_000;
  while (!output.includes('Repogate is serving')) {
    if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`npm start did not serve:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { npm, url: `http://127.0.0.1:${port}/graphql`, output: () => output, exit };
}

async function query(url: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor()}` },
    body: JSON.stringify({ query: '{ companies(first: 20) { edges { node { name openBalanceCents users(first: 20) { edges { node { name } } } } } } }' }),
  });
  await response.text();
  return response.status;
}

async function portClosed(url: string): Promise<boolean> {
  try {
    await fetch(url.replace('/graphql', '/health'));
    return false;
  } catch {
    return true;
  }
}

describe.each([
  // npm passes INT and TERM to its script and exits with its code.
  { signal: 'SIGTERM' as const, exit: { code: 0, signal: null } },
  { signal: 'SIGINT' as const, exit: { code: 0, signal: null } },
  // npm dies of a HUP itself (it passes none on); the gateway, its parent gone, drains anyway.
  { signal: 'SIGHUP' as const, exit: { code: null, signal: 'SIGHUP' } },
])('kill -$signal on npm start', ({ signal, exit }) => {
  it('drains the gateway like Ctrl-C: requests in flight answered, the port freed, the exit code passed through', async () => {
    const started = await npmStart();
    try {
      expect(await query(started.url)).toBe(200);
      const inFlight = Array.from({ length: 5 }, () => query(started.url));
      await new Promise((resolve) => setTimeout(resolve, 20));
      process.kill(started.npm.pid!, signal);
      expect(await Promise.all(inFlight)).toEqual([200, 200, 200, 200, 200]);
      expect(await started.exit).toEqual(exit);
      // After npm's own exit (HUP), the gateway may still be finishing its drain: its workers
      // log "stopped" before the primary, which holds the port, has waited for them and exits.
      const deadline = Date.now() + 15_000;
      while (!(started.output().includes('"msg":"stopped') && (await portClosed(started.url))) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(started.output()).toContain(`"signal":"${signal}","inFlight"`);
      expect(started.output()).toContain('"msg":"stopped');
      expect(await portClosed(started.url)).toBe(true);
    } finally {
      if (started.npm.exitCode === null) process.kill(-started.npm.pid!, 'SIGKILL');
    }
  }, 180_000);
});
