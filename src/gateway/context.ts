/**
 * The per-request context: who calls (principal, tenant, session) and, under each subgraph's
 * name, what its descriptor makes of the request (a routed, counting view of its repo, fresh
 * DataLoaders). One loop over the configured subgraphs; nothing here is shared between requests,
 * so no cache carries rows from one request (or tenant) into another.
 */
import type { Principal } from '../auth/tokens.js';
import { clientClasses, ConfigError, type ClientClass, type RepoName } from '../config.js';
import type { RepoRegistry } from '../repo/registry.js';
import type { RepoUsage } from '../repo/repo.js';
import { RequestRepo, type RequestSession } from '../repo/request-repo.js';
import type { RequestScope } from '../subgraph-kit/context.js';
import type { LiveFeed } from '../subgraph-kit/live.js';
import { batchingWithin } from '../subgraph-kit/loaders.js';
import type { FactName } from '../subgraph-kit/request-facts.js';
import { hiddenFieldsOf, type AnySubgraph, type Facts } from '../subgraph-kit/subgraph.js';
import type { Tenant } from '../tenancy/tenant-directory.js';
import { addUsage } from './remote-subgraph.js';

export interface GatewayContext extends RequestScope {
  principal: Principal;
  session: RequestSession;
  /** Round trips, time and write positions per repo for this request: `extensions.repos`. */
  repoUsage(): Record<RepoName, RepoUsage>;
  /** Adds what a remote subgraph's service reports (its answer's `extensions.repos`) to `repoUsage()`. */
  addRemoteUsage(reported: unknown): void;
  /** Each subgraph's own context, under its name. */
  [subgraph: string]: unknown;
}

export interface RequestContextInput {
  principal: Principal;
  tenant: Tenant;
  session: RequestSession;
}

/** Who provides each fact; a fact some subgraph requires and none provides stops start-up. */
function factProviders(subgraphs: readonly AnySubgraph[]): Map<FactName, AnySubgraph> {
  const providers = new Map<FactName, AnySubgraph>();
  for (const subgraph of subgraphs) {
    for (const fact of Object.keys(subgraph.provides ?? {}) as FactName[]) {
      const other = providers.get(fact);
      if (other) throw new ConfigError(`subgraphs ${other.name} and ${subgraph.name} both provide the request fact "${fact}"`);
      providers.set(fact, subgraph);
    }
  }
  for (const subgraph of subgraphs) {
    for (const fact of subgraph.requires ?? []) {
      if (!providers.has(fact)) throw new ConfigError(`subgraph ${subgraph.name} requires the request fact "${fact}", which no configured subgraph provides`);
    }
  }
  return providers;
}

/**
 * The subgraphs providing the facts `subgraph` requires or uses, among `subgraphs`. Only one
 * level: a provider's own needs are not hosted (main's `archive` is not needed for customer codes).
 */
export function factProvidersOf(subgraph: AnySubgraph, subgraphs: readonly AnySubgraph[]): AnySubgraph[] {
  const needed = new Set([...(subgraph.requires ?? []), ...(subgraph.uses ?? [])]);
  return subgraphs.filter((other) => other !== subgraph && Object.keys(other.provides ?? {}).some((fact) => needed.has(fact as never)));
}

/**
 * What a gateway process runs itself: the subgraphs that are not `remote`, and the providers of
 * the facts they need (a remote main still answers a local legacy's customer codes here, on
 * main's repo, as a subgraph service hosts them). Only these get a request context and pools.
 */
export function hostedSubgraphs(subgraphs: readonly AnySubgraph[], remote: ReadonlySet<RepoName>): AnySubgraph[] {
  const local = subgraphs.filter((subgraph) => !remote.has(subgraph.name));
  const providers = new Set(local.flatMap((subgraph) => factProvidersOf(subgraph, subgraphs)));
  return subgraphs.filter((subgraph) => local.includes(subgraph) || providers.has(subgraph));
}

