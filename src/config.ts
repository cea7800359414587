/**
 * The only reader of process.env. Everything configurable is parsed and validated here, once,
 * so a bad setting stops start-up with a message naming the field instead of failing later
 * inside a resolver.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

export const clientClasses = ['interactive', 'api', 'admin', 'ml'] as const;
/**
 * Who is calling: people in GraphiQL and frontends, services, operators, and ML practitioners
 * (who see the training repo only). Each has its own pools and database role.
 */
export type ClientClass = (typeof clientClasses)[number];

/** What one operation may ask for; anything beyond is refused before any SQL runs (GraphQL Armor). */
const limitsSchema = z
  .object({
    maxDepth: z.number().int().positive(),
    maxAliases: z.number().int().nonnegative(),
    maxDirectives: z.number().int().nonnegative(),
    /** Lexer tokens of the whole document: bounds parsing work on hostile input. */
    maxTokens: z.number().int().positive(),
    /** GraphQL Armor's static cost (objects 2, scalars 1, times 1.5 per level). */
    maxCost: z.number().int().positive(),
  })
  .strict();
export type OperationLimits = z.infer<typeof limitsSchema>;

const classSchema = z
  .object({
    /** Connections of this class per repo (per tenant database on main) and per server. */
    poolSize: z.number().int().positive().max(200),
    /** How long a request waits for one of its class's connections before REPO_BUSY. */
    acquireTimeoutMs: z.number().int().positive(),
    /** Server-side statement timeout of the class's sessions. */
    statementTimeoutMs: z.number().int().positive(),
    limits: limitsSchema,
    /** Schema introspection and "did you mean" suggestions (off for services: they use the SDK). */
    introspection: z.boolean(),
    /** Only operations of the allow-list generated from schemas/operations may run. */
    persistedOperationsOnly: z.boolean(),
    /** Open subscriptions (SSE or WebSocket) allowed at once; beyond them SUBSCRIPTION_LIMIT. */
    subscriptions: z
      .object({
        /** Per token (its tenant and subject): a page opened in many tabs, a service's workers. */
        perToken: z.number().int().nonnegative(),
        /** Of the class in one gateway process. */
        perProcess: z.number().int().nonnegative(),
      })
      .strict(),
  })
  .strict();
export type ClassOptions = z.infer<typeof classSchema>;

export const classDefaults: Record<ClientClass, ClassOptions> = {
  interactive: {
    poolSize: 10,
    acquireTimeoutMs: 1000,
    statementTimeoutMs: 5_000,
    limits: { maxDepth: 12, maxAliases: 20, maxDirectives: 10, maxTokens: 3000, maxCost: 50_000 },
    introspection: true,
    persistedOperationsOnly: false,
    subscriptions: { perToken: 10, perProcess: 5_000 },
  },
  api: {
    poolSize: 4,
    acquireTimeoutMs: 1000,
    statementTimeoutMs: 15_000,
    limits: { maxDepth: 12, maxAliases: 10, maxDirectives: 5, maxTokens: 2000, maxCost: 50_000 },
    introspection: false,
    persistedOperationsOnly: false,
    subscriptions: { perToken: 100, perProcess: 5_000 },
  },
  admin: {
    poolSize: 2,
    acquireTimeoutMs: 2000,
    statementTimeoutMs: 60_000,
    limits: { maxDepth: 15, maxAliases: 30, maxDirectives: 20, maxTokens: 5000, maxCost: 100_000 },
    introspection: true,
    persistedOperationsOnly: false,
    subscriptions: { perToken: 10, perProcess: 100 },
  },
  // Notebooks and training jobs page through history: long statements, few connections.
  ml: {
    poolSize: 2,
    acquireTimeoutMs: 2000,
    statementTimeoutMs: 60_000,
    limits: { maxDepth: 8, maxAliases: 10, maxDirectives: 5, maxTokens: 2000, maxCost: 100_000 },
    introspection: true,
    persistedOperationsOnly: false,
    // Training data is history: nothing live to subscribe to.
    subscriptions: { perToken: 0, perProcess: 0 },
  },
};

export const gatewayDefaults = {
  // Room for recordPositions' 10,000 fixes (about 1.2 MB of JSON), not for much more.
  maxBodyBytes: 1_500_000,
  drainTimeoutMs: 10_000,
  graphiql: false,
  breaker: { failures: 5, cooldownMs: 1_000 },
  // Events a subscriber may fall behind by before its subscription ends (SUBSCRIPTION_OVERFLOW).
  subscriptionQueue: 2_000,
  // No browser origin but the gateway's own until a deployment lists its frontends.
  cors: { origins: [] as string[], credentials: false },
};

