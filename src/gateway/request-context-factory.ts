/**
 * yoga's `context` for the gateway and for a subgraph service alike: the verified caller, its
 * tenant (from the registry) and its session (query or mutation, the client's read-your-writes
 * position), handed to `build`; an unexpected fault on the way is logged with the request's id
 * before yoga masks it.
 */
import type { RepoRegistry } from '../repo/registry.js';
import type { TenantDirectory } from '../tenancy/tenant-directory.js';
import type { RequestContextInput } from './context.js';
import { isUnexpected } from './mask-error.js';
import { principalOf, type AuthContext } from './use-auth.js';
import type { RequestIdContext } from './use-request-id.js';
import { LSN_HEADER, parseLsnHeader, type OperationTypeContext } from './use-request-session.js';
import type { UnexpectedErrorLog } from './use-unexpected-error-log.js';

/** What yoga and the plugins before it have put in the context when it is built. */
export type InitialContext = AuthContext & RequestIdContext & OperationTypeContext & { request: Request };

export function requestContextFactory<C>(
  tenants: TenantDirectory,
  registry: RepoRegistry,
  unexpected: UnexpectedErrorLog,
  build: (input: RequestContextInput, initial: InitialContext) => C,
): (initial: InitialContext) => Promise<C> {
  return async (initial) => {
    try {
      const principal = principalOf(initial);
      const tenant = await tenants.resolve(principal.tenant);
      const mode = initial.operationType === 'mutation' ? 'mutation' : 'query';
      const minLsn = parseLsnHeader(initial.request.headers.get(LSN_HEADER), registry.repoNames);
      return build({ principal, tenant, session: { mode, minLsn } }, initial);
    } catch (error) {
      if (isUnexpected(error)) unexpected.log(error, initial.requestId);
      throw error;
    }
  };
}
