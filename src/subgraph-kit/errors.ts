/**
 * The errors a subgraph throws for its clients, each with a stable `extensions.code`. Anything
 * else a resolver throws is masked by the gateway as "Unexpected error." and logged.
 */
export { BadUserInputError, ForbiddenError, LiveGapError, NotFoundError } from '../errors.js';
