import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../observability/logger.js';
import { principals } from './use-auth.js';

/** The request being served, for code that has no request at hand (error masking logs with its id). */
export const requestScope = new AsyncLocalStorage<{ requestId: string; request: Request }>();

const ids = new WeakMap<Request, { id: string; started: number }>();
const wellFormed = /^[\w.:-]{1,128}$/;

/**
 * Every request gets an id: the caller's `x-request-id` if well formed, else a new UUID. It is
 * sent back as `x-request-id`, carried by every log line of the request, and one access line is
 * logged per request.
 */
export function useRequestId(logger: Logger): Plugin {
  return {
    onRequest({ request }) {
      const given = request.headers.get('x-request-id');
      const id = given && wellFormed.test(given) ? given : randomUUID();
      ids.set(request, { id, started: performance.now() });
      requestScope.enterWith({ requestId: id, request });
    },
    onResponse({ request, response }) {
      const entry = ids.get(request);
      if (!entry) return;
      response.headers.set('x-request-id', entry.id);
      const principal = principals.get(request);
      logger.info(
        {
          requestId: entry.id,
          method: request.method,
          path: new URL(request.url).pathname,
          status: response.status,
          ms: Math.round((performance.now() - entry.started) * 10) / 10,
          ...(principal && { clientClass: principal.clientClass, tenant: principal.tenant, sub: principal.subject }),
        },
        'request',
      );
    },
  };
}
