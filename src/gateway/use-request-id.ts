import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../observability/logger.js';
import type { AuthContext } from './use-auth.js';

/** What useRequestId publishes in the context: log lines of the request carry it. */
export interface RequestIdContext {
  requestId?: string;
}

interface Served {
  id: string;
  started: number;
  /** Copied from the context once auth has published it, for the access line. */
  caller?: { clientClass: string; tenant: string; sub: string };
}

const wellFormed = /^[\w.:-]{1,128}$/;

/**
 * Every request gets an id: the caller's `x-request-id` if well formed, else a new UUID. It is
 * published in the context, sent back as `x-request-id`, carried by every log line of the
 * request, and one access line is logged per request.
 */
export function useRequestId(logger: Logger): Plugin<RequestIdContext & AuthContext> {
  const served = new WeakMap<Request, Served>();
  return {
    onRequest({ request }) {
      const given = request.headers.get('x-request-id');
      served.set(request, { id: given && wellFormed.test(given) ? given : randomUUID(), started: performance.now() });
    },
    onEnveloped({ context, extendContext }) {
      const entry = context?.request && served.get(context.request);
      if (entry) extendContext({ requestId: entry.id });
    },
    // Parsing comes after every plugin's onEnveloped, so auth has published the caller by now.
    onParse({ context }) {
      const entry = served.get(context.request);
      const { principal } = context;
      if (entry && principal) entry.caller = { clientClass: principal.clientClass, tenant: principal.tenant, sub: principal.subject };
    },
    onResponse({ request, response }) {
      const entry = served.get(request);
      if (!entry) return;
      response.headers.set('x-request-id', entry.id);
      logger.info(
        {
          requestId: entry.id,
          method: request.method,
          path: new URL(request.url).pathname,
          status: response.status,
          ms: Math.round((performance.now() - entry.started) * 10) / 10,
          ...(entry.caller && { clientClass: entry.caller.clientClass, tenant: entry.caller.tenant, sub: entry.caller.sub }),
        },
        'request',
      );
    },
  };
}
