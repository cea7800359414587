/**
 * An allow-list for client classes that may only run known operations (`persistedOperationsOnly`):
 * the operations of schemas/operations, the same ones the SDK is generated from. A request's
 * document is printed in graphql-js's canonical form and compared with the printed allow-list,
 * so the SDK sends its documents as text and needs no id scheme; anything else is refused with
 * PERSISTED_OPERATION_REQUIRED before validation, so it runs no SQL.
 *
 * Not yoga's persisted-operations plugin: that one looks operations up by id, which the
 * text-sending SDK and curl users do not send; an allow-list of canonical text fits them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createGraphQLError } from '@graphql-tools/utils';
import { Kind, parse, print, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ClientClass } from '../config.js';
import { projectRoot } from '../config.js';
import { principalOf, type AuthContext } from './use-auth.js';

/** Each operation of schemas/operations as its own canonical document. */
export function loadAllowList(dir = path.join(projectRoot, 'schemas', 'operations')): Set<string> {
  const allowed = new Set<string>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.graphql'))) {
    const document = parse(readFileSync(path.join(dir, file), 'utf8'));
    const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      allowed.add(print({ kind: Kind.DOCUMENT, definitions: [definition, ...fragments] }));
    }
  }
  return allowed;
}

export function usePersistedOperations(onlyPersisted: Record<ClientClass, boolean>, allowed: ReadonlySet<string> = loadAllowList()): Plugin<AuthContext> {
  return {
    onValidate({ context, params }) {
      const { clientClass } = principalOf(context);
      if (!onlyPersisted[clientClass]) return;
      if (allowed.has(print(params.documentAST as DocumentNode))) return;
      throw createGraphQLError(`Client class "${clientClass}" may run only the operations of schemas/operations.`, {
        extensions: { code: 'PERSISTED_OPERATION_REQUIRED', http: { status: 400 } },
      });
    },
  };
}
