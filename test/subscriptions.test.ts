/**
 * Subscription.positionRecorded (issue 13): fixes recorded by the mutation reach subscribers
 * over SSE (graphql-sse's client) and WebSocket (graphql-ws's), fed by NOTIFY through one LISTEN
 * connection per gateway; filtered by tenant and arguments; cross-repo fields resolved as in a
 * query, one statement per repo per burst however many subscribe; caps, a slow consumer, the
 * telemetry cluster restarted under a stream, and a drain.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseTopology, type Topology } from '../src/config.js';
import { attachWebSockets, webSocketOptions } from '../src/gateway/websocket.js';
import { DIRECT_RESULT_HEADER } from '../src/gateway/direct-results.js';
import { forgetFixesRecorded, openGateway, openPlainStitchingGateway, pgRows, telemetryUrl, type TestGateway, testTopology, tokenFor } from './support.js';

interface Served {
  gateway: TestGateway;
  url: string;
  close(): Promise<void>;
}

async function serve(topology: Topology = testTopology(), open: typeof openGateway = openGateway): Promise<Served> {
  const gateway = open({ topology });
  const server: Server = createServer((request, response) => void gateway.gateway(request, response));
  const sockets = attachWebSockets(server, gateway.gateway, webSocketOptions(gateway, topology));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    gateway,
    url: `http://127.0.0.1:${port}/graphql`,
    async close() {
      await gateway.endSubscriptions();
      await sockets.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await gateway.close();
    },
  };
}

const EVENT = `subscription ($deviceIds: [ID!], $userIds: [ID!]) {
  positionRecorded(deviceIds: $deviceIds, userIds: $userIds) {
    device { id serial user { id name company { name } } }
    position { recordedAt latitude longitude }
  }
}`;

/** Collects a subscription's results until `count` arrived (or it ended). */
function collect(subscribe: (sink: { next(value: any): void; error(error: unknown): void; complete(): void }) => () => void) {
  const results: any[] = [];
  let ended: unknown;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((resolve) => resolve());
  const dispose = subscribe({
    next: (value) => (results.push(value), wake()),
    error: (error) => ((ended = error ?? 'error'), wake()),
    complete: () => ((ended = 'complete'), wake()),
  });
  return {
    results,
    get ended() {
      return ended;
    },
    dispose,
    async until(done: () => boolean, ms = 5_000) {
      const deadline = Date.now() + ms;
      while (!done() && Date.now() < deadline) await new Promise<void>((resolve) => (waiters.push(resolve), setTimeout(resolve, 50)));
      return done();
    },
  };
}

function sse(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const client = createSseClient({ url, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  return collect((sink) => client.subscribe({ query, variables }, sink));
}

const wsClients: WsClient[] = [];
function ws(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const client = createWsClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: false });
  wsClients.push(client);
  return collect((sink) => client.subscribe({ query, variables }, sink));
}

/** The devices and users of each tenant (telemetry), for fixes to record and to expect. */
let devices: Record<'acme' | 'globex', { id: string; userId: string | null }[]>;
const recordedAt = (n: number) => new Date(Date.UTC(2026, 10, 20) + n * 1000).toISOString();
let served: Served;
let apiToken: Record<'acme' | 'globex', string>;

async function record(tenant: 'acme' | 'globex', deviceId: string, n: number) {
  const response = await served.gateway.request(
    'mutation ($id: ID!, $at: DateTime!) { recordPositions(deviceId: $id, positions: [{ recordedAt: $at, latitude: 48.1, longitude: 11.5 }]) { inserted } }',
    { id: deviceId, at: recordedAt(n) },
    { token: apiToken[tenant] },
  );
  expect(response.errors).toBeUndefined();
  expect(response.data!.recordPositions.inserted).toBe(1);
}

const forgetRecordedFixes = () => forgetFixesRecorded('2026-11-20', '2026-11-21');

beforeAll(async () => {
  const rows = await pgRows<{ id: string; tenant: 'acme' | 'globex'; user_id: string | null }>(telemetryUrl(), 'SELECT id::text, tenant, user_id::text FROM devices WHERE id <= 40 ORDER BY id');
  devices = { acme: [], globex: [] };
  for (const row of rows) devices[row.tenant].push({ id: row.id, userId: row.user_id });
  apiToken = { acme: await tokenFor('api', 'acme'), globex: await tokenFor('api', 'globex') };
  await forgetRecordedFixes();
  served = await serve();
  await listening(served);
});

