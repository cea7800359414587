/**
 * The tenant registry: a `tenants` table in the management database (`repogate` on the main
 * cluster) saying which database serves each tenant, whether it is active, and its pool cap.
 * Rows are trusted for `cacheMs`, so a new tenant is served at once (a miss reads the table)
 * and a suspension takes effect within that time, without a restart.
 */
import pg from 'pg';
import { TenantSuspendedError, TenantUnknownError } from '../errors.js';
import { translateDriverError } from '../repo/driver-errors.js';

export interface Tenant {
  slug: string;
  database: string;
  status: 'active' | 'suspended';
  /** Caps each class's pool on this tenant's database; null: the class's own size. */
  poolSize: number | null;
}

export const tenantSlugPattern = /^[a-z][a-z0-9_]{0,40}$/;

const selectTenant = `SELECT slug, database, status, pool_size AS "poolSize" FROM tenants WHERE slug = $1`;

/** How long a request of a tenant read before waits on the registry before its last row serves. */
const KNOWN_TENANT_WAIT_MS = 250;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export interface TenantDirectoryOptions {
  cacheMs: number;
  staleIfErrorMs: number;
  /** The repo whose cluster holds the registry (the one with a database per tenant), named when it cannot answer. */
  hostRepo?: string;
}

export class TenantDirectory {
  private readonly pool: pg.Pool;
  /** Lookups by slug, in flight or done: concurrent requests of a tenant share one read of the registry. */
  private readonly cache = new Map<string, { tenant: Promise<Tenant | null>; at: number }>();
  /** Each tenant's last row read, for while the registry cannot answer. */
  private readonly lastKnown = new Map<string, { tenant: Tenant | null; at: number }>();
  /** Set by a failed read, cleared by a successful one: then known tenants are served at once. */
  private registryFailing = false;
  private readonly refreshing = new Map<string, Promise<unknown>>();

  constructor(registryUrl: string, private readonly options: TenantDirectoryOptions) {
    // query_timeout: a hung main cluster must cost a bounded wait here too, as in the repo pools.
    this.pool = new pg.Pool({ connectionString: registryUrl, max: 2, connectionTimeoutMillis: 2000, query_timeout: 2000 });
    // As in the repo pools (pg-database.ts): a lost server must not crash the process.
    this.pool.on('error', () => {});
    this.pool.on('connect', (client) => client.on('error', () => {}));
  }

  /** The active tenant named `slug`; TENANT_UNKNOWN or TENANT_SUSPENDED otherwise. */
  async resolve(slug: string): Promise<Tenant> {
    const tenant = tenantSlugPattern.test(slug) ? await this.lookup(slug) : null;
    if (!tenant) throw new TenantUnknownError(slug);
    if (tenant.status !== 'active') throw new TenantSuspendedError(slug);
    return tenant;
  }

  private lookup(slug: string): Promise<Tenant | null> {
    const cached = this.cache.get(slug);
    if (cached && Date.now() - cached.at < this.options.cacheMs) return cached.tenant;
    const known = this.lastKnown.get(slug);
    const usable = known && Date.now() - known.at < this.options.staleIfErrorMs ? known : undefined;
    if (this.registryFailing && usable) {
      // Known tenants go on at once; one read per tenant at a time finds out when the registry is back.
      if (!this.refreshing.has(slug)) this.refreshing.set(slug, this.read(slug).catch(() => {}).finally(() => this.refreshing.delete(slug)));
      return Promise.resolve(usable.tenant);
    }
    const read = this.read(slug).catch((error: unknown) => {
      this.cache.delete(slug); // a failed read is not remembered
      if (usable) return usable.tenant;
      throw error;
    });
    // A known tenant waits on the registry only briefly: a registry that has just hung must not
    // add its whole bound to the request's own statements (the read goes on and tells the rest).
    const tenant = usable ? Promise.race([read, delay(KNOWN_TENANT_WAIT_MS).then(() => usable.tenant)]) : read;
    this.cache.set(slug, { tenant, at: Date.now() });
    return tenant;
  }

  private read(slug: string): Promise<Tenant | null> {
    return this.pool.query<Tenant>(selectTenant, [slug]).then(
      ({ rows }) => {
        this.registryFailing = false;
        const tenant = rows[0] ?? null;
        this.lastKnown.set(slug, { tenant, at: Date.now() });
        return tenant;
      },
      (error: unknown) => {
        this.registryFailing = true;
        // The registry lives on its host repo's cluster: if it cannot answer, that repo is unavailable.
        throw translateDriverError(this.options.hostRepo ?? 'tenant registry', error);
      },
    );
  }

  /** The databases of every active tenant (the start-up grant check covers each). */
  async activeDatabases(): Promise<string[]> {
    const { rows } = await this.pool.query<{ database: string }>("SELECT database FROM tenants WHERE status = 'active' ORDER BY slug");
    return rows.map((row) => row.database);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
