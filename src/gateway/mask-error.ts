/**
 * What a client may learn from an error. Errors with a Repogate code pass (message and code
 * only); GraphQL's own parse and validation errors pass; anything with a non-GraphQL cause
 * (a driver error, a bug) becomes "Unexpected error." with INTERNAL_SERVER_ERROR, and the cause
 * is logged, never sent: no SQL text, SQLSTATE or stack reaches the client.
 */
import { createGraphQLError } from '@graphql-tools/utils';
import { GraphQLError } from 'graphql';
import { publicErrorCodes } from '../errors.js';


/** True when somewhere down the originalError chain sits an error that is not a GraphQLError. */
function hasInternalCause(error: GraphQLError): boolean {
  let cause: unknown = error.originalError;
  while (cause) {
    if (!(cause instanceof GraphQLError)) return true;
    cause = cause.originalError;
  }
  return false;
}

/**
 * A malformed scalar (`from: "yesterday"`) fails validation, or coercion in a subgraph, with
 * no code. The client's input is at fault, so it gets BAD_USER_INPUT and, where the message
 * names it, the argument.
 */
const badValue = /^(Expected value of type|Argument "[^"]+" has invalid value|Variable "[^"]+" got invalid value)|cannot represent/;
/** GraphQL Armor's refusals (depth, aliases, directives, cost, tokens) carry no code either. */
const overLimit = /^Syntax Error: (Query depth limit|Aliases limit|Directives limit|Query Cost limit|Token limit) of/;

export function withClientErrorCode(error: GraphQLError): GraphQLError {
  // yoga marks the token limit (hit while parsing) GRAPHQL_PARSE_FAILED: it is a limit, say so.
  const retag = error.extensions?.code === 'GRAPHQL_PARSE_FAILED' && overLimit.test(error.message);
  if (error.extensions?.code && !retag) return error;
  const code = overLimit.test(error.message) ? 'OPERATION_LIMIT_EXCEEDED' : badValue.test(error.message) ? 'BAD_USER_INPUT' : undefined;
  if (!code) return error;
  const argumentName = code === 'BAD_USER_INPUT' ? /(?:Argument|Variable) "\$?([^"]+)"/.exec(error.message)?.[1] : undefined;
  return createGraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code, ...(argumentName && { argumentName }) },
  });
}

export function maskError(error: unknown, log: (error: unknown) => void = console.error): Error {
  if (error instanceof GraphQLError) {
    error = withClientErrorCode(error);
  }
  if (error instanceof GraphQLError) {
    const code = error.extensions?.code;
    if (typeof code === 'string' && publicErrorCodes.has(code)) {
      const { argumentName, repo, http } = error.extensions as { argumentName?: string; repo?: string; http?: unknown };
      return createGraphQLError(error.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        extensions: { code, ...(argumentName && { argumentName }), ...(repo && { repo }), ...(http ? { http } : {}) },
      });
    }
    if (!hasInternalCause(error)) return error;
  }
  log(error);
  return createGraphQLError('Unexpected error.', {
    path: error instanceof GraphQLError ? error.path : undefined,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
}