/** A config gives only what differs from the defaults: merge it over them, objects deeply. */
function overDefaults(defaults: unknown, given: unknown): unknown {
  if (given === undefined) return defaults;
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isObject(defaults) || !isObject(given)) return given;
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(given)) merged[key] = overDefaults(defaults[key], value);
  return merged;
}

const urlSchema = z.string().refine((value) => URL.canParse(value), 'must be a connection URL');
const pgUrl = urlSchema.refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// URL');
const mysqlUrl = urlSchema.refine((value) => value.startsWith('mysql://'), 'must be a mysql:// URL');
const httpUrl = urlSchema.refine((value) => /^https?:\/\//.test(value), 'must be an http:// or https:// URL');

const roleSchema = z.object({ user: z.string().min(1), password: z.string() }).strict();
/** The database login of each client class: GRANTs on these roles decide what a class may touch. */
/** ml's is needed only where ml sees the subgraph (training): without a login there, it reaches nothing. */
const rolesSchema = z.object({ interactive: roleSchema, api: roleSchema, admin: roleSchema, ml: roleSchema.optional() }).strict();
export type RoleCredentials = z.infer<typeof roleSchema>;

const repoCommon = {
  roles: rolesSchema,
  /**
   * A subgraph that is not built in: the module exporting its descriptor (a path, relative to the
   * working directory, or a package name). Built-in subgraphs need none.
   */
  module: z.string().min(1).optional(),
  /**
   * The client classes whose schema shows this subgraph, when not its descriptor's own list
   * (built in: every class but ml sees main, telemetry and legacy; ml and admin see training).
   */
  classes: z.array(z.enum(clientClasses)).min(1).optional(),
  /**
   * Reach this subgraph over HTTP instead of running it in the gateway's process: its Federation
   * v2 service (`npm run subgraph -- <name>`, same descriptor) at `url`. The gateway stitches it
   * with the descriptor's own SDL and merge config, forwards the client's Authorization header,
   * opens no pools on this repo (the service does) and adds the service's `extensions.repos` to
   * its own. Absent: the subgraph runs in-process. The rest of this entry (url, roles) stays what
   * the service itself reads, so one topology file serves the gateway and its services.
   */
  service: z
    .object({
      /** The service's GraphQL endpoint: http(s)://host:port/graphql. */
      url: httpUrl,
      /** Keep-alive sockets to the service at most (requests beyond wait for one). */
      maxSockets: z.number().int().positive().default(16),
    })
    .strict()
    .optional(),
  /** How long opening a connection may take before the repo counts as unavailable. */
  connectTimeoutMs: z.number().int().positive().default(2000),
  /** Idle connections are closed after this long. */
  idleTimeoutMs: z.number().int().positive().default(30_000),
};

const pgRepoSchema = z
  .object({
    driver: z.literal('pg'),
    /** The primary: postgres://host:port/database (credentials, if any, are the owner's, used by migrations). */
    url: pgUrl,
    /** Streaming replicas, same databases; queries read from a healthy one. */
    replicas: z.array(pgUrl).default([]),
    /** A replica further behind than this is skipped until it catches up. */
    maxReplicaLagMs: z.number().int().positive().default(5_000),
    /**
     * A pooler in transaction mode (PgBouncer, `pool_mode = transaction`) in front of this repo,
     * for many gateway instances or workers: each holds its class pools' connections to the
     * pooler, which multiplexes them onto its own few server connections. The class pools (and
     * the breaker's and /ready's pings) go through it; `url` and `replicas` stay the direct
     * connections for what needs a session of its own: migrations and grants, the LISTEN
     * connection of live subscriptions, the replica monitor's WAL position probes, tenant moves.
     * Through it no statement is prepared by name, and the class's statement timeout is set per
     * transaction (`SET LOCAL`), a lone statement running in a transaction of its own.
     */
    pooler: z
      .object({
        /**
         * The pooler in front of the primary: postgres://host:port/database, the database named
         * as in `url` (a tenant's replaces it, as on `url`; the pooler needs a `*` entry for them).
         * Credentials here are ignored: the class roles log in.
         */
        url: pgUrl,
        /** One per replica, in the order of `replicas`; none: reads on the replicas connect directly. */
        replicas: z.array(pgUrl).optional(),
      })
      .strict()
      .optional(),
    ...repoCommon,
  })
  .strict()
  .superRefine((repo, context) => {
    const pooled = repo.pooler?.replicas;
    if (pooled && pooled.length !== repo.replicas.length) {
      context.addIssue({ code: 'custom', path: ['pooler', 'replicas'], message: `must name one pooler per replica (${repo.replicas.length}), in their order` });
    }
  });

const mysqlRepoSchema = z.object({ driver: z.literal('mysql'), url: mysqlUrl, ...repoCommon }).strict();

export type PgRepoConfig = z.infer<typeof pgRepoSchema>;
export type MysqlRepoConfig = z.infer<typeof mysqlRepoSchema>;
export type RepoConfig = PgRepoConfig | MysqlRepoConfig;

/**
 * A subgraph's context sits under its name next to the request's own keys, and its settings are
 * the topology's section of that name: neither may be shadowed.
 */
const reservedRepoNames: ReadonlySet<string> = new Set([
  'principal', 'session', 'tenant', 'request', 'params', 'repoUsage', 'requestId', 'operationType',
  'repos', 'tenancy', 'classes', 'gateway', 'auth',
]);

/** A subgraph that is not Repogate's: reached only over HTTP, trusted with what the topology says. */
const foreignSubgraphSchema = z
  .object({
    /** Its GraphQL endpoint (in a supergraph: its `@join__graph(url:)`, which this overrides). */
    url: httpUrl.optional(),
    /** Keep-alive sockets to it at most. */
    maxSockets: z.number().int().positive().default(16),
    /** The client classes whose schema shows its fields (not ml's by default: ml sees training data only). */
    classes: z.array(z.enum(clientClasses)).min(1).default(['interactive', 'api', 'admin']),
    /** Send the client's `Authorization` header on (off: the service sees no token of our clients). */
    forwardToken: z.boolean().default(true),
    /** How long a request to it may take (default: the calling class's statement timeout). */
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict();
export type ForeignSubgraphConfig = z.infer<typeof foreignSubgraphSchema>;

/** Tokens must carry these `iss` / `aud` when set: a shared identity provider issues tokens for other apps too. */
const claimsChecks = { issuer: z.string().min(1).optional(), audience: z.string().min(1).optional() };
const authSchema = z.union([
  z.object({ hs256Secret: z.string().min(32, 'must be at least 32 characters'), ...claimsChecks }).strict(),
  z.object({ jwksUrl: urlSchema, ...claimsChecks }).strict(),
  z.object({ publicKeyPem: z.string().includes('PUBLIC KEY'), algorithm: z.enum(['RS256', 'ES256', 'EdDSA']), ...claimsChecks }).strict(),
]);
export type AuthOptions = z.infer<typeof authSchema>;

export const topologySchema = z
  .object({
    /** One entry per subgraph, named as the subgraph (src/subgraphs.ts lists the built-in ones). */
    repos: z
      .record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a subgraph name'), z.discriminatedUnion('driver', [pgRepoSchema, mysqlRepoSchema]))
      .superRefine((repos, context) => {
        for (const name of Object.keys(repos).filter((key) => reservedRepoNames.has(key))) {
          context.addIssue({ code: 'custom', path: [name], message: 'is reserved: the request context or the topology uses that key' });
        }
      })
      .refine((repos) => Object.keys(repos).length > 0, 'must name at least one repo'),
    /** Subgraphs with a database per tenant: the registry says which database serves a tenant. */
    tenancy: z
      .object({
        /** The management database holding the `tenants` table. */
        registryUrl: pgUrl,
        /** Tenant databases whose pools stay open; beyond this the least recently used are closed. */
        maxOpenTenants: z.number().int().positive().default(50),
        /** How long a registry row is trusted before it is read again (suspensions take effect within this). */
        cacheMs: z.number().int().nonnegative().default(1000),
        /**
         * While the registry cannot answer, a tenant's last row read within this long is served
         * (main's replica can still answer reads; a hung registry would otherwise stall them all).
         */
        staleIfErrorMs: z.number().int().nonnegative().default(300_000),
      })
      .strict(),
    classes: z.preprocess(
      (given) => overDefaults(classDefaults, given),
      z.object({ interactive: classSchema, api: classSchema, admin: classSchema, ml: classSchema }).strict(),
    ),
    gateway: z.preprocess(
      (given) => overDefaults(gatewayDefaults, given),
      z
        .object({
          /** Larger request bodies are refused with 413 before parsing. */
          maxBodyBytes: z.number().int().positive(),
          /** On SIGTERM, in-flight requests get this long to finish before pools close. */
          drainTimeoutMs: z.number().int().nonnegative(),
          /** Serve GraphiQL (HTML) at the GraphQL endpoint. */
          graphiql: z.boolean(),
          /** Events one subscription may have waiting for its client; past it, SUBSCRIPTION_OVERFLOW ends it. */
          subscriptionQueue: z.number().int().positive(),
          breaker: z
            .object({
              /** Consecutive unreachable errors that open a repo's breaker. */
              failures: z.number().int().positive(),
              /** How long it stays open before it probes the repo again. */
              cooldownMs: z.number().int().positive(),
            })
            .strict(),
          /** Browser origins allowed to call the gateway (CORS); others get no CORS headers. */
          cors: z
            .object({
              /** `https://app.example.com`, `http://localhost:*` (any port), `https://*.example.com`, or `*` for any. */
              origins: z.array(z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, 'must be an origin like https://app.example.com, a pattern with *, or *')),
              /** Access-Control-Allow-Credentials: only for cookie-based auth; bearer tokens do not need it. */
              credentials: z.boolean(),
            })
            .strict()
            // Every origin, credentials included, is what yoga's default did and what this setting is for closing.
            .refine((cors) => !(cors.credentials && cors.origins.includes('*')), 'credentials: true needs the origins listed, not *'),
        })
        .strict(),
    ),
    /** How wide a telemetry window may be: wider ones are BAD_USER_INPUT naming `to`. */
    telemetry: z
      .object({
        /** Device.track: at GPS rates a month is already ~90,000 fixes per device. */
        maxTrackWindowDays: z.number().positive().default(31),
        /** positionsInArea: a day of a fleet's fixes is scanned per page. */
        maxAreaWindowHours: z.number().positive().default(24),
      })
      .strict()
      .default({ maxTrackWindowDays: 31, maxAreaWindowHours: 24 }),
    /** How bearer tokens are verified: a shared HS256 secret (dev), a JWKS URL or a public key. */
    auth: authSchema,
    /**
     * Federation v2 subgraphs that are not Repogate's (another team's service, any language), by
     * name. At start-up the gateway reads each one's `_service { sdl }`, composes it with ours and
     * stitches it in; one that is down then is retried with back-off and joins once it answers.
     */
    foreign: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a subgraph name'), foreignSubgraphSchema).default({}),
    /**
     * A supergraph SDL composed elsewhere (a file path or an http(s) URL; `npm start -- --supergraph
     * <file>`), the Hive Gateway / Apollo Router convention. Its subgraphs named as ours run as the
     * topology says (in-process, or at `repos.<name>.service`); every other one is foreign, at its
     * `@join__graph(url:)`, with the settings of its `foreign` entry if there is one.
     */
    supergraph: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((topology, context) => {
    for (const [name, foreign] of Object.entries(topology.foreign)) {
      if (topology.repos[name]) context.addIssue({ code: 'custom', path: ['foreign', name], message: 'is the name of a repo: a foreign subgraph needs a name of its own' });
      if (!foreign.url && !topology.supergraph) context.addIssue({ code: 'custom', path: ['foreign', name, 'url'], message: 'is needed (or a supergraph that gives it)' });
    }
  });
export type Topology = z.infer<typeof topologySchema>;
export type GatewaySettings = Topology['gateway'];
export type TelemetryWindows = Topology['telemetry'];
/** A repo's name: its subgraph's, and its key in `repos`. */
export type RepoName = string;

/** The configuration of repo `name`; a subgraph without one is a configuration error. */
export function repoConfig(topology: Pick<Topology, 'repos'>, name: RepoName): RepoConfig {
  const config = topology.repos[name];
  if (!config) throw new ConfigError(`repos.${name}: missing (the subgraph "${name}" needs its repo)`);
  return config;
}

export interface ServerOptions {
  host: string;
  port: number;
  /** Adds extensions.repos to responses of requests that send `x-repogate-debug: 1`. */
  debug: boolean;
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  logLevel: string;
  /** Where OpenTelemetry spans go; undefined: tracing off (the API stays a no-op). */
  tracing: TracingOptions | undefined;
  /** Gateway processes behind the one port (REPOGATE_WORKERS; default: one per core). */
  workers: number;
}

/** otlp: OTLP/HTTP to the OTEL_EXPORTER_OTLP_* endpoint, batched; console: printed as each span ends. */
export const traceExporters = ['otlp', 'console'] as const;
export type TraceExporter = (typeof traceExporters)[number];

export interface TracingOptions {
  exporters: readonly TraceExporter[];
}

export interface StackOptions {
  /** Where the embedded stack keeps its clusters, logs and stack.json. */
  dataDir: string;
  /** Directory holding initdb, pg_ctl and postgres; found automatically when unset. */
  pgBinDir: string | undefined;
  /** Who runs the servers when we are not root (as root: the postgres and mysql users). */
  processUser: string;
  /** REPOGATE_PGBOUNCER=1 (or true): PgBouncer in front of each PostgreSQL server, the topology's `pooler` pointing at it. */
  pgbouncer?: boolean;
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

/** REPOGATE_CONFIG (a JSON file) when set, else undefined: the caller starts the embedded stack. */
export function topologyFromEnvironment(): Topology | undefined {
  if (!process.env.REPOGATE_CONFIG) return undefined;
  const file = path.resolve(process.env.REPOGATE_CONFIG);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    // Not the parser's message: recent Node quotes the file around the fault, passwords included.
    const reason = error instanceof SyntaxError ? 'not valid JSON' : (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`cannot read REPOGATE_CONFIG ${file}: ${reason}`);
  }
  return parseTopology(raw, file);
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
    logLevel: process.env.REPOGATE_LOG_LEVEL ?? 'info',
    tracing: tracingFromEnvironment(process.env),
    workers: workersFromEnvironment(process.env),
  };
}

/** REPOGATE_WORKERS: how many gateway processes share the port; unset, one per core the process may use. */
export function workersFromEnvironment(env: Readonly<Record<string, string | undefined>>): number {
  const given = env.REPOGATE_WORKERS?.trim();
  if (!given) return availableParallelism();
  const workers = Number(given);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new ConfigError(`REPOGATE_WORKERS: must be a whole number from 1 to 64, got ${given}`);
  }
  return workers;
}

/**
 * Which span exporters the environment asks for. OTLP follows the standard variables: on when
 * OTEL_TRACES_EXPORTER says `otlp`, or (unset) when an OTLP endpoint is given, so that a
 * deployment's usual OTEL_EXPORTER_OTLP_ENDPOINT is enough; the exporter itself reads the
 * endpoint, headers, timeout and compression, and the resource OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES. REPOGATE_TRACING=console adds printed spans. Pure: takes the
 * environment as an argument.
 */
export function tracingFromEnvironment(env: Readonly<Record<string, string | undefined>>): TracingOptions | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const exporters = new Set<TraceExporter>();
  const named = env.OTEL_TRACES_EXPORTER?.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  if (named && named.length > 0) {
    for (const name of named) {
      if (name === 'none') continue;
      if (!(traceExporters as readonly string[]).includes(name)) {
        throw new ConfigError(`OTEL_TRACES_EXPORTER: Repogate exports spans to ${traceExporters.join(' or ')} (or none), got ${name}`);
      }
      exporters.add(name as TraceExporter);
    }
  } else if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    exporters.add('otlp');
  }
  if (env.REPOGATE_TRACING) {
    if (env.REPOGATE_TRACING !== 'console') throw new ConfigError(`REPOGATE_TRACING: must be console (or unset), got ${env.REPOGATE_TRACING}`);
    exporters.add('console');
  }
  if (exporters.has('otlp')) {
    // The installed exporter speaks OTLP over HTTP (JSON bodies, which OTLP/HTTP receivers take
    // next to protobuf on the same path); gRPC would need another package and another port.
    const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
    if (protocol && protocol !== 'http/json' && protocol !== 'http/protobuf') {
      throw new ConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL: Repogate exports traces over OTLP/HTTP (http/json), got ${protocol}`);
    }
  }
  return exporters.size > 0 ? { exporters: [...exporters] } : undefined;
}

/** What `npm run move` reads of the environment: its test hook (src/move/crash-hook.ts) alone. */
export function moveEnvironment(): { REPOGATE_MOVE_CRASH_AT?: string } {
  return { REPOGATE_MOVE_CRASH_AT: process.env.REPOGATE_MOVE_CRASH_AT };
}

export const projectRoot = path.resolve(import.meta.dirname, '..');

export function stackOptions(): StackOptions {
  return {
    dataDir: path.resolve(projectRoot, process.env.REPOGATE_DATA_DIR ?? '.data'),
    pgBinDir: process.env.REPOGATE_PG_BIN,
    processUser: process.env.USER ?? 'postgres',
    pgbouncer: process.env.REPOGATE_PGBOUNCER === '1' || process.env.REPOGATE_PGBOUNCER === 'true',
  };
}
