/**
 * Managing tenants while the gateway runs (`npm run tenant -- add <slug>`): a new database on
 * main's cluster, migrated and granted like the others, then registered. The gateway reads the
 * registry on a cache miss, so the tenant is served without a restart.
 */
import pg from 'pg';
import type { Topology } from '../config.js';
import { migrateAndGrant } from '../migrations.js';
import { tenantSlugPattern, type Tenant } from './tenant-directory.js';

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function registerTenant(registryUrl: string, tenant: { slug: string; database: string; poolSize?: number }): Promise<boolean> {
  return withClient(registryUrl, async (client) => {
    const { rowCount } = await client.query(
      'INSERT INTO tenants (slug, database, pool_size) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING',
      [tenant.slug, tenant.database, tenant.poolSize ?? null],
    );
    return rowCount === 1;
  });
}

/** The URL of `database` on main's primary, as main's owner (the credentials of repos.main.url). */
function ownerUrl(topology: Topology, database: string): string {
  const url = new URL(topology.repos.main.url);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function addTenant(topology: Topology, slug: string, options: { poolSize?: number } = {}): Promise<string[]> {
  if (!tenantSlugPattern.test(slug)) throw new Error(`tenant slug must match ${tenantSlugPattern}`);
  const database = `tenant_${slug}`;
  await withClient(ownerUrl(topology, 'postgres'), async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  });
  const applied = await migrateAndGrant('main', 'pg', ownerUrl(topology, database), topology.repos.main.roles);
  await registerTenant(topology.tenancy.registryUrl, { slug, database, poolSize: options.poolSize });
  return applied;
}

export async function setTenantStatus(topology: Topology, slug: string, status: Tenant['status']): Promise<void> {
  const updated = await withClient(topology.tenancy.registryUrl, (client) =>
    client.query('UPDATE tenants SET status = $2 WHERE slug = $1', [slug, status]),
  );
  if (updated.rowCount === 0) throw new Error(`no tenant "${slug}"`);
}
