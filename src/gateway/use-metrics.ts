import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import type { RepogateMetrics } from '../observability/metrics.js';

/** /metrics: yoga's request, phase and error metrics plus Repogate's (pools, repos, breakers, replicas, error codes). */
export function useMetrics(metrics: RepogateMetrics): Plugin[] {
  const countErrors: Plugin = {
    onResultProcess({ result }) {
      for (const single of Array.isArray(result) ? result : [result]) {
        const errors = (single as { errors?: readonly { extensions?: { code?: unknown } }[] }).errors ?? [];
        for (const error of errors) {
          const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'GRAPHQL_VALIDATION_FAILED';
          metrics.errors.inc({ code });
        }
      }
    },
  };
  return [
    usePrometheus({
      registry: metrics.registry,
      endpoint: '/metrics',
      metrics: {
        graphql_envelop_request_duration: true,
        graphql_envelop_error_result: true,
        graphql_envelop_phase_execute: true,
        graphql_yoga_http_duration: true,
        // Off: it walks every document to find deprecated fields, per request; the schema has none.
        graphql_envelop_deprecated_field: false,
      },
    }),
    countErrors,
  ];
}
