/**
 * The process's pools, opened lazily: one per (repo, client class, database, server). Each
 * client class connects as its own role, so its pool can neither borrow another class's
 * connections nor read what its GRANTs forbid. In a repo with a database per tenant the
 * database is the tenant's; tenant databases beyond `maxOpenTenants` have their pools closed,
 * least recently used first.
 */
import { repoConfig, type ClientClass, type RepoConfig, type RepoName, type Topology } from '../config.js';
import { ForbiddenError } from '../errors.js';
import { BreakerDatabase, RepoBreaker } from './breaker.js';
import type { Database } from './database.js';
import { MysqlDatabase } from './mysql-database.js';
import { PgDatabase } from './pg-database.js';
import { ReplicaMonitor } from './replica-monitor.js';

/** A bounded queue: beyond this many waiting requests per connection, REPO_BUSY at once. */
const QUEUE_PER_CONNECTION = 10;
/** How long past its server-side statement timeout a statement may go unanswered before the server counts as hung. */
export const HUNG_AFTER_STATEMENT_TIMEOUT_MS = 500;
/**
 * The gateway's own pings (breaker probes, replica monitor, /ready) run on one-connection pools
 * of their own with this bound, so a hung server is noticed within it and never stalls them.
 */
const HEALTH_CHECK_TIMEOUT_MS = 1000;

/** 'primary', or the index of a replica in the repo's `replicas`. */
export type Server = 'primary' | number;

export interface PoolAddress {
  repo: RepoName;
  clientClass: ClientClass;
  server: Server;
  /** The database on that server (a tenant's); the repo URL's database when omitted. */
  database?: string;
  /** A tenant's cap on its pools (the registry's pool_size), below the class's size. */
  poolCap?: number;
}

export type ServerState = 'up' | 'down' | 'lagging';

/** The pooler in front of `server` (config.ts, `pooler`), when the topology names one. */
export function poolerUrl(config: RepoConfig, server: Server): string | undefined {
  if (config.driver !== 'pg' || !config.pooler) return undefined;
  return server === 'primary' ? config.pooler.url : config.pooler.replicas?.[server];
}

/**
 * The URL of `server` with the class's role as user and `database` as path: the server itself,
 * or with `via: 'pooler'` its pooler where it has one. What holds a session (LISTEN, the replica
 * monitor's probes) connects directly.
 */
export function connectionUrl(config: RepoConfig, server: Server, role: { user: string; password: string }, database?: string, via: 'direct' | 'pooler' = 'direct'): string {
  const direct = server === 'primary' ? config.url : (config.driver === 'pg' ? config.replicas[server] : undefined);
  const base = (via === 'pooler' ? poolerUrl(config, server) : undefined) ?? direct;
  if (!base) throw new Error(`repo has no replica ${server}`);
  const url = new URL(base);
  url.username = encodeURIComponent(role.user);
  url.password = encodeURIComponent(role.password);
  if (database) url.pathname = `/${database}`;
  return url.toString();
}

/** Reported after every statement: what the metrics count. */
export interface QueryEvent {
  repo: RepoName;
  clientClass: ClientClass;
  server: 'primary' | 'replica';
  seconds: number;
  ok: boolean;
}

export class RepoRegistry {
  private readonly pools = new Map<string, Database>();
  readonly breakers = new Map<RepoName, RepoBreaker>();
  private readonly queryListeners = new Set<(event: QueryEvent) => void>();
  /** Tenant databases by last use, oldest first. */
  private readonly tenantUse = new Map<string, number>();
  private readonly monitors = new Map<RepoName, ReplicaMonitor>();
  /** The repos' names, in the topology's order. */
  readonly repoNames: readonly RepoName[];

  constructor(readonly topology: Topology) {
    this.repoNames = Object.keys(topology.repos);
    for (const name of this.repoNames) {
      const probe = () => this.healthPool(name, 'primary').query('SELECT 1');
      this.breakers.set(name, new RepoBreaker(name, topology.gateway.breaker, probe));
    }
    for (const name of this.repoNames) {
      const config = repoConfig(topology, name);
      if (config.driver !== 'pg' || config.replicas.length === 0) continue;
      // Directly, not through a pooler: WAL positions are the server's own, not any server's.
      const watcher = (server: Server) => this.healthPool(name, server, 'direct');
      const monitor = new ReplicaMonitor(
        watcher('primary'),
        config.replicas.map((_, index) => watcher(index)),
        { maxLagMs: config.maxReplicaLagMs },
      );
      this.monitors.set(name, monitor.start());
    }
  }

  /**
   * The breaker of a subgraph this process reaches over HTTP (gateway/remote-subgraph.ts): it has
   * no pools here, but its breaker is reported with the others (metrics).
   */
  addBreaker(breaker: RepoBreaker): void {
    if (this.breakers.has(breaker.repo)) throw new Error(`repo ${breaker.repo} has a breaker already`);
    this.breakers.set(breaker.repo, breaker);
  }

  replicas(repo: RepoName): ReplicaMonitor | undefined {
    return this.monitors.get(repo);
  }

  /** Calls `listener` after every statement a request runs (the metrics count them); returns its removal. */
  onQuery(listener: (event: QueryEvent) => void): () => void {
    this.queryListeners.add(listener);
    return () => this.queryListeners.delete(listener);
  }

  /** Reported by a request's repo view after each statement. */
  reportQuery(event: QueryEvent): void {
    for (const listener of this.queryListeners) listener(event);
  }

