/**
 * Shared test setup: the real gateway over the real stack (no HTTP unless a test needs it), and
 * direct SQL to compare its answers with.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { GraphQLSchema } from 'graphql';
import mysql from 'mysql2/promise';
import { inject } from 'vitest';
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
  /** Which operation of a document with several to run. */
  operationName?: string;
}

export interface TestGateway extends Repogate {
  /** POSTs a query (as interactive/acme unless told) with the debug header, so the answer carries extensions.repos. */
  request<D = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<GraphQLResponse<D>>;
  /** What the gateway logged (pino JSON lines). */
  logs: Record<string, any>[];
  /** The same, returning the HTTP response itself. */
  post(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<Response>;
}

/**
 * The subgraphs this project's gateways reach as services (subgraph-services-setup.ts): none in
 * the in-process project; in the remote ones the same test files run with these over HTTP.
 */
export function remoteSubgraphs(): Record<string, string> {
  return inject('subgraphServices') ?? {};
}

/** Whether this run reaches any subgraph over HTTP (tests of what only an in-process gateway holds skip). */
export const runsRemote = (): boolean => Object.keys(remoteSubgraphs()).length > 0;

/**
 * Statements on main a remote run costs more than in-process, by design (README, "Remote
 * subgraphs"): a legacy service looks up the tenant's customer codes on main itself for each
 * request reaching it through Company, rather than trust its caller's keys; and each HTTP
 * request to a main service has its own DataLoader cache, so a user fetched again at another
 * level of the same client request is read again.
 */
export const extraMainTrips = { legacyLookup: (): number => (remoteSubgraphs().legacy ? 1 : 0), uncachedLevel: (): number => (remoteSubgraphs().main ? 1 : 0) };

/** `topology` with this project's remote subgraphs given their service (where it names none already). */
function withRemoteSubgraphs(topology: Topology): Topology {
  const services = Object.entries(remoteSubgraphs()).filter(([name]) => topology.repos[name] && !topology.repos[name].service);
  if (services.length === 0) return topology;
  const remote = structuredClone(topology);
  for (const [name, url] of services) remote.repos[name]!.service = { url, maxSockets: 16 };
  return remote;
}

export function openGateway(
  options: { topology?: Topology; graphiqlToken?: string; subgraphSchemas?: readonly GraphQLSchema[]; subgraphs?: readonly AnySubgraph[] } = {},
): TestGateway {
  const { graphiqlToken, subgraphSchemas, subgraphs } = options;
  const topology = withRemoteSubgraphs(options.topology ?? testTopology());
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
      body: JSON.stringify({ query, variables, ...(options.operationName && { operationName: options.operationName }) }),
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

/**
 * A gateway that answers every operation through plain stitching: no single-subgraph pass-through,
 * nor any planning added later. It is the reference the planned path (`openGateway()`) is held to
 * (differential.test.ts, single-subgraph.test.ts); every such gateway is opened here, so switching
 * off a new planning step for all of them is a change to this function alone.
 */
export function openPlainStitchingGateway(options: Omit<NonNullable<Parameters<typeof openGateway>[0]>, 'subgraphSchemas'> = {}): TestGateway {
  // No subgraph schema to pass an operation through to: everything goes through the stitched schema.
  return openGateway({ ...options, subgraphSchemas: [] });
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

/** Every operation the SDK sends (schemas/operations/*.graphql), subscriptions aside, in file order. */
export async function sdkOperations(): Promise<import('graphql').OperationDefinitionNode[]> {
  const [{ readdirSync, readFileSync }, path, { Kind, parse }] = await Promise.all([import('node:fs'), import('node:path'), import('graphql')]);
  const dir = path.join(projectRoot, 'schemas/operations');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .flatMap((file) => parse(readFileSync(path.join(dir, file), 'utf8')).definitions)
    .filter((definition): definition is import('graphql').OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION && definition.operation !== 'subscription');
}

/**
 * Variables for each of sdkOperations(), by operation name, over acme's demo rows (read through
 * `gateway` and SQL). The mutations' arguments write nothing, or nothing new (an existing fix
 * again, a void invoice marked paid), so two gateways asked in turn find the same state.
 */
export async function sdkOperationVariables(gateway: TestGateway): Promise<Record<string, Record<string, unknown>>> {
  const [company] = (await gateway.request('{ companies(first: 5) { edges { node { id legacyCustomerCode } } } }')).data!.companies.edges
    .map((edge: { node: { id: string; legacyCustomerCode: string | null } }) => edge.node)
    .filter((node: { legacyCustomerCode: string | null }) => node.legacyCustomerCode);
  const [invoice] = await mysqlRows("SELECT INV_NO AS number FROM INV_HDR WHERE CUST_CD LIKE 'AC%' ORDER BY INV_NO LIMIT 1");
  const [voided] = await mysqlRows("SELECT INV_NO AS number FROM INV_HDR WHERE STAT = 'V' AND CUST_CD LIKE 'AC%' LIMIT 1");
  const [fix] = await pgRows(
    telemetryUrl(),
    'SELECT recorded_at AS "recordedAt", lat::float8 AS latitude, lon::float8 AS longitude, speed_kmh::float8 AS "speedKmh", heading::float8 AS heading FROM positions WHERE device_id = 1 ORDER BY recorded_at DESC LIMIT 1',
  );
  const week = { from: '2026-10-01T00:00:00.000Z', to: '2026-10-08T00:00:00.000Z' };
  const area = { minLatitude: 52.3, minLongitude: 13.1, maxLatitude: 52.7, maxLongitude: 13.7, from: '2026-10-31T10:00:00.000Z', to: '2026-10-31T12:00:00.000Z' };
  return {
    CompanyPage: { first: 3 },
    Company: { id: company.id },
    CompanyDashboard: { companies: 3, users: 3 },
    Device: { id: '1', ...week, maxPoints: 24 },
    DevicePage: { first: 5 },
    PositionsInArea: { ...area, first: 20 },
    Invoice: { number: String(invoice!.number) },
    User: { id: '12', ...week },
    Users: { ids: ['1', '2', '999999'] },
    StartTimeEntry: { input: { userId: 'x', projectId: '16' } },
    StopTimeEntry: { userId: 'x' },
    UpdateTimeEntry: { input: { id: '999999999' } },
    RecordPositions: { deviceId: '1', positions: [{ ...fix, recordedAt: (fix!.recordedAt as Date).toISOString() }] },
    MarkInvoicePaid: { number: String(voided!.number) },
  };
}
