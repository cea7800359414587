import { getOperationAST, type OperationTypeNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { RepoName } from '../config.js';
import { parseLsn } from '../repo/lsn.js';
import type { RequestSession } from '../repo/request-repo.js';
import type { GatewayContext } from './context.js';

/** Read-your-writes token: `main=0/3000148` pairs, comma-separated, as a mutation's response sent them. */
export const LSN_HEADER = 'x-repogate-lsn';

export function parseLsnHeader(value: string | null, repoNames: readonly RepoName[]): RequestSession['minLsn'] {
  const minLsn: RequestSession['minLsn'] = {};
  for (const pair of (value ?? '').split(',')) {
    const [repo, lsn] = pair.trim().split('=');
    if (!repo || !lsn || !repoNames.includes(repo)) continue;
    try {
      minLsn[repo as RepoName] = parseLsn(lsn);
    } catch {
      // A malformed position is ignored: the request is then served like any other.
    }
  }
  return minLsn;
}

/** What useRequestSession publishes once the document is parsed: the session is built from it. */
export interface OperationTypeContext {
  operationType?: OperationTypeNode;
}

/**
 * Publishes the operation's type when the document is parsed, so the request's session is made
 * knowing whether it is a mutation (which reads and writes on the primary only), and hands the
 * client the primary's WAL position after its writes: a response header, and
 * extensions.repos.<repo>.lsn.
 */
export function useRequestSession(): Plugin<GatewayContext & OperationTypeContext & { request: Request; params?: { operationName?: string | null } }> {
  const positions = new WeakMap<Request, string>();
  return {
    onParse() {
      return ({ result, context, extendContext }) => {
        if (!result || result instanceof Error || !('kind' in result)) return;
        const operation = getOperationAST(result, context.params?.operationName ?? undefined);
        extendContext({ operationType: operation?.operation });
      };
    },
    onExecute({ args }) {
      const context = args.contextValue;
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const written = Object.entries(context.repoUsage()).filter(([, usage]) => usage.lsn);
          if (written.length === 0) return;
          positions.set(context.request, written.map(([repo, usage]) => `${repo}=${usage.lsn}`).join(','));
          const repos = { ...(result.extensions?.repos as object) };
          for (const [repo, usage] of written) {
            (repos as Record<string, object>)[repo] = { ...(repos as Record<string, object>)[repo], lsn: usage.lsn };
          }
          setResult({ ...result, extensions: { ...result.extensions, repos } });
        },
      };
    },
    onResponse({ request, response }) {
      const written = positions.get(request);
      if (written) response.headers.set(LSN_HEADER, written);
    },
  };
}
