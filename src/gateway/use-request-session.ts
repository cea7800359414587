import { getOperationAST } from 'graphql';
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

const contexts = new WeakMap<Request, GatewayContext>();

/**
 * Marks mutations (they read and write on the primary only), and hands the client the
 * primary's WAL position after its writes: a response header, and extensions.repos.<repo>.lsn.
 */
export function useRequestSession(): Plugin<GatewayContext & { request: Request }> {
  return {
    onExecute({ args }) {
      const context = args.contextValue;
      contexts.set(context.request, context);
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation === 'mutation') context.session.mode = 'mutation';
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const written = Object.entries(context.repoUsage()).filter(([, usage]) => usage.lsn);
          if (written.length === 0) return;
          const repos = { ...(result.extensions?.repos as object) };
          for (const [repo, usage] of written) {
            (repos as Record<string, object>)[repo] = { ...(repos as Record<string, object>)[repo], lsn: usage.lsn };
          }
          setResult({ ...result, extensions: { ...result.extensions, repos } });
        },
      };
    },
    onResponse({ request, response }) {
      const context = contexts.get(request);
      if (!context) return;
      const written = Object.entries(context.repoUsage()).filter(([, usage]) => usage.lsn);
      if (written.length > 0) response.headers.set(LSN_HEADER, written.map(([repo, usage]) => `${repo}=${usage.lsn}`).join(','));
    },
  };
}
