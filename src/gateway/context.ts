/**
 * The per-request context: the request's tenant, and for every subgraph a counting view of its
 * repo plus fresh DataLoaders. Nothing here is shared between requests, so no cache leaks rows
 * from one request (or tenant) into another.
 */
import type { RepoName } from '../config.js';
import { CountingRepo } from '../repo/counting-repo.js';
import type { RepoRegistry } from '../repo/registry.js';
import type { RepoUsage } from '../repo/repo.js';
import type { LegacyContext } from '../../subgraphs/legacy/index.js';
import type { MainContext } from '../../subgraphs/main/index.js';
import type { TelemetryContext } from '../../subgraphs/telemetry/index.js';
import { legacySubgraph } from '../../subgraphs/legacy/index.js';
import { mainSubgraph } from '../../subgraphs/main/index.js';
import { telemetrySubgraph } from '../../subgraphs/telemetry/index.js';

export type GatewayContext = MainContext &
  TelemetryContext &
  LegacyContext & {
    /** Round trips and time per repo for this request: `extensions.repos`. */
    repoUsage(): Record<RepoName, RepoUsage>;
  };

export function createRequestContext(registry: RepoRegistry, tenant: string): GatewayContext {
  const main = new CountingRepo(registry.repos.main);
  const telemetry = new CountingRepo(registry.repos.telemetry);
  const legacy = new CountingRepo(registry.repos.legacy);
  return {
    tenant,
    main: { repo: main, loaders: mainSubgraph.createLoaders(main, tenant) },
    telemetry: { repo: telemetry, loaders: telemetrySubgraph.createLoaders(telemetry, tenant) },
    legacy: { repo: legacy, loaders: legacySubgraph.createLoaders(legacy, tenant) },
    repoUsage: () => ({
      main: roundedUsage(main.usage),
      telemetry: roundedUsage(telemetry.usage),
      legacy: roundedUsage(legacy.usage),
    }),
  };
}

function roundedUsage({ roundTrips, ms }: RepoUsage): RepoUsage {
  return { roundTrips, ms: Math.round(ms * 100) / 100 };
}
