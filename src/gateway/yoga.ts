/**
 * Builds the HTTP handler (yoga) around the gateway schema. Builds only: main.ts listens.
 */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { RepoRegistry } from '../repo/registry.js';
import { createRequestContext, type GatewayContext } from './context.js';
import { exampleQuery } from './example-query.js';
import { maskError } from './mask-error.js';
import { buildGatewaySchema } from './stitch.js';
import { useInputErrorCodes } from './use-input-error-codes.js';
import { useReadiness } from './use-readiness.js';
import { DEBUG_HEADER, useRepoUsage } from './use-repo-usage.js';

export interface GatewayOptions {
  registry: RepoRegistry;
  /** The tenant every request acts for, until tenant routing lands. */
  tenant: string;
  debug?: boolean;
  schema?: GraphQLSchema;
  logError?: (error: unknown) => void;
}

export type Gateway = YogaServerInstance<Record<string, never>, GatewayContext>;

export function createGateway({
  registry,
  tenant,
  debug = false,
  schema = buildGatewaySchema(),
  logError = (error) => console.error('[repogate] unexpected error:', error),
}: GatewayOptions): Gateway {
  return createYoga<Record<string, never>, GatewayContext>({
    schema,
    context: () => createRequestContext(registry, tenant),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    // Unexpected errors are logged by maskError with their cause; client errors are not noise.
    logging: false,
    maskedErrors: { maskError: (error) => maskError(error, logError) },
    // GraphiQL is bundled (no CDN): it works on machines without internet.
    renderGraphiQL,
    graphiql: {
      title: 'Repogate',
      defaultQuery: exampleQuery,
      headers: debug ? JSON.stringify({ [DEBUG_HEADER]: '1' }) : undefined,
    },
    plugins: [useInputErrorCodes(), useRepoUsage({ enabled: debug }), useReadiness(registry)],
  });
}
