import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from './context.js';

export const DEBUG_HEADER = 'x-repogate-debug';

/**
 * With debugging on, a request sending `x-repogate-debug: 1` gets
 * `extensions.repos = { <repo>: { roundTrips, ms } }`: what the request cost each database.
 */
export function useRepoUsage({ enabled }: { enabled: boolean }): Plugin<GatewayContext & { request: Request }> {
  return {
    onExecute({ args }) {
      const context = args.contextValue;
      if (!enabled || context.request?.headers.get(DEBUG_HEADER) !== '1') return;
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, repos: context.repoUsage() } });
        },
      };
    },
  };
}
