/**
 * Hive Gateway (The Guild's federation gateway) in front of our subgraph services, from the
 * supergraph `npm run supergraph` writes: the "another federation gateway" of issue 12, shared by
 * test/hive-gateway.test.ts and the bench's server (bench/compare/servers/hive.ts) so both
 * measure the same setup. Dev only: Hive Gateway is a devDependency here; a deployment runs its
 * own (`hive-gateway supergraph supergraph.graphql`) with the same header rule.
 *
 * The one thing our services need from a gateway: the client's `Authorization`, forwarded. They
 * trust nothing else (README, "Subgraphs as services").
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway-runtime';

export interface HiveGatewayOptions {
  /** Hive Gateway plugins next to the header rule (the bench counts the services' statements with one). */
  plugins?: GatewayPlugin[];
  /**
   * Whether identical subgraph queries in flight at once (same service, headers and body: the
   * same token too) share one fetch; Hive Gateway's default is yes. The bench turns it off.
   */
  deduplicateInflightRequests?: boolean;
}

/**
 * Needs `@graphql-mesh/transport-http` installed next to the runtime: it loads its HTTP transport
 * by name at the first request (the `hive-gateway` CLI package bundles it; the runtime alone does not).
 */
export function createHiveGateway(supergraph: string, { plugins = [], deduplicateInflightRequests }: HiveGatewayOptions = {}) {
  return createGatewayRuntime({
    supergraph,
    ...(deduplicateInflightRequests !== undefined && { transportEntries: { '*.http': { options: { deduplicateInflightRequests } } } }),
    propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }) },
    plugins: () => plugins,
    logging: false,
    landingPage: false,
    graphiql: false,
  });
}

export interface ListeningHiveGateway {
  /** Its GraphQL endpoint. */
  url: string;
  close(): Promise<void>;
}

/** Serves Hive Gateway over `supergraph` on 127.0.0.1:`port` (0: any free port). */
export async function listenHiveGateway(supergraph: string, port = 0, options: HiveGatewayOptions = {}): Promise<ListeningHiveGateway> {
  const gateway = createHiveGateway(supergraph, options);
  const server = createServer(gateway);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.dispose();
    },
  };
}
