/** What a subgraph's resolvers find in the request context. */
import type { Repo } from '../repo/repo.js';
import type { LiveFeed } from './live.js';

/** Under the subgraph's own name: its repo view and its per-request loaders. */
export interface SubgraphScope<Loaders> {
  repo: Repo;
  loaders: Loaders;
}

/** At the top of every request context. */
export interface RequestScope {
  /** The tenant the request acts for (from its token). */
  tenant: string;
  /** In a subscription: the notices of the repos' channels (subgraph-kit/live.ts). */
  live?: LiveFeed;
  /**
   * Set when the entity keys of the request come from outside the process (a subgraph service:
   * whoever holds a valid token may send any key). A subgraph whose repo knows no tenants
   * (`shared-via-entities`) then answers only the tenant's keys; in-process the gateway hands it
   * only keys it read from the tenant's own subgraphs.
   */
  entityKeysFromCaller?: true;
}
