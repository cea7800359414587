/**
 * GraphQL Code Generator: from the checked-in contract (schemas/gateway.graphql) and the
 * operations in schemas/operations, the types and one TypedDocumentNode per operation for
 * services (src/sdk/generated.ts, wrapped by src/sdk/client.ts) and the client preset for
 * frontends (src/sdk/generated-client/).
 * `npm run codegen` writes them; a test fails when they are stale.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

/** How the gateway's custom scalars travel in JSON. */
const scalars = {
  DateTime: 'string',
  Date: 'string',
  Latitude: 'number',
  Longitude: 'number',
  SafeInt: 'number',
};

const config: CodegenConfig = {
  schema: 'schemas/gateway.graphql',
  documents: 'schemas/operations/*.graphql',
  emitLegacyCommonJSImports: false,
  generates: {
    'src/sdk/generated.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: { scalars, strictScalars: true, enumsAsTypes: true, useTypeImports: true },
    },
    'src/sdk/generated-client/': {
      preset: 'client',
      config: { scalars, strictScalars: true, enumsAsTypes: true, useTypeImports: true },
    },
  },
};

export default config;
