/**
 * W3C trace context across process boundaries, through the registered propagator (no-op while
 * tracing is off): in from a caller's `traceparent`/`tracestate`, out to whatever Repogate calls.
 */
import { context, propagation, ROOT_CONTEXT, type Context, type TextMapGetter } from '@opentelemetry/api';

const fetchHeaders: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/** The caller's trace (when its headers carry one) as the parent context of a request. */
export function contextFromHeaders(headers: Headers): Context {
  return propagation.extract(ROOT_CONTEXT, headers, fetchHeaders);
}

/**
 * `headers` plus `traceparent` (and `tracestate`, `baggage`) of the active span: for outgoing
 * requests, so a remote subgraph's spans join the caller's trace. An HTTP executor passes it as
 * its headers function, e.g. `buildHTTPExecutor({ endpoint, headers: () => traceHeaders() })`.
 */
export function traceHeaders(headers: Record<string, string> = {}): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}