  /** The pool for `address`; a primary's goes through its repo's circuit breaker. */
  database(address: PoolAddress): Database {
    if (address.database) this.touchTenant(address.database);
    const pool = this.open(address);
    if (address.server !== 'primary') return pool;
    let guarded = this.guarded.get(pool);
    if (!guarded) this.guarded.set(pool, (guarded = new BreakerDatabase(pool, this.breakers.get(address.repo)!)));
    return guarded;
  }

  private readonly guarded = new WeakMap<Database, Database>();

  /**
   * The admin connection the gateway's own pings use, bounded by HEALTH_CHECK_TIMEOUT_MS. The
   * breaker's probes and /ready go the way the class pools go (through the repo's pooler, if it
   * has one: that is what requests need up); the replica monitor's, directly.
   */
  private healthPool(repo: RepoName, server: Server, via: 'direct' | 'pooler' = 'pooler'): Database {
    return this.open({ repo, clientClass: 'admin', server }, true, via);
  }

  private open(address: PoolAddress, health = false, via: 'direct' | 'pooler' = 'pooler'): Database {
    const { repo, clientClass, server, database, poolCap } = address;
    const config = repoConfig(this.topology, repo);
    const pooled = via === 'pooler' && poolerUrl(config, server) !== undefined;
    const key = `${repo}|${clientClass}|${server}|${database ?? ''}|${health ? 'health' : ''}|${pooled ? 'pooler' : ''}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const role = config.roles[clientClass];
      // A class with no login on a repo (ml outside training) may touch nothing there.
      if (!role) throw new ForbiddenError();
      const classOptions = this.topology.classes[clientClass];
      const size = health ? 1 : Math.min(classOptions.poolSize, poolCap ?? Infinity);
      const statementTimeoutMs = health ? HEALTH_CHECK_TIMEOUT_MS : classOptions.statementTimeoutMs;
      const options = {
        repo,
        url: connectionUrl(config, server, role, database, pooled ? 'pooler' : 'direct'),
        pooled,
        poolSize: size,
        maxQueue: size * QUEUE_PER_CONNECTION,
        acquireTimeoutMs: health ? HEALTH_CHECK_TIMEOUT_MS : classOptions.acquireTimeoutMs,
        statementTimeoutMs,
        readTimeoutMs: statementTimeoutMs + HUNG_AFTER_STATEMENT_TIMEOUT_MS,
        idleTimeoutMs: config.idleTimeoutMs,
      };
      pool = config.driver === 'pg' ? new PgDatabase(options) : new MysqlDatabase(options);
      this.pools.set(key, pool);
    }
    return pool;
  }

  private touchTenant(database: string): void {
    this.tenantUse.delete(database);
    this.tenantUse.set(database, Date.now());
    let excess = this.tenantUse.size - this.topology.tenancy.maxOpenTenants;
    for (const [stale] of this.tenantUse) {
      if (excess <= 0) break;
      const pools = [...this.pools].filter(([key]) => key.split('|')[3] === stale);
      // A pool still serving or queueing requests stays open until a later eviction: closing it
      // would strand its waiters.
      if (pools.some(([, pool]) => pool.stats().total > pool.stats().idle || pool.stats().waiting > 0)) continue;
      this.tenantUse.delete(stale);
      excess -= 1;
      for (const [key, pool] of pools) {
        this.pools.delete(key);
        void pool.close();
      }
    }
  }

  /** Tenant databases whose pools are open now, least recently used first. */
  openTenantDatabases(): string[] {
    return [...this.tenantUse.keys()];
  }

  /** Pings every repo's primary and replicas (as admin); the answer names each server's state. */
  async readiness(): Promise<Record<RepoName, { primary: ServerState; replicas?: ServerState[] }>> {
    const entries = await Promise.all(
      this.repoNames.map(async (repo) => {
        const ping = async (server: Server): Promise<ServerState> => {
          try {
            await this.healthPool(repo, server).query('SELECT 1');
            return 'up';
          } catch {
            return 'down';
          }
        };
        const monitor = this.monitors.get(repo);
        const config = repoConfig(this.topology, repo);
        const replicas =
          config.driver === 'pg' && config.replicas.length > 0
            ? await Promise.all(
                config.replicas.map(async (_, index) => {
                  const state = await ping(index);
                  const lag = monitor?.states[index]?.lagMs ?? 0;
                  return state === 'up' && lag > config.maxReplicaLagMs ? 'lagging' : state;
                }),
              )
            : undefined;
        return [repo, { primary: await ping('primary'), ...(replicas && { replicas }) }] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<RepoName, { primary: ServerState; replicas?: ServerState[] }>;
  }

  /** Pool figures per (repo, class), summed over databases and servers. */
  poolStats(): { repo: string; clientClass: string; total: number; idle: number; waiting: number }[] {
    const sums = new Map<string, { total: number; idle: number; waiting: number }>();
    for (const [key, pool] of this.pools) {
      const [repo, clientClass] = key.split('|');
      const id = `${repo}|${clientClass}`;
      const sum = sums.get(id) ?? { total: 0, idle: 0, waiting: 0 };
      const stats = pool.stats();
      sum.total += stats.total;
      sum.idle += stats.idle;
      sum.waiting += stats.waiting;
      sums.set(id, sum);
    }
    return [...sums].map(([id, sum]) => {
      const [repo, clientClass] = id.split('|') as [string, string];
      return { repo, clientClass, ...sum };
    });
  }

  async close(): Promise<void> {
    for (const monitor of this.monitors.values()) monitor.stop();
    for (const breaker of this.breakers.values()) breaker.shutdown();
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    this.pools.clear();
  }
}

