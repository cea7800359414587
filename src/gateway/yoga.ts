/**
 * Builds the HTTP handler (yoga) around the gateway schema. Builds only: main.ts listens.
 */
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { TokenVerifier } from '../auth/tokens.js';
import { classDefaults, clientClasses, type ClassOptions, type ClientClass, type GatewaySettings } from '../config.js';
import { createLogger, type Logger } from '../observability/logger.js';
import type { RepogateMetrics } from '../observability/metrics.js';
import type { RepoRegistry } from '../repo/registry.js';
import type { TenantDirectory } from '../tenancy/tenant-directory.js';
import { buildClassSchemas, schemaForClass } from './class-schemas.js';
import { requestContexts, type GatewayContext } from './context.js';
import { corsFor } from './cors.js';
import { exampleQuery } from './example-query.js';
import { maskError } from './mask-error.js';
import { perClassDocumentCache } from './document-cache.js';
import { buildGatewaySchema } from './stitch.js';
import { builtInSubgraphs } from '../subgraphs.js';
import { subgraphSchema, type AnySubgraph } from '../subgraph-kit/subgraph.js';
import { useSingleSubgraphExecution } from './use-single-subgraph.js';
import { principals, useAuth } from './use-auth.js';
import { useBodyLimit } from './use-body-limit.js';
import { requestScope, useRequestId } from './use-request-id.js';
import { useMetrics } from './use-metrics.js';
import { usePersistedOperations } from './use-persisted-operations.js';
import { useTracing } from './use-tracing.js';
import { useOperationLimits } from './use-operation-limits.js';
import { useInputErrorCodes } from './use-input-error-codes.js';
import { useReadiness } from './use-readiness.js';
import { DEBUG_HEADER, useRepoUsage } from './use-repo-usage.js';
import { LSN_HEADER, parseLsnHeader, useRequestSession } from './use-request-session.js';

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
  /** The subgraphs served (the topology's; the built-in ones by default). */
  subgraphs?: readonly AnySubgraph[];
  schemas?: Record<ClientClass, GraphQLSchema>;
  /**
   * The subgraphs' own schemas: an operation one of them can answer alone skips the stitching
   * layer (use-single-subgraph.ts). An empty list sends everything through stitching.
   */
  subgraphSchemas?: readonly GraphQLSchema[];
  logger?: Logger;
}

export type Gateway = YogaServerInstance<Record<string, never>, GatewayContext>;

export function createGateway({
  registry,
  metrics,
  tenants,
  verifyToken,
  debug = false,
  graphiqlToken,
  isDraining,
  subgraphs = builtInSubgraphs,
  schemas = buildClassSchemas(buildGatewaySchema(subgraphs), subgraphs),
  subgraphSchemas = subgraphs.map(subgraphSchema),
  classes = classDefaults,
  settings = { maxBodyBytes: 1_500_000, graphiql: true, cors: { origins: [], credentials: false } },
  logger = createLogger(),
}: GatewayOptions): Gateway {
  // The original of a masked error is logged with the request's id, never sent.
  const logError = (error: unknown) => logger.error({ err: error, requestId: requestScope.getStore()?.requestId }, 'unexpected error');
  const perClass = <T>(pick: (options: ClassOptions) => T) =>
    Object.fromEntries(clientClasses.map((c) => [c, pick(classes[c])])) as Record<ClientClass, T>;
  const introspection = perClass((options) => options.introspection);
  const classSubgraphSchemas = Object.fromEntries(
    clientClasses.map((c) => [c, subgraphSchemas.map((schema) => schemaForClass(schema, c, subgraphs))]),
  ) as Record<ClientClass, GraphQLSchema[]>;
  const graphiqlHeaders = {
    ...(graphiqlToken && { authorization: `Bearer ${graphiqlToken}` }),
    ...(debug && { [DEBUG_HEADER]: '1' }),
  };
  const createContext = requestContexts(registry, subgraphs);
  return createYoga<Record<string, never>, GatewayContext>({
    // Each client class sees only what its role may read.
    schema: ({ request }) => schemas[principals.get(request)?.clientClass ?? 'interactive'],
    async context({ request }) {
      const principal = principals.get(request);
      if (!principal) throw new Error('unauthenticated request reached the context (useAuth must run first)');
      const tenant = await tenants.resolve(principal.tenant);
      const session = { mode: 'query' as const, minLsn: parseLsnHeader(request.headers.get(LSN_HEADER), registry.repoNames) };
      return createContext({ principal, tenant, session: { ...session } });
    },
    cors: corsFor(settings.cors),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    // Unexpected errors are logged by maskError with their cause; client errors are not noise.
    logging: false,
    maskedErrors: {
      maskError(error) {
        const masked = maskError(error, logError);
        // Execution-time input errors (a bad enum in variables) carry "Did you mean …?" too.
        const request = requestScope.getStore()?.request;
        const clientClass = request ? principals.get(request)?.clientClass : undefined;
        if (!clientClass || introspection[clientClass] || !/ Did you mean /.test(masked.message)) return masked;
        masked.message = masked.message.replace(/ Did you mean .*$/, '');
        return masked;
      },
    },
    // GraphiQL is bundled (no CDN): it works on machines without internet.
    renderGraphiQL,
    graphiql: settings.graphiql && {
      title: 'Repogate',
      defaultQuery: exampleQuery,
      headers: Object.keys(graphiqlHeaders).length > 0 ? JSON.stringify(graphiqlHeaders) : undefined,
    },
    // One operation per request: a batch would multiply the work one request may cause.
    batching: false,
    // Parsed documents are cached per class (the token limit is checked while parsing and differs
    // per class); validation is cached per document and class schema.
    parserAndValidationCache: { documentCache: perClassDocumentCache(), errorCache: perClassDocumentCache(), validationCache: true },
    plugins: [
      useRequestId(logger),
      useBodyLimit(settings.maxBodyBytes),
      // GET and form-encoded / text POST (no CORS preflight) must carry a header a page cannot set cross-site.
      useCSRFPrevention({ requestHeaders: ['x-repogate-csrf'] }),
      useAuth(verifyToken, { graphiql: settings.graphiql }),
      useOperationLimits(perClass((options) => options.limits)),
      usePersistedOperations(perClass((options) => options.persistedOperationsOnly)),
      useDisableIntrospection({ isDisabled: (request) => !introspection[principals.get(request)?.clientClass ?? 'api'] }),
      useInputErrorCodes(introspection),
      useRequestSession(),
      useTracing(),
      useRepoUsage({ enabled: debug }),
      useReadiness(registry, isDraining),
      ...(metrics ? useMetrics(metrics) : []),
      useSingleSubgraphExecution(classSubgraphSchemas),
    ],
  });
}
