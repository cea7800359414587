/**
 * Shared test setup: the real gateway over the real stack (no HTTP unless a test needs it), and
 * direct SQL to compare its answers with.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Topology } from '../src/config.js';
import { createGateway, type Gateway } from '../src/gateway/yoga.js';
import { RepoRegistry } from '../src/repo/registry.js';
import { readStackInfo, topologyFromStack, type StackInfo } from '../src/stack/stack.js';

export function stackInfo(): StackInfo {
  const info = readStackInfo();
  if (!info) throw new Error('no .data/stack.json: the global setup should have started the stack');
  return info;
}

export function testTopology(): Topology {
  return topologyFromStack(stackInfo(), 'acme');
}

export interface GraphQLResponse<D = Record<string, any>> {
  data?: D | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: { repos?: Record<string, { roundTrips: number; ms: number }> };
}

export interface TestGateway {
  gateway: Gateway;
  registry: RepoRegistry;
  /** POSTs a query with the debug header, so the answer carries extensions.repos. */
  request<D = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<D>>;
  close(): Promise<void>;
}

export function openGateway(topology: Topology = testTopology()): TestGateway {
  const registry = new RepoRegistry(topology);
  const gateway = createGateway({ registry, tenant: topology.tenant, debug: true, logError: () => {} });
  return {
    gateway,
    registry,
    async request(query, variables) {
      const response = await gateway.fetch('http://repogate.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-repogate-debug': '1' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<any>;
    },
    close: () => registry.close(),
  };
}

/** Direct SQL against a PostgreSQL database of the stack: the reference answers. */
export async function pgRows<R = Record<string, any>>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as R[];
  } finally {
    await client.end();
  }
}

export async function mysqlRows<R = Record<string, any>>(sql: string, params: unknown[] = []): Promise<R[]> {
  const connection = await mysql.createConnection({ uri: stackInfo().repos.legacy.url, dateStrings: true, charset: 'utf8mb4' });
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
