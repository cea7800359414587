import { useReadinessCheck, type Plugin } from 'graphql-yoga';
import type { RepoRegistry } from '../repo/registry.js';
import type { RemoteSubgraph } from './remote-subgraph.js';

/**
 * GET /ready: 200 when every repo's primary answers a ping, else 503; the body gives each
 * primary's and replica's state (up, down, lagging) so an operator sees which one is wrong.
 * (/health, yoga's own, only says the process is up.) yoga's useReadinessCheck sends the
 * Response `check` returns as it is, so the body is ours.
 */
export function useReadiness(
  registry: RepoRegistry,
  isDraining: () => boolean = () => false,
  endpoint = '/ready',
  /** Subgraphs reached over HTTP: each is `{ service: up | down }`, by its service's own /ready. */
  remote: readonly Pick<RemoteSubgraph, 'name' | 'ready'>[] = [],
): Plugin {
  const json = (Response: typeof globalThis.Response, body: object, status: number) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  return useReadinessCheck({
    endpoint,
    async check({ fetchAPI }) {
      // Shutting down: tell the load balancer to send new work elsewhere.
      if (isDraining()) return json(fetchAPI.Response, { status: 'draining' }, 503);
      const [local, services] = await Promise.all([registry.readiness(), Promise.all(remote.map(async ({ name, ready }) => [name, { service: await ready() }] as const))]);
      const repos = { ...local, ...Object.fromEntries(services) };
      // A repo is down when its primary (or its service) is; a replica that is down or lagging is only reported.
      const down = Object.entries(repos).filter(([, state]) => ('primary' in state ? state.primary : state.service) === 'down').map(([name]) => name);
      const body = { status: down.length === 0 ? 'ready' : 'unavailable', repos, ...(down.length > 0 && { down }) };
      return json(fetchAPI.Response, body, down.length === 0 ? 200 : 503);
    },
  });
}
