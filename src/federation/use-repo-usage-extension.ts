import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../gateway/context.js';

/**
 * Every response of a subgraph service carries `extensions.repos = { <repo>: { roundTrips, ms } }`,
 * asked for or not: its caller is a gateway that adds each service's figures to its own for the
 * client (the gateway decides whether the client sees them, by its debug setting). Only the repos
 * the service holds appear (its own, and those of the fact providers it hosts), as in the
 * gateway's `extensions.repos`; a mutation's `lsn` rides along (useRequestSession).
 */
export function useRepoUsageExtension(): Plugin<GatewayContext> {
  return {
    onExecute({ args }) {
      const context = args.contextValue;
      return {
        onExecuteDone({ result, setResult }) {
          // Subgraph services answer single results: federation gateways send no @defer or @stream.
          if (Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, repos: { ...(result.extensions?.repos as object), ...context.repoUsage() } } });
        },
      };
    },
  };
}
