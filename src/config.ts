/**
 * The only reader of process.env. Everything configurable is parsed and validated here, once,
 * so a bad setting stops start-up with a message naming the field instead of failing later
 * inside a resolver.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const poolSchema = z
  .object({
    /** Connections this process may open to the repo. */
    max: z.number().int().positive().max(500).default(10),
    /** How long a request waits to open a connection before the repo counts as unavailable. */
    connectTimeoutMs: z.number().int().positive().default(2000),
    /** Idle connections are closed after this long. */
    idleTimeoutMs: z.number().int().positive().default(30_000),
  })
  .strict();

const urlSchema = z.string().refine((value) => URL.canParse(value), 'must be a connection URL');

const pgRepoSchema = z
  .object({
    driver: z.literal('pg'),
    /** postgres://user:password@host:port/database */
    url: urlSchema.refine((value) => value.startsWith('postgres'), 'must be a postgres:// URL'),
    pool: poolSchema.default(poolSchema.parse({})),
  })
  .strict();

const mysqlRepoSchema = z
  .object({
    driver: z.literal('mysql'),
    /** mysql://user:password@host:port/database */
    url: urlSchema.refine((value) => value.startsWith('mysql://'), 'must be a mysql:// URL'),
    pool: poolSchema.default(poolSchema.parse({})),
  })
  .strict();

export const repoConfigSchema = z.discriminatedUnion('driver', [pgRepoSchema, mysqlRepoSchema]);
export type RepoConfig = z.infer<typeof repoConfigSchema>;
export type PoolOptions = z.infer<typeof poolSchema>;

export const topologySchema = z
  .object({
    repos: z
      .object({
        main: pgRepoSchema,
        telemetry: pgRepoSchema,
        legacy: mysqlRepoSchema,
      })
      .strict(),
    /** Until tenant routing lands every request uses this tenant (its database is repos.main). */
    tenant: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).default('acme'),
  })
  .strict();
export type Topology = z.infer<typeof topologySchema>;
export type RepoName = keyof Topology['repos'];
export const repoNames: readonly RepoName[] = ['main', 'telemetry', 'legacy'];

export interface ServerOptions {
  host: string;
  port: number;
  /** Adds extensions.repos to responses of requests that send `x-repogate-debug: 1`. */
  debug: boolean;
}

export interface StackOptions {
  /** Where the embedded stack keeps its clusters, logs and stack.json. */
  dataDir: string;
  /** Directory holding initdb, pg_ctl and postgres; found automatically when unset. */
  pgBinDir: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Formats zod issues as `repos.main.url: must be a postgres:// URL` lines. */
function describeIssues(error: z.ZodError, source: string): string {
  const lines = error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return `invalid Repogate config (${source}):\n${lines.join('\n')}`;
}

export function parseTopology(raw: unknown, source = 'config'): Topology {
  const parsed = topologySchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, source));
  return parsed.data;
}

/**
 * Where the topology comes from, in order: REPOGATE_CONFIG (a JSON file), the three
 * REPOGATE_*_URL variables, else the embedded stack (undefined: the caller starts it).
 */
export function topologyFromEnvironment(): Topology | undefined {
  if (process.env.REPOGATE_CONFIG) {
    const file = path.resolve(process.env.REPOGATE_CONFIG);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`cannot read REPOGATE_CONFIG ${file}: ${(error as Error).message}`);
    }
    return parseTopology(raw, file);
  }
  const urls = {
    main: process.env.REPOGATE_MAIN_URL,
    telemetry: process.env.REPOGATE_TELEMETRY_URL,
    legacy: process.env.REPOGATE_LEGACY_URL,
  };
  if (!urls.main && !urls.telemetry && !urls.legacy) return undefined;
  return parseTopology(
    {
      repos: {
        main: { driver: 'pg', url: urls.main },
        telemetry: { driver: 'pg', url: urls.telemetry },
        legacy: { driver: 'mysql', url: urls.legacy },
      },
    },
    'REPOGATE_MAIN_URL, REPOGATE_TELEMETRY_URL, REPOGATE_LEGACY_URL',
  );
}

export function serverOptions(): ServerOptions {
  const port = Number(process.env.REPOGATE_PORT ?? process.env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`REPOGATE_PORT: must be a port number, got ${process.env.REPOGATE_PORT ?? process.env.PORT}`);
  }
  return {
    host: process.env.REPOGATE_HOST ?? '127.0.0.1',
    port,
    debug: process.env.REPOGATE_DEBUG === '1' || process.env.REPOGATE_DEBUG === 'true',
  };
}

export const projectRoot = path.resolve(import.meta.dirname, '..');

export function stackOptions(): StackOptions {
  return {
    dataDir: path.resolve(projectRoot, process.env.REPOGATE_DATA_DIR ?? '.data'),
    pgBinDir: process.env.REPOGATE_PG_BIN,
  };
}
