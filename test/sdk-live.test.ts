/**
 * The SDK's subscriptions (issue 13): `for await (… of sdk.PositionRecorded({ deviceIds }))` yields
 * typed results over SSE, leaving the loop or aborting ends the subscription on the gateway, a
 * refused stream throws the gateway's code; and examples/live-map.ts prints a recorded fix and
 * exits 0 on Ctrl-C. The api class runs with the allow-list on: the subscription is one of
 * schemas/operations like the SDK's other operations.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/config.js';
import { createClient, RepogateError, type PositionRecordedSubscription, type RepogateResult, type RepogateSdk } from '../src/sdk/client.js';
import { forgetFixesRecorded, openGateway, pgRows, telemetryUrl, type TestGateway, testTopology, tokenFor } from './support.js';

// This file's fixes: 2026-11-22 01:00–02:00 (test/live-page.test.ts has the hour before).
const recordedAt = (n: number) => new Date(Date.UTC(2026, 10, 22, 1) + n * 1000).toISOString();

const topology = structuredClone(testTopology());
topology.classes.api.persistedOperationsOnly = true;
let gateway: TestGateway;
let url: string;
let closeServer: () => Promise<void>;
let sdk: RepogateSdk;
let apiToken: string;
let device: { id: string; serial: string; user: { id: string; name: string; company: { id: string; name: string } } };

const forgetRecordedFixes = () => forgetFixesRecorded('2026-11-22T01:00:00Z', '2026-11-22T02:00:00Z');

/** Through the SDK as well: the allow-list holds RecordPositions. */
async function record(n: number) {
  const { data, errors } = await sdk.RecordPositions({ deviceId: device.id, positions: [{ recordedAt: recordedAt(n), latitude: 48.13743, longitude: 11.57549 }] });
  expect(errors).toEqual([]);
  expect(data!.recordPositions.inserted).toBe(1);
}

const openApiSubscriptions = () => gateway.live!.openSubscriptions().api ?? 0;

/** Until the gateway holds `count` api subscriptions (the SDK does not say when its request is in). */
async function subscribed(count: number) {
  await expect.poll(openApiSubscriptions, { timeout: 10_000 }).toBe(count);
}

/** The LISTEN connection is up: fixes recorded before it are not heard. */
async function listening(target: TestGateway): Promise<void> {
  for (const deadline = Date.now() + 10_000; !target.live?.listening(); ) {
    if (Date.now() > deadline) throw new Error('the LISTEN connection did not come up in 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  await forgetRecordedFixes();
  gateway = openGateway({ topology });
  const server = createServer((request, response) => void gateway.gateway(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  closeServer = async () => {
    await gateway.endSubscriptions();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  apiToken = await tokenFor('api', 'acme');
  sdk = createClient({ url, token: apiToken });
  const [row] = await pgRows<{ id: string }>(telemetryUrl(), "SELECT id::text FROM devices WHERE tenant = 'acme' AND user_id IS NOT NULL ORDER BY id LIMIT 1");
  const query = await gateway.request(`{ device(id: "${row!.id}") { id serial user { id name company { id name } } } }`);
  device = query.data!.device;
  await listening(gateway);
});

afterAll(async () => {
  await closeServer?.();
  await gateway?.close();
  await forgetRecordedFixes();
});

describe('sdk.PositionRecorded', () => {
  it('yields each recorded fix as a typed result, and leaving the loop ends the subscription', async () => {
    const events = sdk.PositionRecorded({ deviceIds: [device.id] });
    const first = events.next();
    await subscribed(1);
    await record(1);
    const received: IteratorResult<RepogateResult<PositionRecordedSubscription>> = await first;
    expect(received).toEqual({
      done: false,
      value: {
        data: { positionRecorded: { device, position: { recordedAt: recordedAt(1), latitude: 48.13743, longitude: 11.57549 } } },
        errors: [],
      },
    });
    // What `break` in a for await does.
    await events.return!();
    await subscribed(0);
  });

  it('ends on an aborted signal, even while waiting for an event', async () => {
    const stop = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const { data } of sdk.PositionRecorded({ deviceIds: [device.id] }, { signal: stop.signal })) seen.push(data!.positionRecorded.position.recordedAt);
    })();
    await subscribed(1);
    await record(2);
    await expect.poll(() => seen, { timeout: 5_000 }).toEqual([recordedAt(2)]);
    stop.abort();
    await loop;
    await subscribed(0);
  });

  it("throws the gateway's refusal as a RepogateError: a bad token is UNAUTHENTICATED", async () => {
    const events = createClient({ url, token: 'not-a-token' }).PositionRecorded();
    const error = await events.next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RepogateError);
    expect((error as RepogateError).code).toBe('UNAUTHENTICATED');
  });

  it('throws NETWORK_ERROR when nothing answers', async () => {
    const events = createClient({ url: 'http://127.0.0.1:9/graphql', token: apiToken }).PositionRecorded();
    const error = await events.next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RepogateError);
    expect((error as RepogateError).code).toBe('NETWORK_ERROR');
  });
});

describe('examples/live-map.ts', () => {
  it('prints a recorded fix as it arrives and exits 0 on Ctrl-C', { timeout: 60_000 }, async () => {
    // node with tsx's loader, not the tsx command: tsx relays a SIGINT to its child and, when the
    // child does not confirm within 30 ms (a busy machine), kills it and exits 130, whatever the
    // example does (tsx's cli.mjs, relaySignalToChild). In its own process group, as in a terminal.
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/live-map.ts', device.id], {
      cwd: projectRoot,
      env: { ...process.env, REPOGATE_URL: url, REPOGATE_TOKEN: '' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await subscribed(1);
      await record(3);
      const line = `${device.serial}  ${device.user.name} (${device.user.company.name})  48.13743, 11.57549  ${recordedAt(3)}`;
      await expect.poll(() => stdout.split('\n'), { timeout: 5_000, message: stderr }).toContain(line);
      process.kill(-child.pid!, 'SIGINT');
      expect(await exited, stderr).toBe(0);
      expect(stderr).not.toMatch(/warning|error/i);
      await subscribed(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});
