/** `npm run migrate` over a topology: a loop over its subgraphs' descriptors. */
import { repoConfig, type Topology } from './config.js';
import { migrateAndGrant, type MigratedSubgraph } from './migrations.js';
import type { Subgraph } from './subgraph-kit/subgraph.js';
import { databaseUrl, migrateRegistry, registeredDatabases } from './tenancy/tenant-admin.js';

/**
 * `npm run migrate`: the tenant registry, then every subgraph's repo: each registered tenant's
 * database where there is one per tenant, else the repo's own. Reports each as it goes.
 */
export async function migrateTopology(
  topology: Topology,
  subgraphs: readonly (MigratedSubgraph & Pick<Subgraph, 'tenancy'>)[],
  report: (where: string, applied: string[]) => void,
): Promise<void> {
  report('tenant registry', await migrateRegistry(topology.tenancy.registryUrl));
  const tenantDatabases = await registeredDatabases(topology.tenancy.registryUrl);
  for (const subgraph of subgraphs) {
    const repo = repoConfig(topology, subgraph.name);
    const targets: [string, string][] =
      subgraph.tenancy === 'database-per-tenant'
        ? tenantDatabases.map((database) => [`${subgraph.name}/${database}`, databaseUrl(repo.url, database)])
        : [[subgraph.name, repo.url]];
    for (const [where, url] of targets) report(where, await migrateAndGrant(subgraph, repo.driver, url, repo.roles));
  }
}
