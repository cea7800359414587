/**
 * SIGTERM during load: the gateway stops accepting, every request in flight completes, the
 * pools close, and the process exits 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { freePort, stackInfo, tokenFor } from './support.js';


describe('SIGTERM', () => {
  it('lets every in-flight request complete, then exits 0', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'repogate-drain-'));
    const config = path.join(dir, 'repogate.json');
    writeFileSync(config, JSON.stringify({ ...stackInfo().topology, gateway: { ...stackInfo().topology.gateway, drainTimeoutMs: 20_000 } }));
    const port = await freePort();
    // As npm start runs it: node with tsx as a loader, so the signal reaches the gateway itself.
    const child = spawn(process.execPath, ['--import', 'tsx', 'dev/cli.ts', 'start'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', REPOGATE_CONFIG: config, REPOGATE_PORT: String(port), REPOGATE_LOG_LEVEL: 'warn' },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
        if (output.includes('Repogate is serving')) resolve();
      });
      void exited.then(() => reject(new Error(`exited early: ${output}`)));
    });

    const token = await tokenFor('admin');
    const heavy = '{ companies(first: 20) { edges { node { name users(first: 50) { edges { node { name trackedSeconds(from: "2026-08-01T00:00:00Z", to: "2026-11-01T00:00:00Z") } } } } } } }';
    const inFlight = Array.from({ length: 12 }, () =>
      fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: heavy }),
      }).then(async (response) => ({ status: response.status, body: await response.json() })),
    );
    await new Promise((resolve) => setTimeout(resolve, 100)); // the requests are in
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const ready = await fetch(`http://127.0.0.1:${port}/ready`); // still accepting while it drains
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'draining' });

    const answers = await Promise.all(inFlight);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.companies.edges).toHaveLength(20);
    }
    expect(await exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow(); // no longer accepting
  });
});
