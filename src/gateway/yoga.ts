/**
 * Builds the HTTP handler (yoga) around the gateway schema. Builds only: serve-gateway.ts listens.
 */
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { TokenVerifier } from '../auth/tokens.js';
import { classDefaults, clientClasses, gatewayDefaults, type ClassOptions, type ClientClass, type GatewaySettings } from '../config.js';
import { createLogger, type Logger } from '../observability/logger.js';
import type { RepogateMetrics } from '../observability/metrics.js';
import type { RepoRegistry } from '../repo/registry.js';
import type { TenantDirectory } from '../tenancy/tenant-directory.js';
import { buildClassSchemas, schemaForClass, withDeferStream } from './class-schemas.js';
import { hostedSubgraphs, liveContexts, requestContexts, type GatewayContext } from './context.js';
import type { LiveFeeds } from '../live/live-feeds.js';
import { useSharedSubscriptions } from './use-shared-subscriptions.js';
import { useDirectResults } from './direct-results.js';
import { corsFor } from './cors.js';
import type { RemoteSubgraph } from './remote-subgraph.js';
import { maskError, useIncrementalErrorMasking } from './mask-error.js';
import { buildGatewaySchema } from './stitch.js';
import { builtInSubgraphs } from '../subgraphs.js';
import { isVisibleTo, subgraphSchema, type AnySubgraph } from '../subgraph-kit/subgraph.js';
import { useSingleSubgraphExecution, type SoleSubgraph } from './use-single-subgraph.js';
import { mergedExecution } from './merged-execution.js';
import { useAuth } from './use-auth.js';
import { requestContextFactory } from './request-context-factory.js';
import { useBodyLimit } from './use-body-limit.js';
import { useRequestId } from './use-request-id.js';
import { useMetrics } from './use-metrics.js';
import { usePersistedOperations } from './use-persisted-operations.js';
import { useTracing } from './use-tracing.js';
import { useOperationLimits } from './use-operation-limits.js';
import { useInputErrorCodes } from './use-input-error-codes.js';
import { useReadiness } from './use-readiness.js';
import { DEBUG_HEADER, useRepoUsage } from './use-repo-usage.js';
import { useRequestSession } from './use-request-session.js';
import { unexpectedErrorLog } from './use-unexpected-error-log.js';

export interface GatewayOptions {
  registry: RepoRegistry;
  metrics?: RepogateMetrics;
  /** Per-class limits and introspection; gateway-wide body limit and GraphiQL. */
  classes?: Record<ClientClass, ClassOptions>;
  settings?: Pick<GatewaySettings, 'maxBodyBytes' | 'graphiql' | 'cors'>;
  tenants: TenantDirectory;
  verifyToken: TokenVerifier;
  /** Adds extensions.repos for requests sending `x-repogate-debug: 1`. */
  debug?: boolean;
  /** True once a shutdown has begun: /ready answers 503 so load balancers stop sending work. */
  isDraining?: () => boolean;
  /** Prefills GraphiQL's Authorization header (dev only: an `interactive` token). */
  graphiqlToken?: string;
  /** The operation GraphiQL opens with (dev: a cross-repo example). */
  graphiqlQuery?: string;
  /** The subgraphs served (the topology's; the built-in ones by default). */
  subgraphs?: readonly AnySubgraph[];
  schemas?: Record<ClientClass, GraphQLSchema>;
  /**
   * The subgraphs' own schemas: an operation one of them can answer alone skips the stitching
   * layer (use-single-subgraph.ts), and for a remote subgraph goes to its service whole. An
   * empty list sends everything through stitching; so does a missing entry.
   */
  subgraphSchemas?: readonly (GraphQLSchema | undefined)[];
  /** Subgraphs reached over HTTP (remote-subgraph.ts): no request context, pools or fast path here; /ready asks their services. */
  remote?: readonly RemoteSubgraph[];
  logger?: Logger;
  /** The LISTEN connections and subscription caps of this process (subscriptions answer nothing without). */
  live?: LiveFeeds;
}

export type Gateway = YogaServerInstance<Record<string, never>, GatewayContext>;

/** For yoga's document and error caches, which key by text alone. */
const noCache = { get: () => undefined, set: () => {} };

