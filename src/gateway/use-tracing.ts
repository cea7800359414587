/**
 * The outer two levels of the span tree (observability/tracing.ts): a server span per request to
 * the GraphQL endpoint, child of the caller's `traceparent`, and under it a `graphql.operation`
 * span (parse, validation, context, execution) that the subgraph and SQL spans hang from. Yoga's
 * instrumentation wraps each phase, so `context.with` makes the span active for everything the
 * phase starts, resolvers and DataLoader batches included. Probes and scrapes (/health, /ready,
 * /metrics) get no span: they would bury the traces that matter.
 */
import { context, createContextKey, trace, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { SubgraphSpans } from '../observability/subgraph-spans.js';
import { contextFromHeaders } from '../observability/trace-context.js';
import { tracer } from '../observability/tracing.js';

const requestSpanKey = createContextKey('repogate.request-span');
const operationSpanKey = createContextKey('repogate.operation-span');

const spanIn = (key: symbol) => context.active().getValue(key) as Span | undefined;

export function useTracing(): Plugin {
  let graphqlEndpoint = '/graphql';
  return {
    onYogaInit({ yoga }) {
      graphqlEndpoint = yoga.graphqlEndpoint;
    },
    instrumentation: {
      async request({ request }, wrapped) {
        const url = new URL(request.url);
        if (url.pathname.replace(/\/$/, '') !== graphqlEndpoint) return wrapped();
        const caller = contextFromHeaders(request.headers);
        const span = tracer().startSpan(
          `${request.method} ${graphqlEndpoint}`,
          {
            kind: SpanKind.SERVER,
            attributes: { 'http.request.method': request.method, 'http.route': graphqlEndpoint, 'url.path': url.pathname, 'url.scheme': url.protocol.slice(0, -1) },
          },
          caller,
        );
        try {
          await context.with(trace.setSpan(caller, span).setValue(requestSpanKey, span), wrapped);
        } finally {
          span.end();
        }
      },
      async operation(_payload, wrapped) {
        const span = tracer().startSpan('graphql.operation');
        const operation = trace.setSpan(context.active(), span).setValue(operationSpanKey, span);
        // Sampled out or tracing off: no subgraph bookkeeping; SQL spans fall back to plain children.
        const { context: active, spans } = span.isRecording() ? SubgraphSpans.within(operation) : { context: operation, spans: undefined };
        try {
          await context.with(active, wrapped);
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
          throw error;
        } finally {
          spans?.end();
          span.end();
        }
      },
    },
    onExecute({ args }) {
      const span = spanIn(operationSpanKey);
      if (!span?.isRecording()) return;
      const operation = getOperationAST(args.document, args.operationName);
      span.setAttributes({
        'graphql.operation.type': operation?.operation ?? 'unknown',
        'graphql.operation.name': operation?.name?.value ?? '',
      });
      return {
        onExecuteDone({ result }) {
          const errors = 'errors' in result ? (result.errors ?? []) : [];
          if (errors.length > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `${errors.length} errors` });
        },
      };
    },
    onResponse({ response }) {
      const span = spanIn(requestSpanKey);
      if (!span) return;
      span.setAttribute('http.response.status_code', response.status);
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    },
  };
}
