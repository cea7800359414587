import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from './context.js';

export const DEBUG_HEADER = 'x-repogate-debug';

/**
 * With debugging on, a request sending `x-repogate-debug: 1` gets
 * `extensions.repos = { <repo>: { roundTrips, ms } }`: what the request cost each database.
 * An incremental response (@defer, @stream) carries it in its last payload (`hasNext: false`),
 * sent once every deferred part has run: the cost of the whole operation, not of the first part.
 */
export function useRepoUsage({ enabled }: { enabled: boolean }): Plugin<GatewayContext & { request: Request }> {
  return {
    onExecute({ args }) {
      const context = args.contextValue;
      if (!enabled || context.request?.headers.get(DEBUG_HEADER) !== '1') return;
      return {
        onExecuteDone({ result, setResult }) {
          if (!(Symbol.asyncIterator in result)) {
            setResult({ ...result, extensions: { ...result.extensions, repos: context.repoUsage() } });
            return;
          }
          return {
            onNext({ result: payload, setResult: setPayload }) {
              if (!('hasNext' in payload) || payload.hasNext) return;
              setPayload({ ...payload, extensions: { ...payload.extensions, repos: context.repoUsage() } });
            },
          };
        },
      };
    },
  };
}