export function createGateway({
  registry,
  metrics,
  tenants,
  verifyToken,
  debug = false,
  graphiqlToken,
  graphiqlQuery,
  isDraining,
  subgraphs = builtInSubgraphs,
  remote = [],
  schemas = buildClassSchemas(buildGatewaySchema(subgraphs, Object.fromEntries(remote.map(({ name, executor }) => [name, executor]))), subgraphs),
  subgraphSchemas = subgraphs.map(subgraphSchema),
  classes = classDefaults,
  settings = gatewayDefaults,
  logger = createLogger(),
  live,
}: GatewayOptions): Gateway {
  // The original of a masked error is logged with the request's id, never sent.
  const unexpected = unexpectedErrorLog(logger);
  const perClass = <T>(pick: (options: ClassOptions, clientClass: ClientClass) => T) =>
    Object.fromEntries(clientClasses.map((c) => [c, pick(classes[c], c)])) as Record<ClientClass, T>;
  const introspection = perClass((options) => options.introspection);
  const classSubgraphSchemas = Object.fromEntries(
    // A subgraph a class does not see answers none of its operations (and, filtered, has no Query left);
    // nor does one without a schema here (an empty list stitches everything).
    // With @defer and @stream declared, a deferred operation one subgraph answers alone runs there too.
    clientClasses.map((c) => [
      c,
      subgraphs.flatMap((subgraph, i): SoleSubgraph[] => {
        const schema = subgraphSchemas[i];
        const service = remote.find(({ name }) => name === subgraph.name);
        return schema && isVisibleTo(subgraph, c) ? [{ schema: withDeferStream(schemaForClass(schema, c, subgraphs)), remote: service?.executor }] : [];
      }),
    ]),
  ) as Record<ClientClass, SoleSubgraph[]>;
  const graphiqlHeaders = {
    ...(graphiqlToken && { authorization: `Bearer ${graphiqlToken}` }),
    ...(debug && { [DEBUG_HEADER]: '1' }),
  };
  const remoteNames = new Set(remote.map(({ name }) => name));
  // Cross-repo queries over the subgraphs a class sees, in-process or remote, run in one walk;
  // with no subgraph schemas given, everything is stitched.
  const merged = perClass((_options, c) => {
    const visible = subgraphs.flatMap((subgraph, i) => {
      const schema = subgraphSchemas[i];
      const service = remote.find(({ name }) => name === subgraph.name);
      return schema && isVisibleTo(subgraph, c) ? [{ name: subgraph.name, schema, merge: subgraph.merge, remote: service?.executor }] : [];
    });
    return visible.length > 1 ? mergedExecution(visible) : undefined;
  });
  const hosted = hostedSubgraphs(subgraphs, remoteNames);
  const createContext = requestContexts(registry, hosted, [...remoteNames]);
  const createLiveContext = liveContexts(createContext, hosted);
  return createYoga<Record<string, never>, GatewayContext>({
    // Until useAuth sets the request's class's schema (each class sees only what its role may read).
    schema: schemas.api,
    context: requestContextFactory(tenants, registry, unexpected, (input, initial) =>
      initial.operationType === 'subscription' && live ? createLiveContext(input, live.feedFor(input.principal)) : createContext(input),
    ),
    cors: corsFor(settings.cors),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    // Unexpected errors are logged with their cause (unexpectedErrorLog); client errors are not noise.
    logging: false,
    maskedErrors: { maskError: (error) => maskError(error, unexpected.log) },
    // GraphiQL is bundled (no CDN): it works on machines without internet.
    renderGraphiQL,
    graphiql: settings.graphiql && {
      title: 'Repogate',
      defaultQuery: graphiqlQuery,
      headers: Object.keys(graphiqlHeaders).length > 0 ? JSON.stringify(graphiqlHeaders) : undefined,
      // Subscriptions as the gateway serves them: yoga's SSE (distinct connections) on /graphql,
      // POSTed: GraphiQL would GET them, and a GET without x-repogate-csrf is refused (CSRF).
      subscriptionsProtocol: 'SSE',
      method: 'POST',
    },
    // One operation per request: a batch would multiply the work one request may cause.
    batching: false,
    // The body limit is useBodyLimit's (maxBodyBytes, 413 PAYLOAD_TOO_LARGE before parsing). yoga's
    // own (25 MB by default) pipes every body through a TransformStream to count it, whose
    // pipeline and AbortController cost about 6 % of a small query's CPU (BENCHMARKS.md).
    maxRequestBodySize: false,
    // Parsed documents are cached per class by useOperationLimits (the token limit is checked
    // while parsing and differs per class), so yoga's text-keyed cache stays out; validation is
    // cached per document and class schema.
    parserAndValidationCache: { documentCache: noCache, errorCache: noCache, validationCache: true },
    plugins: [
      useRequestId(logger),
      useBodyLimit(settings.maxBodyBytes),
      // GET and form-encoded / text POST (no CORS preflight) must carry a header a page cannot set cross-site.
      useCSRFPrevention({ requestHeaders: ['x-repogate-csrf'] }),
      useAuth(verifyToken, { graphiql: settings.graphiql, schemas }),
      useOperationLimits(perClass((options) => options.limits)),
      usePersistedOperations(perClass((options) => options.persistedOperationsOnly)),
      useInputErrorCodes(introspection),
      // Incremental delivery (multipart/mixed or SSE) for @defer and @stream; the class schemas
      // declare both directives already (withDeferStream), so the plugin keeps them as they are.
      useDeferStream(),
      unexpected.plugin,
      useIncrementalErrorMasking(unexpected.log),
      useRequestSession(),
      useTracing(),
      useRepoUsage({ enabled: debug }),
      useReadiness(registry, isDraining, '/ready', remote),
      ...(metrics ? useMetrics(metrics) : []),
      useSingleSubgraphExecution(classSubgraphSchemas, merged),
      ...(live ? [useSharedSubscriptions(live.shared, merged)] : []),
      // The WebSocket transport's operations: their results handed over as objects, not serialised.
      useDirectResults(),
    ],
  });
}
