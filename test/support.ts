/**
 * Shared test setup: the real gateway over the real stack (no HTTP unless a test needs it), and
 * direct SQL to compare its answers with.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { GraphQLSchema } from 'graphql';
import mysql from 'mysql2/promise';
import { signDevToken } from '../src/auth/tokens.js';
import { projectRoot, type ClientClass, type Topology } from '../src/config.js';
import { createRepogate, type Repogate } from '../src/gateway/repogate.js';
import { createLogger } from '../src/observability/logger.js';
import { withPgClient } from '../src/repo/pg-client.js';
import type { Gateway } from '../src/gateway/yoga.js';
import { exampleQuery } from '../dev/example-query.js';
import type { AnySubgraph } from '../src/subgraph-kit/subgraph.js';
import { readStackInfo, type StackInfo, type StackTopology } from '../dev/stack/stack.js';

export function stackInfo(): StackInfo {
  const info = readStackInfo();
  if (!info) throw new Error('no .data/stack.json: the global setup should have started the stack');
  return info;
}

export function testTopology(): StackTopology {
  return stackInfo().topology;
}

/** A dev token for `clientClass` in `tenant`, signed with the stack's secret. */
export function tokenFor(clientClass: ClientClass | string = 'interactive', tenant = 'acme', expiresIn: string | number = '1h'): Promise<string> {
  const auth = testTopology().auth;
  if (!('hs256Secret' in auth)) throw new Error('the stack signs with HS256');
  return signDevToken(auth.hs256Secret, { clientClass, tenant, expiresIn });
}

export interface GraphQLResponse<D = Record<string, any>> {
  data?: D | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: { repos?: Record<string, { roundTrips: number; ms: number; servedBy?: string[]; lsn?: string }> };
}

export interface RequestOptions {
  clientClass?: ClientClass;
  tenant?: string;
  /** Overrides the token (an empty string sends none). */
  token?: string;
  headers?: Record<string, string>;
}

export interface TestGateway extends Repogate {
  /** POSTs a query (as interactive/acme unless told) with the debug header, so the answer carries extensions.repos. */
  request<D = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<GraphQLResponse<D>>;
  /** What the gateway logged (pino JSON lines). */
  logs: Record<string, any>[];
  /** The same, returning the HTTP response itself. */
  post(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<Response>;
}

export function openGateway(
  options: { topology?: Topology; graphiqlToken?: string; subgraphSchemas?: readonly GraphQLSchema[]; subgraphs?: readonly AnySubgraph[] } = {},
): TestGateway {
  const { topology = testTopology(), graphiqlToken, subgraphSchemas, subgraphs } = options;
  // Log lines go to `logs`, not to the test output.
  const logs: Record<string, any>[] = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line)) });
  const repogate = createRepogate(topology, { debug: true, logger, graphiqlToken, graphiqlQuery: exampleQuery, subgraphSchemas, subgraphs });
  const post = async (query: string, variables?: Record<string, unknown>, options: RequestOptions = {}) => {
    const token = options.token ?? (await tokenFor(options.clientClass, options.tenant));
    return repogate.gateway.fetch('http://repogate.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-repogate-debug': '1',
        ...(token && { authorization: `Bearer ${token}` }),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
  };
  return {
    ...repogate,
    logs,
    post,
    async request(query, variables, options) {
      return (await (await post(query, variables, options)).json()) as GraphQLResponse<any>;
    },
  };
}

/** Direct SQL against a PostgreSQL database of the stack: the reference answers. */
export function pgRows<R = Record<string, any>>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  return withPgClient(url, async (client) => (await client.query(sql, params)).rows as R[]);
}

export async function mysqlRows<R = Record<string, any>>(sql: string, params: unknown[] = []): Promise<R[]> {
  const connection = await mysql.createConnection({ uri: stackInfo().repos.legacy.url, dateStrings: true, charset: 'utf8mb4', multipleStatements: true });
  try {
    return (await connection.query(sql, params))[0] as R[];
  } finally {
    await connection.end();
  }
}

export const mainUrl = () => stackInfo().repos.main.tenants.acme!;
export const telemetryUrl = () => stackInfo().repos.telemetry.url;

/** Serves a gateway on a random 127.0.0.1 port for tests that need real HTTP (browser, /ready). */
export async function listen(gateway: Gateway): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const server = createServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Every SQL statement the gateway has run for requests so far (its metrics' counter). */
export async function statementsRun(gateway: TestGateway): Promise<number> {
  const { values } = await gateway.metrics.queries.get();
  return values.reduce((sum, value) => sum + value.value, 0);
}

/** A TCP port nothing listens on right now, for a gateway process a test starts. */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as import('node:net').AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * After a test deletes the fixes it recorded: device_last_position back to the newest fix left
 * (ingest only moves it forward; deleting fixes is not something the API does).
 */
export async function restoreLastPositions(deviceIds: number[]): Promise<void> {
  await withPgClient(telemetryUrl(), async (client) => {
    await client.query('DELETE FROM device_last_position WHERE device_id = ANY($1::bigint[])', [deviceIds]);
    await client.query(
      `INSERT INTO device_last_position
       SELECT DISTINCT ON (device_id) device_id, recorded_at, lat, lon, speed_kmh, heading
       FROM positions WHERE device_id = ANY($1::bigint[]) ORDER BY device_id, recorded_at DESC`,
      [deviceIds],
    );
  });
}

export const trainingUrl = () => stackInfo().repos.training.url;

/** Deletes the fixes a test recorded in [from, to) and puts the devices' last positions back. */
export async function forgetFixesRecorded(from: string, to: string): Promise<void> {
  const touched = await pgRows<{ device_id: string }>(telemetryUrl(), 'DELETE FROM positions WHERE recorded_at >= $1 AND recorded_at < $2 RETURNING device_id', [from, to]);
  await restoreLastPositions([...new Set(touched.map((row) => Number(row.device_id)))]);
}

/** A subgraph service started as a user starts it (`npm run subgraph`). */
export interface SubgraphService {
  name: string;
  url: string;
  child: ChildProcess;
  exited: Promise<unknown>;
}

/**
 * `npm run subgraph -- <name> --port <port>` in its own process group (npm and the node it execs
 * are signalled together: `process.kill(-child.pid, …)`); resolves once it listens.
 */
export async function startSubgraphService(name: string, port?: number): Promise<SubgraphService> {
  port ??= await freePort();
  const child = spawn('npm', ['run', 'subgraph', '--', name, '--port', String(port)], {
    cwd: projectRoot,
    detached: true,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', REPOGATE_LOG_LEVEL: 'warn' },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk;
      if (output.includes(`Repogate subgraph ${name} is serving`)) resolve();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    void exited.then(() => reject(new Error(`subgraph ${name} exited early: ${output}`)));
  });
  return { name, url: `http://127.0.0.1:${port}/graphql`, child, exited };
}
