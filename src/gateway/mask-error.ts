/**
 * What a client may learn from an error. Errors with a Repogate code pass (message and code
 * only); GraphQL's own parse and validation errors pass; anything with a non-GraphQL cause
 * (a driver error, a bug) becomes "Unexpected error." with INTERNAL_SERVER_ERROR, and the cause
 * is logged, never sent: no SQL text, SQLSTATE or stack reaches the client.
 */
import { createGraphQLError } from '@graphql-tools/utils';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { publicErrorCodes } from '../errors.js';
import type { RequestIdContext } from './use-request-id.js';


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
export function withClientErrorCode(error: GraphQLError): GraphQLError {
  if (error.extensions?.code || !badValue.test(error.message)) return error;
  const argumentName = /(?:Argument|Variable) "\$?([^"]+)"/.exec(error.message)?.[1];
  return createGraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT', ...(argumentName && { argumentName }) },
  });
}

/** Whether maskError would hide `error` as "Unexpected error." (and its cause be logged). */
export function isUnexpected(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return true;
  const coded = withClientErrorCode(error);
  const code = coded.extensions?.code;
  return !(typeof code === 'string' && publicErrorCodes.has(code)) && hasInternalCause(coded);
}

export function maskError(error: unknown, log: (error: unknown) => void = console.error): Error {
  if (error instanceof GraphQLError) {
    error = withClientErrorCode(error);
  }
  if (error instanceof GraphQLError) {
    const code = error.extensions?.code;
    if (typeof code === 'string' && publicErrorCodes.has(code)) {
      const { argumentName, repo, limit, http, horizon, gap } = error.extensions as { argumentName?: string; repo?: string; limit?: unknown; http?: unknown; horizon?: string; gap?: unknown };
      return createGraphQLError(error.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        extensions: { code, ...(argumentName && { argumentName }), ...(repo && { repo }), ...(limit ? { limit } : {}), ...(http ? { http } : {}), ...(horizon && { horizon }), ...(gap ? { gap } : {}) },
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

/**
 * Masking for incremental responses (@defer, @stream). Yoga's masking maps the `errors` of each
 * payload but not those inside `incremental` (envelop's useMaskedErrors reads `result.errors`
 * only), and that is where a deferred fragment's or a streamed item's errors travel: without this
 * a driver message would reach the client. Both are masked here, and the cause of an unexpected
 * one is logged with the request's id (the unexpected-error log reads single results only).
 */
export function useIncrementalErrorMasking(log: (error: unknown, requestId?: string) => void): Plugin<RequestIdContext> {
  return {
    onExecute({ args }) {
      const mask = (error: unknown) => maskError(error, (cause) => log(cause, args.contextValue.requestId));
      return {
        onExecuteDone({ result }) {
          if (!(Symbol.asyncIterator in result)) return;
          return {
            onNext({ result: payload, setResult }) {
              const incremental = 'incremental' in payload ? payload.incremental : undefined;
              if (!payload.errors?.length && !incremental?.some((part) => part.errors?.length)) return;
              setResult({
                ...payload,
                ...(payload.errors && { errors: payload.errors.map(mask) }),
                ...(incremental && { incremental: incremental.map((part) => (part.errors ? { ...part, errors: part.errors.map(mask) } : part)) }),
              });
            },
          };
        },
      };
    },
  };
}
