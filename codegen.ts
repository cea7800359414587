/**
 * GraphQL Code Generator: from the checked-in contract (schemas/gateway.graphql) and the
 * operations in schemas/operations, the types and one TypedDocumentNode per operation for
 * services (src/sdk/generated.ts, wrapped by src/sdk/client.ts) and the client preset for
 * frontends (src/sdk/generated-client/).
 * `npm run codegen` writes them; a test fails when they are stale.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';
import type { CodegenPlugin } from '@graphql-codegen/plugin-helpers';
import { Kind } from 'graphql';

/** How the gateway's custom scalars travel in JSON. */
const scalars = {
  DateTime: 'string',
  Date: 'string',
  Latitude: 'number',
  Longitude: 'number',
  SafeInt: 'number',
};

/**
 * `OperationKinds`: each operation's kind, as a type. The other plugins type a document by its
 * data and variables only, so without it the SDK could not tell a subscription (iterated) from a
 * query or mutation (awaited) at compile time.
 */
const operationKinds: CodegenPlugin = {
  plugin(_schema, documents) {
    const kinds = documents.flatMap(({ document }) =>
      (document?.definitions ?? []).flatMap((definition) =>
        definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [`  ${definition.name.value}: '${definition.operation}';`] : [],
      ),
    );
    return `\n/** Each operation's kind (codegen.ts): the SDK awaits queries and mutations and iterates subscriptions. */\nexport type OperationKinds = {\n${kinds.join('\n')}\n};\n`;
  },
};

const config: CodegenConfig = {
  schema: 'schemas/gateway.graphql',
  documents: 'schemas/operations/*.graphql',
  emitLegacyCommonJSImports: false,
  // getPluginByName tries `@graphql-codegen/<name>` first: ours is answered from this file.
  pluginLoader: (name: string) => (name.endsWith('/repogate-operation-kinds') ? operationKinds : import(name)),
  generates: {
    'src/sdk/generated.ts': {
      plugins: ['typescript-operations', 'typed-document-node', 'repogate-operation-kinds'],
      config: { scalars, strictScalars: true, enumsAsTypes: true, useTypeImports: true },
    },
    'src/sdk/generated-client/': {
      preset: 'client',
      config: { scalars, strictScalars: true, enumsAsTypes: true, useTypeImports: true },
    },
  },
};

export default config;
