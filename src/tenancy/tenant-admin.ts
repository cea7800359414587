/**
 * Managing tenants while the gateway runs (`npm run tenant -- add <slug>`): a new database on
 * main's cluster, migrated and granted like the others, then registered. The gateway reads the
 * registry on a cache miss, so the tenant is served without a restart.
 */
import path from 'node:path';
import { projectRoot, repoConfig, type Topology } from '../config.js';
import { migrate, migrateAndGrant, withMigrationConnection } from '../migrations.js';
import type { Subgraph } from '../subgraph-kit/subgraph.js';
import { withPgClient } from '../repo/pg-client.js';
import { tenantSlugPattern, type Tenant } from './tenant-directory.js';

export async function registerTenant(registryUrl: string, tenant: { slug: string; database: string; poolSize?: number }): Promise<boolean> {
  return withPgClient(registryUrl, async (client) => {
    const { rowCount } = await client.query(
      'INSERT INTO tenants (slug, database, pool_size) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING',
      [tenant.slug, tenant.database, tenant.poolSize ?? null],
    );
    return rowCount === 1;
  });
}

/** `base` (a server and its owner's credentials) pointed at `database`. */
export function databaseUrl(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}


/** Creates or updates the registry's own table (src/tenancy/migrations). */
export function migrateRegistry(registryUrl: string): Promise<string[]> {
  return withMigrationConnection('pg', registryUrl, (connection) => migrate(connection, path.join(projectRoot, 'src', 'tenancy', 'migrations')));
}

export async function registeredDatabases(registryUrl: string): Promise<string[]> {
  const rows = await withPgClient(registryUrl, async (client) => (await client.query<{ database: string }>('SELECT database FROM tenants ORDER BY slug')).rows);
  return rows.map((row) => row.database);
}

/**
 * A new tenant: its database on the cluster of every subgraph with a database per tenant,
 * created (if missing), migrated and granted there, then registered. Returns the migrations applied.
 */
export async function addTenant(
  topology: Topology,
  subgraphs: readonly Pick<Subgraph, 'name' | 'tenancy' | 'migrations' | 'grants'>[],
  slug: string,
  options: { poolSize?: number } = {},
): Promise<string[]> {
  if (!tenantSlugPattern.test(slug)) throw new Error(`tenant slug must match ${tenantSlugPattern}`);
  const database = `tenant_${slug}`;
  const applied: string[] = [];
  for (const subgraph of subgraphs.filter((candidate) => candidate.tenancy === 'database-per-tenant')) {
    const repo = repoConfig(topology, subgraph.name);
    await withPgClient(databaseUrl(repo.url, 'postgres'), async (client) => {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    });
    applied.push(...(await migrateAndGrant(subgraph, repo.driver, databaseUrl(repo.url, database), repo.roles)));
  }
  await registerTenant(topology.tenancy.registryUrl, { slug, database, poolSize: options.poolSize });
  return applied;
}

export async function setTenantStatus(topology: Topology, slug: string, status: Tenant['status']): Promise<void> {
  const updated = await withPgClient(topology.tenancy.registryUrl, (client) =>
    client.query('UPDATE tenants SET status = $2 WHERE slug = $1', [slug, status]),
  );
  if (updated.rowCount === 0) throw new Error(`no tenant "${slug}"`);
}
