import type { Plugin } from 'graphql-yoga';
import type { RepoRegistry } from '../repo/registry.js';

/**
 * GET /ready: 200 when every repo answers a ping, else 503; the body names each repo's state
 * so an operator sees which one is down. (/health, yoga's own, only says the process is up.)
 */
export function useReadiness(registry: RepoRegistry, endpoint = '/ready'): Plugin {
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint) return;
      const repos = await registry.readiness();
      const down = Object.entries(repos).filter(([, state]) => state === 'down').map(([name]) => name);
      const body = { status: down.length === 0 ? 'ready' : 'unavailable', repos, ...(down.length > 0 && { down }) };
      endResponse(
        new fetchAPI.Response(JSON.stringify(body), {
          status: down.length === 0 ? 200 : 503,
          headers: { 'content-type': 'application/json' },
        }),
      );
    },
  };
}
