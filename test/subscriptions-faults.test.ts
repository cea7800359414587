/**
 * Subscriptions across faults and processes: the telemetry cluster restarted under open streams
 * (the LISTEN connection comes back by itself, the gap is announced, the stream goes on without
 * the client reconnecting), and two gateway processes, each with its own LISTEN connection,
 * delivering one fix to their own subscribers. SIGTERM completes a process's open streams.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-sse';
import { afterAll, describe, expect, it } from 'vitest';
import { stackProcesses } from '../dev/stack/stack.js';
import { projectRoot } from '../src/config.js';
import { forgetFixesRecorded, freePort, openGateway, stackInfo, tokenFor } from './support.js';

const EVENT = 'subscription ($ids: [ID!]) { positionRecorded(deviceIds: $ids) { device { id } position { recordedAt } } }';
const DEVICE = '3'; // acme's
const at = (n: number) => new Date(Date.UTC(2026, 10, 21) + n * 1000).toISOString();

function subscribe(url: string, token: string) {
  const results: any[] = [];
  let ended: unknown;
  const client = createClient({ url, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  const dispose = client.subscribe({ query: EVENT, variables: { ids: [DEVICE] } }, {
    next: (value) => void results.push(value),
    error: (error) => void (ended = error ?? 'error'),
    complete: () => void (ended = 'complete'),
  });
  return { results, get ended() { return ended; }, dispose };
}

async function until(done: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; !done() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
  return done();
}

const gateway = openGateway();
async function record(n: number) {
  const response = await gateway.request('mutation ($id: ID!, $at: DateTime!) { recordPositions(deviceId: $id, positions: [{ recordedAt: $at, latitude: 48, longitude: 11 }]) { inserted } }', { id: DEVICE, at: at(n) }, { clientClass: 'api' });
  expect(response.errors).toBeUndefined();
}

afterAll(async () => {
  await gateway.close();
  await forgetFixesRecorded('2026-11-21', '2026-11-22');
});

/** A gateway process as production runs it (src/serve.ts), on its own port; resolves once it serves. */
async function gatewayProcess(): Promise<{ url: string; child: ChildProcess; exited: Promise<number | null> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'repogate-live-'));
  const config = path.join(dir, 'repogate.json');
  writeFileSync(config, JSON.stringify(stackInfo().topology));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/serve.ts'], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', REPOGATE_CONFIG: config, REPOGATE_PORT: String(port), REPOGATE_LOG_LEVEL: 'warn' },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Repogate is serving')) resolve();
    });
    void exited.then(() => reject(new Error(`exited early: ${output}`)));
  });
  return { url: `http://127.0.0.1:${port}/graphql`, child, exited };
}

describe('two gateway processes', () => {
  it('each deliver a fix to their own subscribers, and SIGTERM completes their streams', { timeout: 60_000 }, async () => {
    const processes = await Promise.all([gatewayProcess(), gatewayProcess()]);
    try {
      const token = await tokenFor('interactive', 'acme');
      const streams = processes.map((process) => subscribe(process.url, token));
      // Their LISTEN connections come up in the background: wait until a fix reaches both.
      let n = 0;
      while (!streams.every((stream) => stream.results.length > 0) && n < 40) {
        await record(n++);
        await until(() => streams.every((stream) => stream.results.length > 0), 250);
      }
      expect(streams.map((stream) => stream.results.length > 0)).toEqual([true, true]);
      const seen = streams.map((stream) => stream.results.length);
      await record(100);
      expect(await until(() => streams.every((stream, i) => stream.results.length === seen[i]! + 1), 2_000)).toBe(true);
      expect(streams.map((stream) => stream.results.at(-1).data.positionRecorded.position.recordedAt)).toEqual([at(100), at(100)]);

      processes[0]!.child.kill('SIGTERM');
      expect(await processes[0]!.exited).toBe(0);
      expect(await until(() => streams[0]!.ended !== undefined, 2_000)).toBe(true);
      expect(streams[0]!.ended).toBe('complete');
      streams[1]!.dispose();
    } finally {
      for (const process of processes) if (process.child.exitCode === null) process.child.kill('SIGKILL');
    }
  });
});

describe('the telemetry cluster restarted under open subscriptions', () => {
  it('announces the gap once, then goes on delivering without the client reconnecting', { timeout: 60_000 }, async () => {
    const stack = stackProcesses();
    for (let i = 0; i < 100 && !gateway.live?.listening(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    const served = await import('node:http').then(({ createServer }) => createServer((request, response) => void gateway.gateway(request, response)));
    await new Promise<void>((resolve) => served.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(served.address() as import('node:net').AddressInfo).port}/graphql`;
    try {
      const stream = subscribe(url, await tokenFor('interactive', 'acme'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await record(200);
      expect(await until(() => stream.results.length === 1, 2_000)).toBe(true);

      await stack.telemetry.stop();
      await new Promise((resolve) => setTimeout(resolve, 500));
      await stack.telemetry.start();
      expect(await until(() => gateway.live!.listening(), 10_000)).toBe(true);
      expect(await until(() => stream.results.length === 2, 2_000)).toBe(true);
      expect(stream.results[1]).toMatchObject({ data: null, errors: [{ extensions: { code: 'LIVE_GAP', gap: { from: expect.any(String), to: expect.any(String) } } }] });

      // Writes may need a moment while the gateway's pools find the restarted server.
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const response = await gateway.request('mutation ($id: ID!, $at: DateTime!) { recordPositions(deviceId: $id, positions: [{ recordedAt: $at, latitude: 48, longitude: 11 }]) { inserted } }', { id: DEVICE, at: at(201) }, { clientClass: 'api' });
        if (!response.errors) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(await until(() => stream.results.length === 3, 3_000)).toBe(true);
      expect(stream.results[2].data.positionRecorded.position.recordedAt).toBe(at(201));
      expect(stream.ended).toBeUndefined();
      stream.dispose();
    } finally {
      await stack.telemetry.start();
      await gateway.endSubscriptions();
      served.closeAllConnections();
      await new Promise((resolve) => served.close(resolve));
    }
  });
});
