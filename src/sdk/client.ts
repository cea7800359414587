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
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import * as operations from './generated.js';
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

type Operations = typeof operations;
type OperationName = { [K in keyof Operations]: K extends `${infer Name}Document` ? Name : never }[keyof Operations];
type Method<D> =
  D extends TypedDocumentNode<infer TData, infer TVariables>
    ? // Operations whose variables are all optional can be called without any.
      Record<string, never> extends TVariables
      ? (variables?: TVariables, init?: RequestInit) => Promise<RepogateResult<TData>>
      : (variables: TVariables, init?: RequestInit) => Promise<RepogateResult<TData>>
    : never;

export type RepogateSdk = { [Name in OperationName]: Method<Operations[`${Name}Document`]> } & {
  /** Any TypedDocumentNode, for operations outside schemas/operations. */
  request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables?: TVariables,
    init?: RequestInit,
  ): Promise<RepogateResult<TData>>;
};

const printed = new WeakMap<DocumentNode, string>();
function source(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
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
    return {
      data: body.data ?? null,
      errors: (body.errors ?? []).map((error) => new RepogateError(error)),
      ...(body.extensions && { extensions: body.extensions }),
    };
  }

  const sdk: Record<string, unknown> = { request };
  for (const [exportName, value] of Object.entries(operations)) {
    const name = /^(.+)Document$/.exec(exportName)?.[1];
    if (name) sdk[name] = (variables?: unknown, init?: RequestInit) => request(value as DocumentNode, variables, init);
  }
  return sdk as RepogateSdk;
}
