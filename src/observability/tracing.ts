/**
 * OpenTelemetry spans: one per GraphQL operation and one per SQL round trip. Off by default:
 * without a registered provider the API is a no-op costing next to nothing. `startConsoleTracing`
 * (REPOGATE_TRACING=console) prints finished spans; a deployment registers its own exporter
 * (OTLP, …) on the global provider the same way.
 */
import { trace, type Span, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

export const tracer = trace.getTracer('repogate');

export function startTracing(exporter: SpanExporter): BasicTracerProvider {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  return provider;
}

export function startConsoleTracing(): BasicTracerProvider {
  return startTracing(new ConsoleSpanExporter());
}

/** Runs `work` inside a span, recording a failure on it. */
export async function inSpan<T>(name: string, attributes: Record<string, string>, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
      throw error;
    } finally {
      span.end();
    }
  });
}
