/**
 * What every server of the comparison shares, so they differ only in how they answer: the same
 * databases (acme's tenant database, telemetry, legacy), the same role (the interactive class's), the
 * same pool size, and a count of the statements each repo received (`GET /__bench/queries`), from
 * which the runner derives round trips per request.
 *
 * A server is started by the runner as `node --import tsx bench/compare/servers/<name>.ts` with
 * BENCH_PORT and BENCH_POOL_SIZE set, and prints `ready` once it listens.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { readStackInfo } from '../../../dev/stack/stack.js';

export type RepoName = 'main' | 'telemetry' | 'legacy';
export const TENANT = 'acme';

export const port = Number(process.env.BENCH_PORT ?? 4100);
export const poolSize = Number(process.env.BENCH_POOL_SIZE ?? 4);

const info = readStackInfo();
if (!info) throw new Error('no stack: npm run stack:up first');
const { repos } = info.topology;

/** The repo's URL with the interactive class's role (the class Repogate serves the bench as) in place of the owner. */
function asClassRole(repo: RepoName, url: string): string {
  const parsed = new URL(url);
  parsed.username = repos[repo].roles.interactive.user;
  parsed.password = repos[repo].roles.interactive.password;
  return parsed.toString();
}

export const urls = {
  main: asClassRole('main', info.repos.main.tenants[TENANT]!),
  telemetry: asClassRole('telemetry', info.repos.telemetry.url),
  legacy: asClassRole('legacy', info.repos.legacy.url),
};

export const queries: Record<RepoName, number> = { main: 0, telemetry: 0, legacy: 0 };

/** A pg pool whose statements are counted under `repo`. */
export function countedPgPool(repo: RepoName, url = urls[repo]): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: typeof query }).query = (...args: unknown[]) => {
      queries[repo] += 1;
      return query(...args);
    };
  });
  return pool;
}

/** The legacy pool (mysql2), counted the same way. */
export function countedMysqlPool(): mysql.Pool & { counted: true } {
  const pool = mysql.createPool({ uri: urls.legacy, connectionLimit: poolSize, dateStrings: true, decimalNumbers: false });
  const query = pool.query.bind(pool);
  const counted = Object.assign(pool, { counted: true as const });
  counted.query = ((...args: Parameters<typeof query>) => {
    queries.legacy += 1;
    return query(...args);
  }) as typeof query;
  return counted;
}

/** Answers `GET /__bench/queries`; returns false for every other request. */
export function serveQueryCount(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== 'GET' || request.url !== '/__bench/queries') return false;
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(queries));
  return true;
}

export async function readJson(request: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export function announce(server: Server): void {
  server.listen(port, '127.0.0.1', () => console.log('ready'));
}
