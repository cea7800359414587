import { SpanStatusCode } from '@opentelemetry/api';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { tracer } from '../observability/tracing.js';

/** An OpenTelemetry span per executed operation (a no-op unless a tracer provider is registered). */
export function useTracing(): Plugin {
  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      const span = tracer.startSpan('graphql.operation', {
        attributes: {
          'graphql.operation.type': operation?.operation ?? 'unknown',
          'graphql.operation.name': operation?.name?.value ?? '',
        },
      });
      return {
        onExecuteDone({ result }) {
          const errors = 'errors' in result ? (result.errors ?? []) : [];
          if (errors.length > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `${errors.length} errors` });
          span.end();
        },
      };
    },
  };
}
