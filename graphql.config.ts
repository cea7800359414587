// Where editors and tools (GraphQL language server, graphql-eslint) find the schema and operations.
import type { IGraphQLConfig } from 'graphql-config';

const config: IGraphQLConfig = {
  schema: 'schemas/gateway.graphql',
  documents: 'schemas/operations/*.graphql',
};

export default config;
