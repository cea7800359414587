/**
 * Everything one gateway process holds, built from a topology: the pools (registry), the tenant
 * directory, the token verifier and the yoga handler. Pure construction; serve-gateway.ts listens, tests
 * call `gateway.fetch` directly.
 */
import { createTokenVerifier, type TokenVerifier } from '../auth/tokens.js';
import type { Topology } from '../config.js';
import { RepoRegistry } from '../repo/registry.js';
import { TenantDirectory } from '../tenancy/tenant-directory.js';
import { createMetrics, type RepogateMetrics } from '../observability/metrics.js';
import { createLogger } from '../observability/logger.js';
import { LiveFeeds } from '../live/live-feeds.js';
import { buildClassSchemas } from './class-schemas.js';
import { describeGrantGaps, findGrantExposures, findGrantGaps } from './check-grants.js';
import { subgraphsFor } from '../subgraphs.js';
import { buildGatewaySchema } from './stitch.js';
import { hostedSubgraphs } from './context.js';
import { RemoteSubgraph } from './remote-subgraph.js';
import { ForeignSubgraphs } from './foreign-subgraphs.js';
import type { GraphQLSchema } from 'graphql';
import { createGateway, type Gateway, type GatewayOptions } from './yoga.js';

export interface Repogate {
  gateway: Gateway;
  /** Refuses (throws, listing them) when a class's role lacks GRANTs its schema needs. */
  checkGrants(): Promise<void>;
  registry: RepoRegistry;
  tenants: TenantDirectory;
  metrics: RepogateMetrics;
  /** Verifies a bearer token as every request's is (the WebSocket transport's connection_init uses it). */
  verifyToken: TokenVerifier;
  /** LISTEN connections and open subscriptions; undefined when no subgraph has live channels. */
  live: LiveFeeds | undefined;
  /**
   * Composes the topology's foreign subgraphs in (foreign-subgraphs.ts) before serving: rejects
   * with a ConfigError naming a subgraph that does not compose or a supergraph that cannot be
   * read; one that does not answer joins later by itself.
   */
  joinForeignSubgraphs(): Promise<void>;
  /** Ends every subscription cleanly (the first step of a drain: their streams would never finish). */
  endSubscriptions(): Promise<void>;
  close(): Promise<void>;
}

export function createRepogate(
  topology: Topology,
  options: Omit<GatewayOptions, 'registry' | 'tenants' | 'verifyToken'> = {},
): Repogate {
  const subgraphs = options.subgraphs ?? subgraphsFor(topology);
  const remotes = subgraphs.flatMap(({ name }) => {
    const service = topology.repos[name]?.service;
    return service ? [new RemoteSubgraph({ name, ...service, classes: topology.classes, breaker: topology.gateway.breaker })] : [];
  });
  const remote = new Set(remotes.map((subgraph) => subgraph.name));
  const hosted = hostedSubgraphs(subgraphs, remote);
  const hostedNames = new Set(hosted.map((subgraph) => subgraph.name));
  // Pools, breakers and replica monitors for the repos this process runs; a remote one's service has its own.
  const registry = new RepoRegistry({ ...topology, repos: Object.fromEntries(Object.entries(topology.repos).filter(([name]) => !remote.has(name) || hostedNames.has(name))) });
  // Reported with the repos' own (metrics); a remote main hosted for its facts keeps its pools' breaker under its name.
  for (const subgraph of remotes) if (!registry.breakers.has(subgraph.name)) registry.addBreaker(subgraph.breaker);
  const registryHost = subgraphs.find((subgraph) => subgraph.tenancy === 'database-per-tenant')?.name;
  const tenants = new TenantDirectory(topology.tenancy.registryUrl, { ...topology.tenancy, hostRepo: registryHost });
  const metrics = createMetrics(registry);
  const executors = Object.fromEntries(remotes.map((subgraph) => [subgraph.name, subgraph.executor]));
  const logger = options.logger ?? createLogger();
  const foreign = new ForeignSubgraphs(topology, subgraphs, logger, () => rebuildSchemas());
  const classSchemas = () => {
    // Classes that see the same foreign subgraphs share one stitched schema.
    const stitched = new Map<string, GraphQLSchema>();
    return buildClassSchemas((c) => {
      const key = foreign.visibleTo(c);
      if (!stitched.has(key)) stitched.set(key, buildGatewaySchema(subgraphs, executors, foreign.subschemasFor(c)));
      return stitched.get(key)!;
    }, subgraphs);
  };
  // Held by reference (useAuth picks the request's class's): a foreign subgraph joining swaps them in place.
  const schemas = options.schemas ?? classSchemas();
  const rebuildSchemas = () => {
    Object.assign(schemas, classSchemas());
    for (const subgraph of foreign.remotes) if (!registry.breakers.has(subgraph.name)) registry.addBreaker(subgraph.breaker);
  };
  const verifyToken = createTokenVerifier(topology.auth);
  // Live channels of in-process subgraphs only: a remote subgraph's subscriptions are not served (yet).
  const local = subgraphs.filter((subgraph) => !remote.has(subgraph.name));
  const live = local.some((subgraph) => subgraph.channels?.length) ? new LiveFeeds(topology, local, logger) : undefined;
  live?.start();
  const gateway = createGateway({
    settings: topology.gateway,
    ...options,
    logger,
    subgraphs,
    remote: remotes,
    classes: topology.classes,
    schemas,
    registry,
    metrics,
    tenants,
    live,
    verifyToken,
  });
  return {
    gateway,
    async checkGrants() {
      const databases = await tenants.activeDatabases();
      // One after the other: each opens a pool per tenant, class and repo.
      // The repos this process holds (check-grants.ts skips the others): a remote subgraph's roles are its service's.
      const gaps = await findGrantGaps(registry, subgraphs, schemas, databases);
      const exposures = await findGrantExposures(registry, subgraphs, databases);
      if (gaps.length + exposures.length > 0) throw new Error(describeGrantGaps(gaps, exposures));
    },
    registry,
    tenants,
    metrics,
    verifyToken,
    live,
    async joinForeignSubgraphs() {
      if (!foreign.configured) return;
      await foreign.join();
      rebuildSchemas();
    },
    endSubscriptions: async () => live?.close(),
    async close() {
      foreign.close();
      for (const subgraph of remotes) subgraph.close();
      await Promise.all([live?.close(), registry.close(), tenants.close()]);
    },
  };
}
