/** tracingFromEnvironment: which span exporters the standard OTEL_* variables and REPOGATE_TRACING ask for. */
import { describe, expect, it } from 'vitest';
import { ConfigError, tracingFromEnvironment } from '../../src/config.js';

describe('tracingFromEnvironment', () => {
  it.each([
    ['nothing set', {}, undefined],
    ['an OTLP endpoint alone', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, { exporters: ['otlp'] }],
    ['a traces endpoint alone', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, { exporters: ['otlp'] }],
    ['OTEL_TRACES_EXPORTER, any case and spacing', { OTEL_TRACES_EXPORTER: ' OTLP , console' }, { exporters: ['otlp', 'console'] }],
    ['REPOGATE_TRACING=console', { REPOGATE_TRACING: 'console' }, { exporters: ['console'] }],
    ['none over an endpoint', { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, undefined],
    ['the SDK disabled over everything', { OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp', REPOGATE_TRACING: 'console' }, undefined],
    ['http/protobuf', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, { exporters: ['otlp'] }],
  ])('%s', (_, env, expected) => {
    expect(tracingFromEnvironment(env)).toEqual(expected);
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER: Repogate exports spans to otlp or console (or none), got zipkin'],
    [{ REPOGATE_TRACING: 'otlp' }, 'REPOGATE_TRACING: must be console (or unset), got otlp'],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL: Repogate exports traces over OTLP/HTTP (http/json), got grpc'],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => tracingFromEnvironment(env)).toThrow(new ConfigError(message));
  });
});
