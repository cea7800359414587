import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../observability/logger.js';
import { isUnexpected } from './mask-error.js';
import type { RequestIdContext } from './use-request-id.js';

export interface UnexpectedErrorLog {
  /** Logs an error's cause once, with the request's id when known. */
  log(error: unknown, requestId?: string): void;
  /** Logs the unexpected errors of each execution result, before masking replaces them. */
  plugin: Plugin<RequestIdContext>;
}

/**
 * The cause of an error the client sees only as "Unexpected error." is logged with the request's
 * id, never sent. Execution results are read here, where the context (and so the id) is at hand;
 * masking (yoga's, after every user plugin) then logs only what never passed through here, such
 * as a failure before execution, without an id.
 */
export function unexpectedErrorLog(logger: Logger): UnexpectedErrorLog {
  const logged = new WeakSet<object>();
  const log = (error: unknown, requestId?: string) => {
    if (typeof error === 'object' && error !== null) {
      if (logged.has(error)) return;
      logged.add(error);
    }
    logger.error({ err: error, requestId }, 'unexpected error');
  };
  return {
    log,
    plugin: {
      onExecute({ args }) {
        return {
          onExecuteDone({ result }) {
            if (Symbol.asyncIterator in result) return;
            for (const error of result.errors ?? []) if (isUnexpected(error)) log(error, args.contextValue.requestId);
          },
        };
      },
    },
  };
}
