/**
 * GraphQL over WebSocket (graphql-ws, the `graphql-transport-ws` protocol) on the GraphQL path.
 * The token comes in `connection_init` (`{ "authorization": "Bearer …" }`, or `{ "token": "…" }`):
 * a missing or bad one closes the socket with 4401 before anything runs.
 *
 * Each operation is then run by the same yoga pipeline as an HTTP request (a subscription as
 * GraphQL over SSE, read back here and sent on as graphql-ws messages), so auth, the class's
 * schema and limits, persisted operations, metrics, tracing and error masking are the ones
 * every other request gets, written once. The price is an SSE frame per event read back in the
 * same process; bench:live measures it.
 */
import type { Server } from 'node:http';
import { getOperationAST, GraphQLError, parse, type ExecutionResult } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { TokenVerifier } from '../auth/tokens.js';
import type { Topology } from '../config.js';

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

/** The events of a GraphQL-over-SSE response (`event: next` / `event: complete`), parsed. */
async function* sseResults(reader: ReadableStreamDefaultReader<Uint8Array>): AsyncGenerator<ExecutionResult> {
  // One decoder in the loop, not a TextDecoderStream: the transform stream's machinery cost more
  // per event than the decoding (bench:live's profile over graphql-ws).
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (\w+)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event === 'complete') return;
        if (event === 'next' && data) yield JSON.parse(data) as ExecutionResult;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** The token onConnect kept, from the graphql-ws context (what `context` below makes the contextValue). */
function tokenIn(contextValue: unknown): string {
  return (contextValue as { extra: { token: string } }).extra.token;
}

/** Serves graphql-ws on `server`, at the gateway's GraphQL path; returns what stops it. */
export function attachWebSockets(server: Server, gateway: FetchingGateway, options: WebSocketOptions): { close(): Promise<void> } {
  const sockets = new WebSocketServer({ server, path: gateway.graphqlEndpoint, maxPayload: options.maxPayloadBytes });
  const run = async (token: string, body: unknown, accept: string, signal?: AbortSignal) =>
    gateway.fetch(`http://repogate.ws${gateway.graphqlEndpoint}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept },
      body: JSON.stringify(body),
      signal,
    });
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
      async execute(args) {
        const response = await run(tokenIn(args.contextValue), args.rootValue, 'application/graphql-response+json');
        return (await response.json()) as ExecutionResult;
      },
      async subscribe(args) {
        const token = tokenIn(args.contextValue);
        const abort = new AbortController();
        const response = await run(token, args.rootValue, 'text/event-stream', abort.signal);
        if (!response.headers.get('content-type')?.includes('text/event-stream')) return (await response.json()) as ExecutionResult;
        const reader = response.body!.getReader();
        const results = sseResults(reader);
        return {
          [Symbol.asyncIterator]() {
            return this;
          },
          next: () => results.next(),
          async return() {
            // Cancel the body first: an idle stream waits in read(), and a generator returns only
            // between yields. The cancel reaches yoga, which ends the subscription (frees its place).
            await reader.cancel().catch(() => {});
            abort.abort();
            return results.return(undefined);
          },
        } as unknown as AsyncGenerator<ExecutionResult>;
      },
      // graphql-ws passes its context as contextValue unless told otherwise: the token is in it.
      context: (ctx) => ctx as unknown as Record<string, unknown>,
      // Results come from yoga already serialised and masked (their errors are plain objects,
      // not GraphQLErrors with toJSON): send them as they are.
      onNext: (_ctx, _id, _payload, _args, result) => result as ExecutionResult,
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
