/**
 * Foreign subgraphs: a Federation v2 service that is not Repogate's (test/fixtures/foreign-subgraph.ts,
 * @apollo/subgraph on yoga, a real child process) joins the graph from the topology's `foreign`
 * or from a supergraph file. It extends main's User (with a `@requires` on main's name) and adds
 * root fields; a query mixing it with every repo answers what SQL says, with its entity fetches
 * batched; a hung one costs a bounded wait and only its own fields; one down at start-up joins
 * once it answers; one that does not compose stops start-up naming it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, projectRoot } from '../src/config.js';
import { federationSdl } from '../src/federation/federation-sdl.js';
import { composeSupergraph } from '../src/federation/supergraph.js';
import { builtInSubgraphs } from '../src/subgraphs.js';
import { freePort, mainUrl, mysqlRows, openGateway, pgRows, telemetryUrl, testTopology, tokenFor, type GraphQLResponse, type TestGateway } from './support.js';

interface Stats {
  requests: number;
  entities: { typename: string; count: number; names: (string | null)[] }[];
  authorizations: (string | null)[];
}

interface ForeignService {
  url: string;
  child: ChildProcess;
  stats(): Promise<Stats>;
  stop(): Promise<void>;
}

async function startForeign(port?: number): Promise<ForeignService> {
  port ??= await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/foreign-subgraph.ts', '--port', String(port)], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('foreign subgraph listening')) resolve();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    void exited.then(() => reject(new Error(`foreign subgraph exited early: ${output}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/graphql`,
    child,
    stats: async () => (await (await fetch(`${base}/stats`)).json()) as Stats,
    async stop() {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What the foreign subgraph answers for a user, by its own rule. */
const badgesOf = (id: string) => Array.from({ length: (Number(id) % 3) + 1 }, (_, i) => ({ code: `b${id}-${i}`, level: i + 1 }));

const mixed = `query ($ids: [ID!]!) {
  users(ids: $ids) { id name badges { code level } badgeTitle company { name openBalanceCents } devices { serial } }
  badgeCatalog { level }
}`;

/** The answer to `mixed`, from SQL and the foreign subgraph's rule. */
async function expectedMixed(ids: string[]) {
  const users = await pgRows<{ id: string; name: string; company: string; code: string }>(
    mainUrl(),
    'SELECT u.id::text, u.name, c.name AS company, c.legacy_customer_code AS code FROM users u JOIN companies c ON c.id = u.company_id WHERE u.id = ANY($1::bigint[])',
    [ids],
  );
  const balances = await mysqlRows<{ code: string; cents: string }>(
    "SELECT TRIM(CUST_CD) AS code, CAST(SUM(TOT_AMT) * 100 AS SIGNED) AS cents FROM INV_HDR WHERE STAT = 'O' GROUP BY CUST_CD",
  );
  const devices = await pgRows<{ user_id: string; serial: string }>(telemetryUrl(), "SELECT user_id::text, serial FROM devices WHERE tenant = 'acme' AND user_id = ANY($1::bigint[]) ORDER BY id", [ids]);
  return {
    users: ids.map((id) => {
      const user = users.find((one) => one.id === id)!;
      return {
        id,
        name: user.name,
        badges: badgesOf(id),
        badgeTitle: `${user.name} (${badgesOf(id).length} badges)`,
        company: { name: user.company, openBalanceCents: Number(balances.find((one) => one.code === user.code)?.cents ?? 0) },
        devices: devices.filter((device) => device.user_id === id).map(({ serial }) => ({ serial })),
      };
    }),
    badgeCatalog: [{ level: 1 }, { level: 2 }, { level: 3 }],
  };
}

let foreign: ForeignService;
let gateway: TestGateway;
let ids: string[];

beforeAll(async () => {
  foreign = await startForeign();
  const topology = structuredClone(testTopology());
  // Two failures open its breaker; a hung call waits a second, not the class's 5 s.
  topology.gateway.breaker = { failures: 2, cooldownMs: 500 };
  topology.foreign = { badges: { url: foreign.url, maxSockets: 4, classes: ['interactive', 'api', 'admin'], forwardToken: true, timeoutMs: 1000 } };
  gateway = openGateway({ topology });
  await gateway.joinForeignSubgraphs();
  ids = (await pgRows<{ id: string }>(mainUrl(), 'SELECT id::text FROM users ORDER BY id LIMIT 6')).map((row) => row.id);
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await foreign?.stop();
});

