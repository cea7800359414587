/**
 * The typed SDK for services: `createClient({ url, token })` returns one method per operation
 * of schemas/operations (generated into ./generated.ts), each typed by its TypedDocumentNode:
 *
 *   const repogate = createClient({ url: 'http://127.0.0.1:4000/graphql', token });
 *   const { data, errors } = await repogate.Company({ id: '1' });
 *
 * GraphQL errors come back as RepogateError (code, path) next to whatever data survived, never
 * thrown away: a legacy outage nulls invoices but keeps the company. Only a transport failure
 * (no GraphQL answer at all) throws, as a RepogateError with code NETWORK_ERROR.
 *
 * A subscription's method returns an async iterator of the same results, one per event, over
 * GraphQL over SSE (graphql-sse's client, one connection per subscription):
 *
 *   for await (const { data, errors } of repogate.PositionRecorded({ deviceIds })) …
 *
 * Leaving the loop (or aborting `signal`) ends the subscription on the gateway.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Kind, print, type DocumentNode } from 'graphql';
import { createClient as createSseClient, NetworkError } from 'graphql-sse';
import * as operations from './generated.js';
import type { OperationKinds } from './generated.js';
import { RepogateError, type GraphQLErrorJson } from './repogate-error.js';

export { RepogateError } from './repogate-error.js';
export type { RepogateErrorCode } from './repogate-error.js';
export * from './generated.js';

export interface ClientOptions {
  /** The gateway's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Extra headers on every request (e.g. `x-repogate-debug: 1`). */
  headers?: Record<string, string>;
}

export interface RepogateResult<TData> {
  /** What the gateway answered; fields of a failed repo are null, the rest is intact. */
  data: TData | null;
  errors: RepogateError[];
  extensions?: Record<string, unknown>;
}

export interface SubscribeInit {
  /** Aborting it ends the subscription, as leaving the loop does. */
  signal?: AbortSignal;
}

type Operations = typeof operations;
type OperationName = { [K in keyof Operations]: K extends `${infer Name}Document` ? Name : never }[keyof Operations];
type Method<D> =
  D extends TypedDocumentNode<infer TData, infer TVariables>
    ? // Operations whose variables are all optional can be called without any.
      Record<string, never> extends TVariables
      ? (variables?: TVariables, init?: RequestInit) => Promise<RepogateResult<TData>>
      : (variables: TVariables, init?: RequestInit) => Promise<RepogateResult<TData>>
    : never;
type SubscriptionMethod<D> =
  D extends TypedDocumentNode<infer TData, infer TVariables>
    ? Record<string, never> extends TVariables
      ? (variables?: TVariables, init?: SubscribeInit) => AsyncIterableIterator<RepogateResult<TData>>
      : (variables: TVariables, init?: SubscribeInit) => AsyncIterableIterator<RepogateResult<TData>>
    : never;

export type RepogateSdk = {
  [Name in OperationName]: OperationKinds[Name] extends 'subscription'
    ? SubscriptionMethod<Operations[`${Name}Document`]>
    : Method<Operations[`${Name}Document`]>;
} & {
  /** Any TypedDocumentNode, for operations outside schemas/operations. */
  request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    init?: RequestInit,
  ): Promise<RepogateResult<TData>>;
  /** Any subscription's TypedDocumentNode, for subscriptions outside schemas/operations. */
  subscribe<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    init?: SubscribeInit,
  ): AsyncIterableIterator<RepogateResult<TData>>;
};

const printed = new WeakMap<DocumentNode, string>();
function source(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
}

function resultOf<TData>(body: { data?: TData | null; errors?: readonly GraphQLErrorJson[]; extensions?: Record<string, unknown> }): RepogateResult<TData> {
  return {
    data: body.data ?? null,
    errors: (body.errors ?? []).map((error) => new RepogateError(error)),
    ...(body.extensions && { extensions: body.extensions }),
  };
}

/**
 * What a failed subscription throws: the gateway's own error when it refused the stream with a
 * GraphQL answer (UNAUTHENTICATED, …), NETWORK_ERROR when there was none.
 */
async function subscriptionError(error: unknown): Promise<RepogateError> {
  if (error instanceof RepogateError) return error;
  if (error instanceof NetworkError && error.response) {
    // yoga answers a refused stream in the format asked for: an SSE `next` event, or JSON.
    const text = await (error.response as Response).text().catch(() => '');
    const json = /^data: ?(.*)$/m.exec(text)?.[1] ?? text;
    try {
      const first = (JSON.parse(json) as { errors?: GraphQLErrorJson[] }).errors?.[0];
      if (first) return new RepogateError(first);
    } catch {
      // not a GraphQL answer: a proxy's page, say
    }
  }
  return new RepogateError({ message: `Repogate did not answer: ${(error as Error).message}`, extensions: { code: 'NETWORK_ERROR' } });
}

export function createClient({ url, token, fetch: fetchImpl = fetch, headers = {} }: ClientOptions): RepogateSdk {
  async function request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    init: RequestInit = {},
  ): Promise<RepogateResult<TData>> {
    let body: { data?: TData | null; errors?: GraphQLErrorJson[]; extensions?: Record<string, unknown> };
    try {
      const response = await fetchImpl(url, {
        ...init,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(token && { authorization: `Bearer ${token}` }),
          ...headers,
          ...(init.headers as Record<string, string> | undefined),
        },
        body: JSON.stringify({ query: source(document), variables }),
      });
      body = await response.json();
    } catch (error) {
      throw new RepogateError({ message: `Repogate did not answer: ${(error as Error).message}`, extensions: { code: 'NETWORK_ERROR' } });
    }
    return resultOf(body);
  }

  // Distinct connections (yoga's SSE); no retries: a reconnect would hide the fixes missed meanwhile.
  const sse = createSseClient({
    url,
    fetchFn: fetchImpl,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...headers },
    retryAttempts: 0,
  });

  function subscribe<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    { signal }: SubscribeInit = {},
  ): AsyncIterableIterator<RepogateResult<TData>> {
    const events = sse.iterate<TData, Record<string, unknown>>({ query: source(document), variables: variables as Record<string, unknown> | undefined });
    // graphql-sse's return() aborts the request at once, even while a next() waits for an event.
    const end = async (): Promise<IteratorReturnResult<undefined>> => {
      await events.return?.();
      return { done: true, value: undefined };
    };
    if (signal?.aborted) void end();
    signal?.addEventListener('abort', () => void end(), { once: true });
    return {
      async next() {
        let event: Awaited<ReturnType<typeof events.next>>;
        try {
          event = await events.next();
        } catch (error) {
          throw await subscriptionError(error);
        }
        return event.done ? { done: true, value: undefined } : { done: false, value: resultOf(event.value) };
      },
      return: end,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  const sdk: Record<string, unknown> = { request, subscribe };
  for (const [exportName, value] of Object.entries(operations)) {
    const name = /^(.+)Document$/.exec(exportName)?.[1];
    if (!name) continue;
    const document = value as DocumentNode;
    const kind = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION)?.operation;
    sdk[name] =
      kind === 'subscription'
        ? (variables?: unknown, init?: SubscribeInit) => subscribe(document, variables, init)
        : (variables?: unknown, init?: RequestInit) => request(document, variables, init);
  }
  return sdk as RepogateSdk;
}
