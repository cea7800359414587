import type { Plugin } from 'graphql-yoga';
import { UnauthenticatedError } from '../errors.js';
import type { Principal, TokenVerifier } from '../auth/tokens.js';

/** Who sent each request, once its token is verified. */
export const principals = new WeakMap<Request, Principal>();

function unauthorized(error: UnauthenticatedError, Response: typeof globalThis.Response): Response {
  return new Response(JSON.stringify({ errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }] }), {
    status: 401,
    headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
  });
}

/**
 * Every GraphQL request needs `Authorization: Bearer <JWT>`; without a valid one it ends here
 * with 401 and runs nothing. The GraphiQL page itself (a browser's GET for HTML, only while
 * GraphiQL is served: otherwise that GET would run as a query), /health and /ready need no token.
 */
export function useAuth(verify: TokenVerifier, { graphiql, graphqlEndpoint = '/graphql' }: { graphiql: boolean; graphqlEndpoint?: string }): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== graphqlEndpoint) return;
      if (graphiql && request.method === 'GET' && request.headers.get('accept')?.includes('text/html')) return;
      const header = request.headers.get('authorization') ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      try {
        if (!token) throw new UnauthenticatedError('Send Authorization: Bearer <token> (npm run token prints one).');
        principals.set(request, await verify(token));
      } catch (error) {
        if (!(error instanceof UnauthenticatedError)) throw error;
        endResponse(unauthorized(error, fetchAPI.Response));
      }
    },
  };
}