/** A gateway of its own with these gateway settings, served once its LISTEN connection is up. */
async function serveListening(gateway: Partial<Topology['gateway']>): Promise<Served> {
  const served = await serve(parseTopology({ ...testTopology(), gateway: { ...testTopology().gateway, ...gateway } }));
  await listening(served).catch(async (error: unknown) => {
    await served.close();
    throw error;
  });
  return served;
}

/** The LISTEN connection is up: fixes recorded before it are not heard. */
async function listening(target: Served): Promise<void> {
  for (const deadline = Date.now() + 5_000; !target.gateway.live?.listening(); ) {
    if (Date.now() > deadline) throw new Error('the LISTEN connection did not come up in 5 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

afterEach(() => Promise.all(wsClients.splice(0).map((client) => client.dispose())));

afterAll(async () => {
  await served?.close();
  await forgetRecordedFixes();
});

describe('Subscription.positionRecorded', () => {
  it('delivers a recorded fix over SSE with its cross-repo fields, as a query would answer them', async () => {
    const acmeDevice = devices.acme.find((device) => device.userId !== null)!;
    const stream = sse(served.url, await tokenFor('interactive', 'acme'), EVENT, { deviceIds: [acmeDevice.id] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await record('acme', acmeDevice.id, 1);
    expect(await stream.until(() => stream.results.length === 1, 1_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    const query = await served.gateway.request(`{ device(id: "${acmeDevice.id}") { id serial user { id name company { name } } } }`);
    expect(stream.results[0]).toEqual({
      data: { positionRecorded: { device: query.data!.device, position: { recordedAt: recordedAt(1), latitude: 48.1, longitude: 11.5 } } },
    });
    stream.dispose();
  });

  it('never shows a globex subscriber an acme fix over 200 interleaved events of both tenants, and misses none', { timeout: 40_000 }, async () => {
    const acme = sse(served.url, await tokenFor('interactive', 'acme'), EVENT);
    const globex = ws(served.url, await tokenFor('interactive', 'globex'), EVENT);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Four writers at a time (the api class's pool), alternating tenants.
    for (let n = 0; n < 200; n += 4) {
      await Promise.all([0, 1, 2, 3].map((i) => {
        const tenant = (n + i) % 2 === 0 ? 'acme' : 'globex';
        const list = devices[tenant];
        return record(tenant, list[(n + i) % list.length]!.id, 100 + n + i);
      }));
    }
    await acme.until(() => acme.results.length >= 100, 20_000);
    await globex.until(() => globex.results.length >= 100, 20_000);
    const ids = (stream: typeof acme) => new Set(stream.results.map((result) => result.data.positionRecorded.device.id));
    expect(acme.results).toHaveLength(100);
    expect(globex.results).toHaveLength(100);
    expect([...ids(acme)].every((id) => devices.acme.some((device) => device.id === id))).toBe(true);
    expect([...ids(globex)].every((id) => devices.globex.some((device) => device.id === id))).toBe(true);
    acme.dispose();
  });

  it('narrows to the devices of the listed users', async () => {
    const [first, second] = devices.acme.filter((device) => device.userId !== null);
    const stream = ws(served.url, await tokenFor('api', 'acme'), EVENT, { userIds: [first!.userId] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await record('acme', second!.id, 400);
    await record('acme', first!.id, 401);
    await stream.until(() => stream.results.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stream.results.map((result) => result.data.positionRecorded.device.user.id)).toEqual([first!.userId]);
  });

  it('loads a burst for the subscribers of a tenant and class together: statements do not grow with them', async () => {
    // admin's statements alone: no other test subscribes or queries as admin meanwhile.
    const adminStatements = async () =>
      (await served.gateway.metrics.queries.get()).values.filter((value) => value.labels.class === 'admin').reduce((sum, value) => sum + value.value, 0);
    const token = await tokenFor('admin', 'acme');
    const device = devices.acme.find((candidate) => candidate.userId !== null)!;
    const measure = async (subscribers: number, n: number) => {
      const streams = Array.from({ length: subscribers }, () => sse(served.url, token, EVENT, { deviceIds: [device.id] }));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const before = await adminStatements();
      await record('acme', device.id, n);
      for (const stream of streams) await stream.until(() => stream.results.length === 1);
      const statements = (await adminStatements()) - before;
      streams.forEach((stream) => stream.dispose());
      expect(streams.every((stream) => stream.results.length === 1)).toBe(true);
      return statements;
    };
    // Per burst: the fix and its device (telemetry), the user and the company (main): one main
    // statement when the user is fetched with its company (join-ahead) and User.company finds the
    // company primed; two when the shared live loaders (gateway/context.ts, liveContexts) were
    // renewed between the two loads, as they are every two batch windows, so the primed company
    // is in the old ones. Which happens depends on timing.
    const perBurst = [3, 4];
    expect(perBurst).toContain(await measure(1, 500));
    // The 8 subscribers of one selection share its execution (live/shared-subscriptions.ts): per subscriber it would be 8 × that.
    expect(perBurst).toContain(await measure(8, 501));
  });

  it('executes a selection once for all its subscribers, each narrowed by its own arguments', async () => {
    const token = await tokenFor('interactive', 'globex');
    const [first, second] = devices.globex.filter((device) => device.userId !== null);
    const byDevice = sse(served.url, token, EVENT, { deviceIds: [first!.id] });
    const byUser = ws(served.url, token, EVENT, { userIds: [second!.userId] });
    const whole = sse(served.url, token, EVENT);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // One execution for the three (tenant globex, class interactive, one selection).
    const running = served.gateway.live!.shared.running;
    await record('globex', first!.id, 700);
    await record('globex', second!.id, 701);
    await whole.until(() => whole.results.length >= 2);
    await byDevice.until(() => byDevice.results.length >= 1);
    await byUser.until(() => byUser.results.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const deviceIds = (stream: typeof whole) => stream.results.map((result) => result.data.positionRecorded.device.id);
    expect(deviceIds(whole)).toEqual([first!.id, second!.id]);
    expect(deviceIds(byDevice)).toEqual([first!.id]);
    expect(deviceIds(byUser)).toEqual([second!.id]);
    expect(running).toBe(1);
    [byDevice, byUser, whole].forEach((stream) => stream.dispose());
  });

  it('frees a subscriber\'s place as its client goes, over graphql-ws as over SSE', async () => {
    const token = await tokenFor('interactive', 'globex');
    const open = () => served.gateway.live!.openSubscriptions().interactive ?? 0;
    await expect.poll(open, { timeout: 5_000 }).toBe(0);
    for (const transport of [ws, sse]) {
      const stream = transport(served.url, token, EVENT, { deviceIds: [devices.globex[0]!.id] });
      await expect.poll(open, { timeout: 2_000 }).toBe(1);
      stream.dispose();
      await expect.poll(open, { timeout: 2_000 }).toBe(0);
      expect(served.gateway.live!.shared.running).toBe(0);
    }
  });

  it('runs a selection that depends on a variable per subscriber, and answers it right', async () => {
    const token = await tokenFor('interactive', 'globex');
    const device = devices.globex.find((candidate) => candidate.userId !== null)!;
    const query = 'subscription ($ids: [ID!], $user: Boolean!) { positionRecorded(deviceIds: $ids) { device { id user @include(if: $user) { id } } } }';
    // The previous test's subscribers are gone.
    await expect.poll(() => served.gateway.live!.shared.running, { timeout: 5_000 }).toBe(0);
    const withUser = sse(served.url, token, query, { ids: [device.id], user: true });
    const without = sse(served.url, token, query, { ids: [device.id], user: false });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(served.gateway.live!.shared.running).toBe(0);
    await record('globex', device.id, 710);
    await withUser.until(() => withUser.results.length >= 1);
    await without.until(() => without.results.length >= 1);
    expect(withUser.results).toEqual([{ data: { positionRecorded: { device: { id: device.id, user: { id: device.userId } } } } }]);
    expect(without.results).toEqual([{ data: { positionRecorded: { device: { id: device.id } } } }]);
    [withUser, without].forEach((stream) => stream.dispose());
  });

  it('shows each class only its schema: api cannot ask an event for a user\'s email', async () => {
    const stream = sse(served.url, await tokenFor('api', 'acme'), 'subscription { positionRecorded { device { user { email } } } }');
    await stream.until(() => stream.ended !== undefined, 2_000);
    // The validation error is the stream's only result.
    expect(JSON.stringify([stream.results, stream.ended])).toMatch(/Cannot query field .*email/);
  });

  it('refuses a subscription past the class cap per token with SUBSCRIPTION_LIMIT, and frees the place when one ends', async () => {
    const token = await tokenFor('admin', 'acme');
    const streams = Array.from({ length: 10 }, () => sse(served.url, token, EVENT));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const eleventh = sse(served.url, token, EVENT);
    await eleventh.until(() => eleventh.ended !== undefined, 2_000);
    expect(JSON.stringify([eleventh.results, eleventh.ended])).toMatch(/SUBSCRIPTION_LIMIT/);
    streams[0]!.dispose();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const again = sse(served.url, token, EVENT);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(again.ended).toBeUndefined();
    [...streams, again].forEach((stream) => stream.dispose());
  });

  it('sends a refused subscription\'s errors over graphql-ws as they are (yoga\'s answer, masked)', async () => {
    const stream = ws(served.url, await tokenFor('api', 'acme'), 'subscription { positionRecorded { device { user { email } } } }');
    await stream.until(() => stream.ended !== undefined || stream.results.length > 0, 2_000);
    expect(JSON.stringify([stream.results, stream.ended])).toMatch(/Cannot query field .*email/);
  });

  it('closes a WebSocket whose connection_init carries a bad token with 4401', async () => {
    const closed = await new Promise<number>((resolve) => {
      const client = createWsClient({ url: served.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: 'Bearer not-a-token' }, retryAttempts: 0, lazy: false, on: { closed: (event) => resolve((event as { code: number }).code) } });
      wsClients.push(client);
    });
    expect(closed).toBe(4401);
  });
});

describe('events executed in one walk (merged execution)', () => {
  it('carry what stitching answers for them: fields of all three repos, a device without a user, per subscriber', { timeout: 20_000 }, async () => {
    const plain = await serve(testTopology(), openPlainStitchingGateway);
    try {
      await listening(plain);
      const selection = `subscription {
        positionRecorded { device { id serial user { id name company { name openBalanceCents invoices { number status } } } } position { recordedAt latitude } }
      }`;
      // A variable below the root field: each subscriber's own execution, the executor's other path.
      const alone = `subscription ($from: DateTime!, $to: DateTime!) {
        positionRecorded { device { id user { name trackedSeconds(from: $from, to: $to) } } position { recordedAt } }
      }`;
      const week = { from: '2026-11-01T00:00:00Z', to: '2026-11-30T00:00:00Z' };
      const withUser = devices.acme.filter((device) => device.userId !== null).slice(0, 3);
      // The first 40 devices all have a user; the seed leaves a few of acme's later ones without.
      const withoutUser = await pgRows<{ id: string; userId: null }>(telemetryUrl(), "SELECT id::text, user_id AS \"userId\" FROM devices WHERE tenant = 'acme' AND user_id IS NULL ORDER BY id LIMIT 1");
      expect(withoutUser).toHaveLength(1);
      const recorded = [...withUser, ...withoutUser];
      const token = await tokenFor('interactive', 'acme');
      const streams = [served, plain].flatMap((target) => [sse(target.url, token, selection), sse(target.url, token, alone, week)]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const [n, device] of recorded.entries()) await record('acme', device.id, 300 + n);
      // The planned gateway runs both subscriptions' events in one walk; plain stitching neither.
      expect([served.gateway.live!.shared.inOneWalk, plain.gateway.live!.shared.inOneWalk]).toEqual([2, 0]);
      for (const stream of streams) expect(await stream.until(() => stream.results.length === recorded.length, 5_000)).toBe(true);
      const [merged, mergedAlone, stitched, stitchedAlone] = streams.map((stream) => stream.results);
      expect([...merged!, ...mergedAlone!].every((result) => !result.errors)).toBe(true);
      expect(merged).toEqual(stitched);
      expect(mergedAlone).toEqual(stitchedAlone);
      expect(merged!.map((result) => result.data.positionRecorded.device.id)).toEqual(recorded.map((device) => device.id));
      expect(merged!.filter((result) => result.data.positionRecorded.device.user === null)).toHaveLength(withoutUser.length);
      expect(merged!.find((result) => result.data.positionRecorded.device.user)?.data.positionRecorded.device.user.company.invoices).toBeInstanceOf(Array);
      streams.forEach((stream) => stream.dispose());
    } finally {
      await plain.close();
    }
  });
});

describe('results handed to the WebSocket transport', () => {
  it('stay with requests this process made: an HTTP request naming an id of its own is answered as usual', async () => {
    const response = await fetch(served.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiToken.acme}`, [DIRECT_RESULT_HEADER]: '00000000-0000-4000-8000-000000000000' },
      body: JSON.stringify({ query: '{ device(id: "1") { id } }' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { device: { id: '1' } } });
  });
});

describe('a subscriber that does not read', () => {
  it('is cut off with SUBSCRIPTION_OVERFLOW once its queue is full of its own events, and the gateway keeps nothing for it', async () => {
    const small = await serveListening({ subscriptionQueue: 5 });
    try {
      const device = devices.acme[0]!.id;
      // Straight to yoga, and never read: nothing pulls the stream.
      const response = await small.gateway.gateway.fetch('http://repogate.test/graphql', {
        method: 'POST',
        headers: { authorization: `Bearer ${await tokenFor('interactive', 'acme')}`, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: EVENT, variables: { deviceIds: [device] } }),
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Other devices' fixes (and the other tenant's) are not its own: they do not fill its queue.
      for (let n = 0; n < 20; n += 1) await record(n % 2 === 0 ? 'acme' : 'globex', (n % 2 === 0 ? devices.acme : devices.globex)[1 + (n % 5)]!.id, 650 + n);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(small.gateway.live!.openSubscriptions().interactive).toBe(1);
      for (let n = 0; n < 40; n += 1) await record('acme', device, 600 + n);
      await expect.poll(() => small.gateway.live!.openSubscriptions().interactive ?? 0, { timeout: 5_000 }).toBe(0);
      const text = await response.text();
      expect(text).toMatch(/SUBSCRIPTION_OVERFLOW/);
    } finally {
      await small.close();
    }
  });
});

describe('a shared execution that falls behind', () => {
  it('tells its subscribers of a gap and goes on, instead of ending them all', async () => {
    const small = await serveListening({ subscriptionQueue: 5 });
    try {
      const device = devices.acme.find((candidate) => candidate.userId !== null)!;
      const stream = sse(small.url, await tokenFor('interactive', 'acme'), EVENT, { deviceIds: [device.id] });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // One notice keeps the execution loading (its loaders wait out their 10 ms window);
      // meanwhile ten arrive at once: more than its feed holds (5).
      const notice = JSON.stringify({ t: 'acme', d: device.id, u: device.userId, at: [Date.UTC(2026, 10, 20) * 1000], from: 0, to: 0 });
      const client = new pg.Client({ connectionString: telemetryUrl() });
      await client.connect();
      try {
        await client.query(`SELECT pg_notify('repogate_positions', $1)`, [notice]);
        await new Promise((resolve) => setTimeout(resolve, 3));
        // Distinct payloads: PostgreSQL sends identical notices of one transaction once.
        await client.query(`SELECT pg_notify('repogate_positions', replace($1, '"from":0', '"from":' || i)) FROM generate_series(1, 10) AS i`, [notice]);
      } finally {
        await client.end();
      }
      await stream.until(() => stream.results.some((result) => JSON.stringify(result).includes('LIVE_GAP')));
      expect(JSON.stringify(stream.results)).toMatch(/LIVE_GAP/);
      // Still subscribed, and the next fix arrives.
      expect(small.gateway.live!.openSubscriptions().interactive).toBe(1);
      await record('acme', device.id, 801);
      expect(await stream.until(() => stream.results.some((result) => result.data?.positionRecorded?.position?.recordedAt === recordedAt(801)))).toBe(true);
      expect(stream.ended).toBeUndefined();
      stream.dispose();
    } finally {
      await small.close();
    }
  });
});

describe('the drain', () => {
  it('ends open subscriptions cleanly: each stream completes', async () => {
    const other = await serve();
    const stream = sse(other.url, await tokenFor('interactive', 'acme'), EVENT);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await other.gateway.endSubscriptions();
    expect(await stream.until(() => stream.ended !== undefined, 2_000)).toBe(true);
    expect(stream.ended).toBe('complete');
    await other.close();
  });
});