describe('a foreign subgraph from the topology', () => {
  it('resolves a query mixing it with every repo as SQL and its own rule say, its entity fetches batched', async () => {
    const before = await foreign.stats();
    const answer = await gateway.request(mixed, { ids });
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual(await expectedMixed(ids));
    const after = await foreign.stats();
    // Two requests, one per level: the root field, then every user's entities in one batch.
    expect(after.requests - before.requests).toBe(2);
    expect(answer.extensions?.repos?.badges?.roundTrips).toBe(2);
    // The batch asks for all six users at once (badges, and badgeTitle with the names main gave for its @requires).
    const calls = after.entities.slice(before.entities.length);
    expect(calls.length).toBeGreaterThanOrEqual(1);
    for (const call of calls) expect(call).toMatchObject({ typename: 'User', count: ids.length });
    const names = await pgRows<{ name: string }>(mainUrl(), 'SELECT name FROM users WHERE id = ANY($1::bigint[]) ORDER BY id::text', [ids]);
    expect(calls.some((call) => call.names.join() === names.map((row) => row.name).join())).toBe(true);
  });

  it('answers its root fields with our fields on the users it returns, and gets the client token', async () => {
    const token = await tokenFor('api', 'acme');
    const answer = await gateway.request('query ($ids: [ID!]!) { badgeHolders(ids: $ids) { id name badges { code } } }', { ids: ids.slice(0, 2) }, { token });
    const names = await pgRows<{ id: string; name: string }>(mainUrl(), 'SELECT id::text, name FROM users WHERE id = ANY($1::bigint[])', [ids.slice(0, 2)]);
    expect(answer.data?.badgeHolders).toEqual(ids.slice(0, 2).map((id) => ({ id, name: names.find((one) => one.id === id)!.name, badges: badgesOf(id).map(({ code }) => ({ code })) })));
    expect((await foreign.stats()).authorizations.at(-1)).toBe(`Bearer ${token}`);
  });

  it('is shown to the classes it is configured for only', async () => {
    const answer = await gateway.request('{ badgeCatalog { code } }', {}, { clientClass: 'ml' });
    expect(answer.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('hung: its fields are REPO_UNAVAILABLE within its timeout, the rest resolves, and it recovers', async () => {
    foreign.child.kill('SIGSTOP');
    try {
      const started = performance.now();
      const answer = await gateway.request('query ($ids: [ID!]!) { users(ids: $ids) { id name badges { code } } }', { ids: ids.slice(0, 2) });
      expect(performance.now() - started).toBeLessThan(4000);
      expect(answer.data?.users.map((user: { name: string }) => typeof user.name)).toEqual(['string', 'string']);
      expect(answer.errors?.map((error) => [error.extensions?.code, error.path?.join('.')])).toContainEqual(['REPO_UNAVAILABLE', 'users.0.badges']);
    } finally {
      foreign.child.kill('SIGCONT');
    }
    await expect.poll(async () => (await gateway.request('{ badgeCatalog { level } }')).data?.badgeCatalog?.length, { timeout: 5000, interval: 200 }).toBe(3);
  });
});

describe('a foreign subgraph from a supergraph file', () => {
  it('answers what the topology-given one does (the same composition, read from the file)', async () => {
    // As another team's pipeline would compose it: every subgraph's SDL with its URL.
    const supergraph = composeSupergraph([
      ...builtInSubgraphs.map((subgraph) => ({ name: subgraph.name, url: `http://127.0.0.1:1/${subgraph.name}`, sdl: federationSdl(subgraph, builtInSubgraphs) })),
      { name: 'badges', url: foreign.url, sdl: (await (await fetch(foreign.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ _service { sdl } }"}' })).json()).data._service.sdl },
    ]);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'repogate-supergraph-')), 'supergraph.graphql');
    writeFileSync(file, supergraph);
    const topology = structuredClone(testTopology());
    topology.supergraph = file;
    const fromFile = openGateway({ topology });
    try {
      await fromFile.joinForeignSubgraphs();
      const [a, b] = await Promise.all([fromFile.request(mixed, { ids }), gateway.request(mixed, { ids })]);
      expect(a.errors).toBeUndefined();
      expect(a.data).toEqual(b.data);
    } finally {
      await fromFile.close();
    }
  });
});

/** A Federation service on a real port that answers `_service { sdl }` with `sdl` (a broken one for the test). */
async function sdlServer(sdl: string): Promise<{ url: string; server: Server }> {
  const yoga = createYoga({ schema: createSchema({ typeDefs: 'type Query { _service: Service } type Service { sdl: String }', resolvers: { Query: { _service: () => ({ sdl }) } } }), logging: false });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`, server };
}

describe('start-up', () => {
  it('stops with an error naming a foreign subgraph that does not compose', async () => {
    // PageInfo is main's and not shareable here: composition refuses the second definition.
    const broken = await sdlServer('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\ntype PageInfo { hasNextPage: Int } type Query { broken: PageInfo }');
    const topology = structuredClone(testTopology());
    topology.foreign = { broken: { url: broken.url, maxSockets: 1, classes: ['interactive'], forwardToken: false } };
    const refused = openGateway({ topology });
    try {
      const error = await refused.joinForeignSubgraphs().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/subgraph .*broken/);
    } finally {
      await refused.close();
      broken.server.close();
    }
  });

  it('serves without a foreign subgraph that is down, and it joins once it answers', async () => {
    const port = await freePort();
    const topology = structuredClone(testTopology());
    topology.foreign = { late: { url: `http://127.0.0.1:${port}/graphql`, maxSockets: 2, classes: ['interactive'], forwardToken: false } };
    const waiting = openGateway({ topology });
    let late: ForeignService | undefined;
    try {
      await waiting.joinForeignSubgraphs();
      expect(waiting.logs.some((line) => line.msg?.includes('foreign subgraph does not answer') && line.subgraph === 'late')).toBe(true);
      const before: GraphQLResponse = await waiting.request('{ badgeCatalog { level } users(ids: ["1"]) { id } }');
      expect(before.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect((await waiting.request('{ users(ids: ["1"]) { id } }')).data?.users).toEqual([{ id: '1' }]);
      late = await startForeign(port);
      await expect.poll(async () => (await waiting.request('{ badgeCatalog { level } }')).data?.badgeCatalog?.length, { timeout: 10_000, interval: 250 }).toBe(3);
      // forwardToken: false — the foreign service never saw our client's token.
      expect((await late.stats()).authorizations.every((authorization) => authorization === null)).toBe(true);
    } finally {
      await waiting.close();
      await late?.stop();
    }
  }, 30_000);
});
