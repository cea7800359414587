/**
 * Remote subgraphs: main, telemetry and legacy as their own services (`npm run subgraph`, real
 * child processes over the real stack) behind gateways whose topology gives them `service.url`:
 * telemetry and legacy remote (main and training in the gateway's process), and all three. The same answers as the in-process gateway for every operation
 * the SDK sends, the same round trips per repo in `extensions.repos`, tenants kept apart through
 * the forwarded token, and a hung service costing a bounded wait and nothing else.
 */
import { createServer, request as httpRequest } from 'node:http';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientClass } from '../src/config.js';
import { freePort, openGateway, pgRows, sdkOperations, sdkOperationVariables, startSubgraphService, testTopology, telemetryUrl, type GraphQLResponse, type SubgraphService, type TestGateway } from './support.js';

const roundTrips = (response: GraphQLResponse) => Object.fromEntries(Object.entries(response.extensions?.repos ?? {}).map(([repo, usage]) => [repo, usage.roundTrips]));

/**
 * Operations reaching legacy through its entities (`Company.invoices`, `openBalanceCents`): its
 * service does not take customer codes from its caller but looks up the tenant's on main itself
 * (README, "Subgraphs as services"), one statement on main more than in-process, where the
 * gateway's own keys are trusted. (Legacy's root fields look them up in both modes.)
 */
const legacyByEntities: ReadonlySet<string> = new Set(['Company', 'CompanyDashboard']);

/** What must agree between the modes: the data, each error's code and path, the round trips per repo. */
function outcome(response: GraphQLResponse, lookups = 0) {
  const trips = roundTrips(response);
  trips.main! -= lookups;
  return {
    data: response.data,
    errors: (response.errors ?? []).map((error) => [error.extensions?.code, error.path?.join('.') ?? null]).sort(),
    roundTrips: trips,
  };
}

/** A query mixing main (users) and telemetry (their devices and last fixes, through `_usersByIds`). */
const mixed = '{ users(ids: ["1", "2", "3"]) { id name devices { id serial } lastPosition { recordedAt } } }';

/** `mixed`'s answer without the last fixes: a recording (a bench, the live tests) may move them meanwhile. */
const stable = (answer: GraphQLResponse) => answer.data!.users.map(({ id, name, devices }: { id: string; name: string; devices: unknown }) => ({ id, name, devices }));

/** `mixed` asked every 100 ms until it answers without errors or `ms` have passed: the last answer. */
async function answeredWithin(gateway: TestGateway, ms: number): Promise<GraphQLResponse> {
  const started = performance.now();
  let answer = await gateway.request(mixed);
  while (answer.errors && performance.now() - started < ms) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = await gateway.request(mixed);
  }
  return answer;
}

