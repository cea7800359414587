/**
 * GraphQL over WebSocket (graphql-ws, the `graphql-transport-ws` protocol) on the GraphQL path.
 * The token comes in `connection_init` (`{ "authorization": "Bearer …" }`, or `{ "token": "…" }`):
 * a missing or bad one closes the socket with 4401 before anything runs.
 *
 * Each operation is then run by the same yoga pipeline as an HTTP request, so auth, the class's
 * schema and limits, persisted operations, metrics, tracing and error masking are the ones
 * every other request gets, written once; its result (a subscription's stream of events) is
 * taken as objects before yoga serialises it (direct-results.ts) and sent on as graphql-ws
 * messages.
 */
import type { Server } from 'node:http';
import { getOperationAST, GraphQLError, parse, type ExecutionResult } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { TokenVerifier } from '../auth/tokens.js';
import type { Topology } from '../config.js';
import { DIRECT_RESULT_HEADER, expectDirectResult } from './direct-results.js';

/** Enough of a yoga instance: its fetch and the GraphQL path. */
export interface FetchingGateway {
  fetch(input: string, init: RequestInit): Promise<Response> | Response;
  graphqlEndpoint: string;
}

export interface WebSocketOptions {
  verifyToken: TokenVerifier;
  /** A larger message is refused by ws before parsing (the gateway's maxBodyBytes). */
  maxPayloadBytes: number;
  /** Most lexer tokens a document may have (the largest class limit): parsing here is only to route. */
  maxTokens: number;
}

function tokenOf(payload: Record<string, unknown> | undefined): string | undefined {
  const header = typeof payload?.authorization === 'string' ? payload.authorization : typeof payload?.Authorization === 'string' ? payload.Authorization : undefined;
  if (header) return /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  return typeof payload?.token === 'string' ? payload.token : undefined;
}

/** A result as a client may see it: yoga's serialiser leaves out an error's `http` extension (its status), and so does this. */
function withoutHttpExtensions(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.some((error) => error.extensions?.http)) return result;
  return {
    ...result,
    errors: result.errors.map((error) => {
      if (!error.extensions?.http) return error;
      const extensions = { ...error.extensions };
      delete extensions.http;
      return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions });
    }),
  };
}

/** The token onConnect kept, from the graphql-ws context (what `context` below makes the contextValue). */
function tokenIn(contextValue: unknown): string {
  return (contextValue as { extra: { token: string } }).extra.token;
}

/** Serves graphql-ws on `server`, at the gateway's GraphQL path; returns what stops it. */
export function attachWebSockets(server: Server, gateway: FetchingGateway, options: WebSocketOptions): { close(): Promise<void> } {
  const sockets = new WebSocketServer({ server, path: gateway.graphqlEndpoint, maxPayload: options.maxPayloadBytes });
  /** Runs one operation through yoga; its result as objects, or (a request yoga refused itself) its JSON answer. */
  const run = async (token: string, body: unknown, accept: string): Promise<ExecutionResult | AsyncIterable<ExecutionResult>> => {
    const direct = expectDirectResult();
    const response = await gateway.fetch(`http://repogate.ws${gateway.graphqlEndpoint}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept, [DIRECT_RESULT_HEADER]: direct.id },
      body: JSON.stringify(body),
    });
    const result = direct.take();
    if (result === undefined) return (await response.json()) as ExecutionResult;
    return (Array.isArray(result) ? result[0] : result) as ExecutionResult | AsyncIterable<ExecutionResult>;
  };
  const disposable = useServer<Record<string, unknown>, { token: string }>(
    {
      async onConnect(ctx) {
        const token = tokenOf(ctx.connectionParams);
        try {
          if (!token) throw new Error('no token');
          await options.verifyToken(token);
        } catch {
          ctx.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized: send connection_init with { "authorization": "Bearer <token>" }');
          return false;
        }
        ctx.extra.token = token;
        return true;
      },
      onSubscribe(_ctx, _id, payload) {
        let document;
        try {
          document = parse(payload.query, { maxTokens: options.maxTokens });
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Syntax Error')];
        }
        if (!getOperationAST(document, payload.operationName)) return [new GraphQLError('No operation to run (give operationName).')];
        // Run by yoga (below): graphql-ws only needs the document to tell a subscription from a query.
        return { schema: undefined as never, document, rootValue: payload, operationName: payload.operationName, variableValues: payload.variables };
      },
      // An incremental result (@defer) is a stream of its parts: graphql-ws sends each as `next`.
      execute: async (args) => (await run(tokenIn(args.contextValue), args.rootValue, 'application/graphql-response+json, multipart/mixed')) as ExecutionResult,
      // A stream's return (the client completed or went away) ends the subscription in yoga and frees its place.
      subscribe: async (args) => (await run(tokenIn(args.contextValue), args.rootValue, 'text/event-stream')) as AsyncGenerator<ExecutionResult>,
      // graphql-ws passes its context as contextValue unless told otherwise: the token is in it.
      context: (ctx) => ctx as unknown as Record<string, unknown>,
      // Results come from yoga masked; answers yoga gave itself are parsed JSON already.
      onNext: (_ctx, _id, _payload, _args, result) => withoutHttpExtensions(result as ExecutionResult),
    },
    sockets,
  );
  return {
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}

/** The transport's options for a gateway built from `topology`. */
export function webSocketOptions(repogate: { verifyToken: TokenVerifier }, topology: Pick<Topology, 'gateway' | 'classes'>): WebSocketOptions {
  return {
    verifyToken: repogate.verifyToken,
    maxPayloadBytes: topology.gateway.maxBodyBytes,
    maxTokens: Math.max(...Object.values(topology.classes).map((options) => options.limits.maxTokens)),
  };
}
