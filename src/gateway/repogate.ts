/**
 * Everything one gateway process holds, built from a topology: the pools (registry), the tenant
 * directory, the token verifier and the yoga handler. Pure construction; main.ts listens, tests
 * call `gateway.fetch` directly.
 */
import { createTokenVerifier } from '../auth/tokens.js';
import type { Topology } from '../config.js';
import { RepoRegistry } from '../repo/registry.js';
import { TenantDirectory } from '../tenancy/tenant-directory.js';
import { createGateway, type Gateway, type GatewayOptions } from './yoga.js';

export interface Repogate {
  gateway: Gateway;
  registry: RepoRegistry;
  tenants: TenantDirectory;
  close(): Promise<void>;
}

export function createRepogate(
  topology: Topology,
  options: Omit<GatewayOptions, 'registry' | 'tenants' | 'verifyToken'> = {},
): Repogate {
  const registry = new RepoRegistry(topology);
  const tenants = new TenantDirectory(topology.tenancy.registryUrl, topology.tenancy.cacheMs);
  const gateway = createGateway({ ...options, registry, tenants, verifyToken: createTokenVerifier(topology.auth) });
  return {
    gateway,
    registry,
    tenants,
    async close() {
      await Promise.all([registry.close(), tenants.close()]);
    },
  };
}