/** A proxy in front of a subgraph service that keeps the GraphQL requests the gateway sends it. */
/** In front of a service: records the bodies it is sent and, with `rewrite`, changes its JSON answers on the way back. */
async function recordingProxy(serviceUrl: string, rewrite?: (answer: Record<string, unknown>) => Record<string, unknown>): Promise<{ url: string; bodies: Record<string, unknown>[]; close(): void }> {
  const bodies: Record<string, unknown>[] = [];
  const target = new URL(serviceUrl);
  const proxy = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      if (incoming.method === 'POST') bodies.push(JSON.parse(body.toString('utf8')) as Record<string, unknown>);
      const forward = httpRequest({ host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
        if (!rewrite || incoming.method !== 'POST') {
          outgoing.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(outgoing);
          return;
        }
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          const rewritten = JSON.stringify(rewrite(JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>));
          outgoing.writeHead(answer.statusCode!, { 'content-type': answer.headers['content-type'] ?? 'application/json', 'content-length': Buffer.byteLength(rewritten) });
          outgoing.end(rewritten);
        });
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}/graphql`, bodies, close: () => proxy.close() };
}

/** Invoice numbers of acme, from the in-process gateway. */
async function gatewayInvoices(): Promise<string[]> {
  const answer = await inProcess.request('{ company(id: "1") { invoices { number } } }');
  return answer.data!.company.invoices.map((invoice: { number: string }) => invoice.number);
}

const services: Record<string, SubgraphService> = {};
let inProcess: TestGateway;
let remote: TestGateway;
/** main remote too: training alone runs in the gateway's process. */
let allRemote: TestGateway;
let remoteTopology: ReturnType<typeof testTopology>;

beforeAll(async () => {
  const started = await Promise.allSettled(['main', 'telemetry', 'legacy'].map((name) => startSubgraphService(name)));
  for (const result of started) if (result.status === 'fulfilled') services[result.value.name] = result.value;
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  inProcess = openGateway();
  const topology = (remoteTopology = structuredClone(testTopology()));
  topology.repos.telemetry.service = { url: services.telemetry!.url, maxSockets: 8 };
  topology.repos.legacy.service = { url: services.legacy!.url, maxSockets: 8 };
  // Two failures open a breaker (the default is 5): the fault test needs fewer hung requests.
  topology.gateway.breaker = { failures: 2, cooldownMs: 1000 };
  remote = openGateway({ topology });
  const all = structuredClone(topology);
  all.repos.main.service = { url: services.main!.url, maxSockets: 8 };
  allRemote = openGateway({ topology: all });
}, 60_000);

afterAll(async () => {
  await Promise.all([inProcess?.close(), remote?.close(), allRemote?.close()]);
  for (const service of Object.values(services)) {
    process.kill(-service.child.pid!, 'SIGCONT');
    process.kill(-service.child.pid!, 'SIGTERM');
  }
  await Promise.all(Object.values(services).map((service) => service.exited));
});

/** Asks both gateways every operation of schemas/operations and compares what must agree. */
async function differential(gateway: TestGateway): Promise<void> {
  const [operations, variables] = await Promise.all([sdkOperations(), sdkOperationVariables(inProcess)]);
  expect(operations.map((operation) => operation.name!.value).sort()).toEqual(Object.keys(variables).sort());
  for (const operation of operations) {
    const name = operation.name!.value;
    // markInvoicePaid is admin's; the queries as the two classes of people and services.
    const classes: ClientClass[] = operation.operation === 'mutation' ? ['admin'] : ['interactive', 'api'];
    for (const clientClass of classes) {
      const query = print(operation);
      const ask = async () => {
        const [expected, actual] = [await inProcess.request(query, variables[name], { clientClass }), await gateway.request(query, variables[name], { clientClass })];
        return [outcome(actual, legacyByEntities.has(name) ? 1 : 0), outcome(expected)] as const;
      };
      // A recording elsewhere (a bench, the live tests) may move a last fix between the two
      // requests: a pair that differs is asked again, four times at most; a real difference stays.
      let [actual, expected] = await ask();
      for (let retry = 0; retry < 4 && JSON.stringify(actual) !== JSON.stringify(expected); retry += 1) [actual, expected] = await ask();
      expect(actual, `${name} as ${clientClass}`).toEqual(expected);
    }
  }
}

describe('a gateway with telemetry and legacy remote', () => {
  it('opens no pools on the remote repos and grant-checks only its own', async () => {
    expect([...remote.registry.repoNames]).toEqual(['main', 'training']);
    expect([...remote.registry.breakers.keys()].sort()).toEqual(['legacy', 'main', 'telemetry', 'training']);
    await remote.checkGrants();
  });

  it('answers every operation of schemas/operations as the in-process gateway does: data, error codes and paths, round trips', async () => {
    await differential(remote);
  });

  it('and so does a gateway with main remote too, only training in its process', async () => {
    expect([...allRemote.registry.repoNames]).toEqual(['training']);
    await differential(allRemote);
  });

  it('reports every repo in extensions.repos, the remote ones with the round trips they cost in-process', async () => {
    const query = 'query { companies(first: 4) { edges { node { name openBalanceCents users(first: 5) { edges { node { name devices { serial } } } } } } } }';
    const [expected, actual] = [await inProcess.request(query), await remote.request(query)];
    expect(actual.errors).toBeUndefined();
    expect(actual.data).toEqual(expected.data);
    // main: companies with their users, one statement; telemetry: one _usersByIds; legacy: one _companiesByLegacyCodes.
    expect(roundTrips(expected)).toEqual({ main: 1, telemetry: 1, legacy: 1, training: 0 });
    // The same, and the legacy service's lookup of the tenant's customer codes on main.
    expect(roundTrips(actual)).toEqual({ main: 2, telemetry: 1, legacy: 1, training: 0 });
    expect(actual.extensions!.repos!.telemetry!.ms).toBeGreaterThan(0);
  });

  it("hands the client a remote write's position for read-your-writes: extensions.repos and x-repogate-lsn", async () => {
    const [fix] = await pgRows(
      telemetryUrl(),
      'SELECT recorded_at AS "recordedAt", lat::float8 AS latitude, lon::float8 AS longitude, speed_kmh::float8 AS "speedKmh", heading::float8 AS heading FROM positions WHERE device_id = 1 ORDER BY recorded_at DESC LIMIT 1',
    );
    const response = await remote.post(
      'mutation ($positions: [PositionInput!]!) { recordPositions(deviceId: "1", positions: $positions) { inserted duplicates } }',
      { positions: [{ ...fix, recordedAt: (fix!.recordedAt as Date).toISOString() }] },
      { clientClass: 'admin' },
    );
    const body = (await response.json()) as GraphQLResponse;
    expect(body.data).toEqual({ recordPositions: { inserted: 0, duplicates: 1 } });
    const lsn = body.extensions!.repos!.telemetry!.lsn!;
    expect(lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(response.headers.get('x-repogate-lsn')).toBe(`telemetry=${lsn}`);
  });

  it('keeps tenants apart: 40 interleaved acme and globex requests through remote telemetry each see their own rows', async () => {
    const query = '{ users(ids: ["1", "2", "3", "4"]) { id name devices { id serial label } } }';
    const [acme, globex] = [await inProcess.request(query, {}, { tenant: 'acme' }), await inProcess.request(query, {}, { tenant: 'globex' })];
    expect(acme.data).not.toEqual(globex.data);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => remote.request(query, {}, { tenant: i % 2 === 0 ? 'acme' : 'globex' })));
    answers.forEach((answer, i) => {
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual((i % 2 === 0 ? acme : globex).data);
    });
    // Device ids are odd for acme and even for globex in the demo seed.
    const devices = (answer: GraphQLResponse) => answer.data!.users.flatMap((user: { devices: { id: string }[] }) => user.devices.map((device) => Number(device.id) % 2));
    expect(new Set(answers.filter((_, i) => i % 2 === 0).flatMap(devices))).toEqual(new Set([1]));
    expect(new Set(answers.filter((_, i) => i % 2 === 1).flatMap(devices))).toEqual(new Set([0]));
  });

  it('sends an operation a remote subgraph answers alone whole, in one HTTP request; a mixed one in one request per subgraph and level', async () => {
    const telemetry = await recordingProxy(services.telemetry!.url);
    const topology = structuredClone(remoteTopology);
    topology.repos.telemetry.service = { url: telemetry.url, maxSockets: 4 };
    const counted = openGateway({ topology });
    try {
      const alone = '{ a: device(id: "1") { serial lastPosition { recordedAt } } b: device(id: "3") { serial } devices(first: 2) { edges { node { id } } } }';
      const [viaService, viaInProcess] = [await counted.request(alone), await inProcess.request(alone)];
      expect(telemetry.bodies).toHaveLength(1);
      expect(viaService.data).toEqual(viaInProcess.data);
      telemetry.bodies.length = 0;
      // users (main, in-process) → their devices and last fixes (telemetry): one level, one request.
      expect((await counted.request(mixed)).errors).toBeUndefined();
      expect(telemetry.bodies).toHaveLength(1);
    } finally {
      await counted.close();
      telemetry.close();
    }
  });

  it('sends each remote subgraph of a query across them its part of the selection: root fields together, one request per subgraph and level', async () => {
    const [main, telemetry] = await Promise.all([recordingProxy(services.main!.url), recordingProxy(services.telemetry!.url)]);
    const topology = structuredClone(remoteTopology);
    topology.repos.main.service = { url: main.url, maxSockets: 4 };
    topology.repos.telemetry.service = { url: telemetry.url, maxSockets: 4 };
    const counted = openGateway({ topology });
    try {
      // main (users, company) → telemetry (their devices, last fixes) → main again (each device's user).
      const query = '{ users(ids: ["1", "2"]) { name devices { serial owner: user { name } } lastPosition { recordedAt } } company(id: "1") { name } }';
      const [viaServices, viaInProcess] = [await counted.request(query), await inProcess.request(query)];
      expect(viaServices.errors).toBeUndefined();
      expect(viaServices.data).toEqual(viaInProcess.data);
      expect(main.bodies).toHaveLength(2);
      expect(telemetry.bodies).toHaveLength(1);
      const [rootPart, devicesUsers] = main.bodies.map((body) => String(body.query));
      // Both root fields in one request, with the key telemetry's part is fetched by; no stitching's prefixes.
      expect(rootPart).toMatch(/users\(ids:\s*\$_rgLiteral_\d+\)/);
      expect(rootPart).toMatch(/company\(id:\s*\$_rgLiteral_\d+\)/);
      expect(rootPart).toMatch(/_rgKey_id:\s*id/);
      expect(rootPart).not.toMatch(/_v\d+_/);
      // telemetry: its part of the two users through its entry point, devices and last fix at once.
      expect(String(telemetry.bodies[0]!.query)).toMatch(/_usersByIds\(ids:\s*\$_rgEntry_ids\)[^]*devices[^]*lastPosition/);
      expect(devicesUsers).toMatch(/users\(ids:\s*\$_rgEntry_ids\)\s*\{\s*name/);
    } finally {
      await counted.close();
      main.close();
      telemetry.close();
    }
  });

  it('reports an error a service answers beside its data without a place in it (no path, or a path to a value that did not fail), instead of dropping it', async () => {
    const notices = [
      { message: 'a notice without a path', extensions: { code: 'SERVICE_NOTICE' } },
      { message: 'a notice at a field that answered', path: ['_usersByIds', 0], extensions: { code: 'SERVICE_NOTICE' } },
    ];
    const telemetry = await recordingProxy(services.telemetry!.url, (answer) => ({ ...answer, errors: [...((answer.errors as unknown[]) ?? []), ...notices] }));
    const topology = structuredClone(remoteTopology);
    topology.repos.telemetry.service = { url: telemetry.url, maxSockets: 4 };
    const noisy = openGateway({ topology });
    try {
      const [answer, expected] = [await noisy.request(mixed), await inProcess.request(mixed)];
      expect(telemetry.bodies.map((body) => String(body.query))).toEqual([expect.stringMatching(/_usersByIds/)]);
      expect(stable(answer)).toEqual(stable(expected));
      expect(answer.errors?.map(({ message, extensions }) => ({ message, code: extensions?.code }))).toEqual(notices.map(({ message }) => ({ message, code: 'SERVICE_NOTICE' })));
    } finally {
      await noisy.close();
      telemetry.close();
    }
  });

  it('answers as in-process where a part could be mistaken: two operations sharing a fragment, an entity its subgraph nulled, a client alias like a part\'s', async () => {
    const [invoice] = await gatewayInvoices();
    const same = async (query: string, variables?: Record<string, unknown>, operationName?: string) => {
      const [expected, actual] = [await inProcess.request(query, variables, { operationName }), await allRemote.request(query, variables, { operationName })];
      const { data, errors } = outcome(actual);
      expect({ data, errors }, `${operationName ?? query}`).toEqual({ data: outcome(expected).data, errors: outcome(expected).errors });
      return actual;
    };
    // The same fragment in two operations, one giving $status a default: each operation's own variables reach legacy.
    const shared = `fragment C on Query { company(id: "1") { name invoices(status: $status) { number } } }
      query A($status: InvoiceStatus = OPEN) { ...C }
      query B($status: InvoiceStatus) { ...C }`;
    await same(shared, {}, 'A');
    const b = await same(shared, {}, 'B');
    expect(b.data!.company.invoices.length).toBeGreaterThan((await same(shared, {}, 'A')).data!.company.invoices.length);
    // main's part of the invoice's company fails inside (users(first: 1000) is refused into a non-null connection): the error at the field that failed.
    const nulled = await same(`{ invoice(number: "${invoice}") { number company { name users(first: 1000) { edges { node { id } } } } } }`);
    expect(nulled.errors!.map((error) => error.path)).toEqual([['invoice', 'company', 'users']]);
    // A client's alias that looks like a part's key alias.
    await same('{ company(id: "1") { _rgKey_legacyCustomerCode: name openBalanceCents } }');
  });

  it('a request queued behind a hung one of a longer class still waits only its own class\'s timeout', async () => {
    const topology = structuredClone(remoteTopology);
    topology.repos.telemetry.service = { url: services.telemetry!.url, maxSockets: 1 };
    const one = openGateway({ topology });
    expect((await one.request(mixed)).errors).toBeUndefined();
    const telemetry = services.telemetry!;
    process.kill(-telemetry.child.pid!, 'SIGSTOP');
    let stopped = true;
    try {
      // api's timeout is three times interactive's: its request holds the only socket all along.
      const holding = one.request(mixed, undefined, { clientClass: 'api' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = performance.now();
      const queued = await one.request(mixed);
      expect(performance.now() - started).toBeLessThan(testTopology().classes.interactive.statementTimeoutMs + 1_500);
      expect(new Set(queued.errors!.map((error) => error.extensions!.code))).toEqual(new Set(['REPO_UNAVAILABLE']));
      process.kill(-telemetry.child.pid!, 'SIGCONT');
      stopped = false;
      await holding;
    } finally {
      if (stopped) process.kill(-telemetry.child.pid!, 'SIGCONT');
      await one.close();
    }
  }, 30_000);

  it('a hung telemetry service: main answers within the class timeout, REPO_UNAVAILABLE at telemetry\'s paths, the breaker fails fast; back within 5 s of SIGCONT', async () => {
    // A gateway of its own: its breakers' window holds only this test's calls (it opens on a share of failures).
    const remote = openGateway({ topology: remoteTopology });
    const whole = await remote.request(mixed);
    expect(whole.errors).toBeUndefined();
    const telemetry = services.telemetry!;
    process.kill(-telemetry.child.pid!, 'SIGSTOP');
    let stopped = true;
    try {
      const bound = testTopology().classes.interactive.statementTimeoutMs + 1_500;
      const started = performance.now();
      // Two at once: both wait out the timeout, and their two failures open the breaker.
      const hung = await Promise.all([remote.request(mixed), remote.request(mixed)]);
      expect(performance.now() - started).toBeLessThan(bound);
      const users = whole.data!.users as { id: string; name: string }[];
      for (const answer of hung) {
        expect(answer.data).toEqual({ users: users.map(({ id, name }) => ({ id, name, devices: null, lastPosition: null })) });
        expect(answer.errors!.map((error) => [error.extensions!.code, error.extensions!.repo, error.path!.join('.')]).sort()).toEqual(
          users.flatMap((_, i) => [['REPO_UNAVAILABLE', 'telemetry', `users.${i}.devices`], ['REPO_UNAVAILABLE', 'telemetry', `users.${i}.lastPosition`]]).sort(),
        );
      }
      expect(remote.registry.breakers.get('telemetry')!.state).toBe('open');
      const fast = performance.now();
      const refused = await remote.request(mixed);
      expect(performance.now() - fast).toBeLessThan(500);
      expect(refused.data!.users.map((user: { name: string }) => user.name)).toEqual(users.map((user) => user.name));
      expect(new Set(refused.errors!.map((error) => error.extensions!.code))).toEqual(new Set(['REPO_UNAVAILABLE']));
      // An operation telemetry answers alone (sent to it whole): its root fields null, the error at each one's path.
      const alone = await remote.request('{ a: device(id: "1") { serial } b: device(id: "2") { serial } }');
      expect(alone.data).toEqual({ a: null, b: null });
      expect(alone.errors!.map((error) => [error.extensions!.code, error.path!.join('.')])).toEqual([['REPO_UNAVAILABLE', 'a'], ['REPO_UNAVAILABLE', 'b']]);

      process.kill(-telemetry.child.pid!, 'SIGCONT');
      stopped = false;
      const resumed = performance.now();
      const answer = await answeredWithin(remote, 5_000);
      expect(answer.errors).toBeUndefined();
      expect(stable(answer)).toEqual(stable(whole));
      expect(performance.now() - resumed).toBeLessThan(5_000);
    } finally {
      if (stopped) process.kill(-telemetry.child.pid!, 'SIGCONT');
      await remote.close();
    }
  }, 30_000);

  it('a service not running at start-up: REPO_UNAVAILABLE at its fields at once, no crash; served once it listens, without a restart', async () => {
    const port = await freePort();
    const topology = structuredClone(remoteTopology);
    topology.repos.telemetry.service = { url: `http://127.0.0.1:${port}/graphql`, maxSockets: 8 };
    const gateway = openGateway({ topology });
    let late: SubgraphService | undefined;
    try {
      const started = performance.now();
      const down = await gateway.request(mixed);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(down.data!.users.map((user: { devices: unknown }) => user.devices)).toEqual([null, null, null]);
      expect(new Set(down.errors!.map((error) => `${error.extensions!.code} ${error.extensions!.repo}`))).toEqual(new Set(['REPO_UNAVAILABLE telemetry']));
      const ready = async () => {
        const response = await gateway.gateway.fetch('http://repogate.test/ready');
        return { status: response.status, body: (await response.json()) as { down?: string[]; repos: Record<string, unknown> } };
      };
      const unready = await ready();
      expect([unready.status, unready.body.down, unready.body.repos.telemetry, unready.body.repos.legacy]).toEqual([503, ['telemetry'], { service: 'down' }, { service: 'up' }]);
      late = await startSubgraphService('telemetry', port);
      const answer = await answeredWithin(gateway, 5_000);
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.users.every((user: { devices: unknown[] | null }) => Array.isArray(user.devices))).toBe(true);
      expect((await ready()).status).toBe(200);
    } finally {
      await gateway.close();
      if (late) {
        process.kill(-late.child.pid!, 'SIGTERM');
        await late.exited;
      }
    }
  }, 30_000);
});
