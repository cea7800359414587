/**
 * The per-request context: who calls (client class, tenant), and for every subgraph a routed,
 * counting view of its repo plus fresh DataLoaders. Nothing here is shared between requests,
 * so no cache carries rows from one request (or tenant) into another.
 */
import type { Principal } from '../auth/tokens.js';
import type { RepoName } from '../config.js';
import type { RepoRegistry } from '../repo/registry.js';
import type { RepoUsage } from '../repo/repo.js';
import { RequestRepo, type RequestSession } from '../repo/request-repo.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import type { LegacyContext } from '../../subgraphs/legacy/index.js';
import { legacySubgraph } from '../../subgraphs/legacy/index.js';
import type { MainContext } from '../../subgraphs/main/index.js';
import { mainSubgraph, tenantCustomerCodes } from '../../subgraphs/main/index.js';
import type { TelemetryContext } from '../../subgraphs/telemetry/index.js';
import { telemetrySubgraph } from '../../subgraphs/telemetry/index.js';
import { hiddenFields } from './class-schemas.js';

export type GatewayContext = MainContext &
  TelemetryContext &
  LegacyContext & {
    principal: Principal;
    session: RequestSession;
    /** Round trips, time and write positions per repo for this request: `extensions.repos`. */
    repoUsage(): Record<RepoName, RepoUsage>;
  };

export interface RequestContextOptions {
  registry: RepoRegistry;
  principal: Principal;
  tenant: Tenant;
  session: RequestSession;
}

export function createRequestContext({ registry, principal, tenant, session }: RequestContextOptions): GatewayContext {
  const route = { clientClass: principal.clientClass };
  const main = new RequestRepo(registry, 'main', { ...route, database: tenant.database, poolCap: tenant.poolSize ?? undefined }, session);
  const telemetry = new RequestRepo(registry, 'telemetry', route, session);
  const legacy = new RequestRepo(registry, 'legacy', route, session);
  const scope = { tenant: tenant.slug, hiddenFields: hiddenFields[principal.clientClass] };
  let customerCodes: Promise<ReadonlySet<string>> | undefined;
  return {
    principal,
    session,
    tenant: tenant.slug,
    main: { repo: main, loaders: mainSubgraph.createLoaders(main, scope) },
    telemetry: { repo: telemetry, loaders: telemetrySubgraph.createLoaders(telemetry, scope), windows: registry.topology.telemetry },
    legacy: {
      repo: legacy,
      loaders: legacySubgraph.createLoaders(legacy, scope),
      customerCodes: () => (customerCodes ??= tenantCustomerCodes(main)),
    },
    repoUsage: () => ({ main: rounded(main.usage), telemetry: rounded(telemetry.usage), legacy: rounded(legacy.usage) }),
  };
}

function rounded(usage: RepoUsage): RepoUsage {
  return { ...usage, ms: Math.round(usage.ms * 100) / 100 };
}
