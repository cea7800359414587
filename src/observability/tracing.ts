/**
 * OpenTelemetry tracing: the provider's lifecycle and the helpers spans are made with. Spans nest
 * request → operation → subgraph → SQL statement (use-tracing.ts, subgraph-spans.ts). Off by
 * default: without a registered provider the API is a no-op costing next to nothing.
 *
 * `startTracingWith` is what the server runs with the options config.ts read from the
 * environment: OTLP/HTTP through the SDK's own exporter (batched), printed spans, or both. The
 * provider is registered globally with its AsyncLocalStorage context manager (async work started
 * inside a span sees it as active) and the W3C trace-context propagator.
 */
import { context, propagation, trace, SpanStatusCode, type Attributes, type Span, type SpanKind, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { TraceExporter, TracingOptions } from '../config.js';

/** Asked for per span, not held: a tracer taken before a provider is registered stays bound to the no-op one. */
export function tracer(): Tracer {
  return trace.getTracer('repogate');
}

export interface Tracing {
  /** Exports the spans that have ended so far (the batch processor otherwise waits for its schedule). */
  flush(): Promise<void>;
  /** Flushes, then unregisters the provider, context manager and propagator. */
  shutdown(): Promise<void>;
}

const processors: Record<TraceExporter, () => SpanProcessor> = {
  // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT, _COMPRESSION
  // itself, and the processor OTEL_BSP_*.
  otlp: () => new BatchSpanProcessor(new OTLPTraceExporter()),
  console: () => new SimpleSpanProcessor(new ConsoleSpanExporter()),
};

export function startTracingWith(options: TracingOptions): Tracing {
  return register(options.exporters.map((name) => processors[name]()));
}

/** Each span to `exporter` as it ends (tests read an InMemorySpanExporter). */
export function startTracing(exporter: SpanExporter): Tracing {
  return register([new SimpleSpanProcessor(exporter)]);
}

function register(spanProcessors: SpanProcessor[]): Tracing {
  // service.name is repogate unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'repogate' }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors });
  provider.register();
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** Runs `work` inside a span (active for what `work` starts), recording a failure on it. */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  kind?: SpanKind,
): Promise<T> {
  return tracer().startActiveSpan(name, { attributes, kind }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      // The error's name, not its message: messages may quote SQL or values.
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
      throw error;
    } finally {
      span.end();
    }
  });
}