/** Builds request contexts over `subgraphs`; what can be decided once (visibility, fact wiring) is. */
export function requestContexts(
  registry: RepoRegistry,
  subgraphs: readonly AnySubgraph[],
  /** Subgraphs reached over HTTP: no context here, but a place in `repoUsage()` (their services' figures). */
  remote: readonly RepoName[] = [],
): (input: RequestContextInput) => GatewayContext {
  const providers = factProviders(subgraphs);
  const visibility = Object.fromEntries(
    clientClasses.map((clientClass) => {
      const hidden = hiddenFieldsOf(subgraphs, clientClass);
      return [clientClass, (coordinate: string) => !hidden.has(coordinate)];
    }),
  ) as Record<ClientClass, (coordinate: string) => boolean>;
  const settings = registry.topology as unknown as Record<string, unknown>;

  return ({ principal, tenant, session }) => {
    const { clientClass } = principal;
    const repos = new Map<RepoName, RequestRepo>();
    const remoteUsage = new Map<RepoName, RepoUsage>();
    const context = {
      principal,
      session,
      tenant: tenant.slug,
      repoUsage: () => {
        if (remote.length === 0 && remoteUsage.size === 0) return Object.fromEntries([...repos].map(([name, repo]) => [name, rounded(repo.usage)]));
        const sums = new Map<RepoName, RepoUsage>(remote.map((name) => [name, { roundTrips: 0, ms: 0 }]));
        for (const [name, repo] of repos) addUsage(sums, { [name]: repo.usage });
        addUsage(sums, Object.fromEntries(remoteUsage));
        return Object.fromEntries([...sums].map(([name, usage]) => [name, rounded(usage)]));
      },
      addRemoteUsage: (reported: unknown) => addUsage(remoteUsage, reported),
    } as GatewayContext;
    const known = new Map<FactName, Promise<unknown>>();
    const fact = (name: FactName) => () => {
      const provider = providers.get(name)!;
      const provide = provider.provides![name]!;
      if (!known.has(name)) known.set(name, provide(context[provider.name]));
      return known.get(name)!;
    };
    for (const subgraph of subgraphs) {
      const perTenant = subgraph.tenancy === 'database-per-tenant' && { database: tenant.database, poolCap: tenant.poolSize ?? undefined };
      const repo = new RequestRepo(registry, subgraph.name, { clientClass, ...perTenant }, session);
      repos.set(subgraph.name, repo);
      const facts = Object.fromEntries([
        ...(subgraph.uses ?? []).map((name) => [name, providers.has(name) ? fact(name) : () => Promise.resolve(null)]),
        ...(subgraph.requires ?? []).map((name) => [name, fact(name)]),
      ]) as Facts;
      context[subgraph.name] = subgraph.createContext({
        repo,
        tenant: tenant.slug,
        clientClass,
        canSee: visibility[clientClass],
        facts,
        settings: settings[subgraph.name],
      });
    }
    return context;
  };
}

function rounded(usage: RepoUsage): RepoUsage {
  return { ...usage, ms: Math.round(usage.ms * 100) / 100 };
}

/**
 * How long the subscriptions' scopes collect loads (and live). It adds as much to an event's
 * delivery per level; under load it lets the notices of several bursts meet in one statement
 * per repo and level (2 ms: more statements, and a busier database delayed delivery more than
 * the window saved, bench:live).
 */
export const LIVE_BATCH_WINDOW_MS = 10;

/**
 * Contexts of subscriptions. A subscription lives long and is executed once per event; were its
 * subgraph scopes its own, every subscriber would run its own statements for the same event,
 * and its loaders would cache rows for as long as it lives. Here a subscription's subgraph
 * scopes are looked up on each access: all subscriptions of one tenant and class share one set
 * of fresh scopes (loaders) per batching window, so the events a burst hands to a thousand
 * subscribers are loaded together, one statement per repo and level, and nothing a loader
 * caches outlives a couple of windows.
 *
 * yoga hands resolvers a copy of the context it was given (the getters read once), so the
 * subscription executor (live/shared-subscriptions.ts) runs on a context it makes itself with
 * `liveContext`, for its own feed.
 */
export interface LiveContext extends GatewayContext {
  live: LiveFeed;
  /** A context like this one (same caller) whose scopes are looked up on each access, over `live`. */
  liveContext(live: LiveFeed): LiveContext;
}

export function liveContexts(
  build: (input: RequestContextInput) => GatewayContext,
  subgraphs: readonly AnySubgraph[],
): (input: RequestContextInput, live: LiveFeed) => LiveContext {
  let shared: Map<string, GatewayContext> | undefined;
  const scopesFor = (input: RequestContextInput): GatewayContext => {
    if (!shared) {
      shared = new Map();
      // Loads made in the window's last moments still batch in these loaders, a window later.
      setTimeout(() => (shared = undefined), 2 * LIVE_BATCH_WINDOW_MS).unref();
    }
    const key = `${input.tenant.slug}\u0000${input.principal.clientClass}`;
    let context = shared.get(key);
    if (!context) {
      const session = { mode: 'query', minLsn: {} } as const;
      shared.set(key, (context = batchingWithin(LIVE_BATCH_WINDOW_MS, () => build({ ...input, session }))));
    }
    return context;
  };
  const liveContext = (input: RequestContextInput, live: LiveFeed): LiveContext => {
    const context = {
      principal: input.principal,
      session: input.session,
      tenant: input.tenant.slug,
      live,
      repoUsage: () => ({}),
      addRemoteUsage: () => {},
      liveContext: (other: LiveFeed) => liveContext(input, other),
    } as LiveContext;
    for (const subgraph of subgraphs) {
      Object.defineProperty(context, subgraph.name, { enumerable: true, get: () => scopesFor(input)[subgraph.name] });
    }
    return context;
  };
  return liveContext;
}
