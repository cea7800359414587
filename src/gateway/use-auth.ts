import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ClientClass } from '../config.js';
import { UnauthenticatedError } from '../errors.js';
import type { Principal, TokenVerifier } from '../auth/tokens.js';

/** What useAuth publishes in the context of every GraphQL request. */
export interface AuthContext {
  principal?: Principal;
}

/**
 * The request's verified caller. The one rule for a missing principal: useAuth ends every
 * GraphQL request without a valid token with 401, so none can get this far without one.
 */
export function principalOf(context: AuthContext): Principal {
  if (!context.principal) throw new Error('a request without a principal reached the GraphQL layer (useAuth must run first)');
  return context.principal;
}

export interface AuthOptions {
  /** GraphiQL is served: a browser's GET for its HTML needs no token. */
  graphiql: boolean;
  /** Each class sees its own schema (class-schemas.ts). */
  schemas: Record<ClientClass, GraphQLSchema>;
}

/**
 * Every GraphQL request needs `Authorization: Bearer <JWT>`; without a valid one it ends here
 * with 401 (UnauthenticatedError's `extensions.http`, rendered by yoga) and runs nothing. The verified principal is published in the context (as yoga's JWT
 * plugin does), with the class's schema; the map from request to principal stays in here. The
 * GraphiQL page itself (a browser's GET for HTML, only while GraphiQL is served: otherwise that
 * GET would run as a query), /health and /ready need no token.
 */
export function useAuth(verify: TokenVerifier, { graphiql, schemas }: AuthOptions): Plugin<AuthContext> {
  const verified = new WeakMap<Request, Principal>();
  return {
    // Called for every request yoga routes to GraphQL (`/graphql`, `/graphql/`, …): /health,
    // /ready and /metrics have been answered by then. No path test here, or one spelling of the
    // endpoint would skip the token.
    async onRequestParse({ request }) {
      if (graphiql && request.method === 'GET' && request.headers.get('accept')?.includes('text/html')) return;
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
      if (!token) throw new UnauthenticatedError('Send Authorization: Bearer <token> (npm run token prints one).');
      verified.set(request, await verify(token));
    },
    onEnveloped({ context, extendContext, setSchema }) {
      const request = (context as { request?: Request } | undefined)?.request;
      const principal = request && verified.get(request);
      if (!principal) return;
      extendContext({ principal });
      setSchema(schemas[principal.clientClass]);
    },
  };
}
