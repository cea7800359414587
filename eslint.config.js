// ESLint for the TypeScript (typescript-eslint) and the subgraph SDL (graphql-eslint).
import graphql from '@graphql-eslint/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'test/artifacts/', 'src/sdk/generated*', 'schemas/'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // Each subgraph SDL is linted as the schema it is on its own.
  ...['main', 'telemetry', 'legacy'].map((subgraph) => ({
    files: [`subgraphs/${subgraph}/schema.graphql`],
    languageOptions: {
      parser: graphql.parser,
      parserOptions: { graphQLConfig: { schema: `subgraphs/${subgraph}/schema.graphql` } },
    },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      '@graphql-eslint/no-hashtag-description': 'error',
      '@graphql-eslint/no-typename-prefix': 'error',
      '@graphql-eslint/naming-convention': [
        'error',
        {
          types: 'PascalCase',
          FieldDefinition: { style: 'camelCase', ignorePattern: '^_' },
          InputValueDefinition: 'camelCase',
          EnumValueDefinition: 'UPPER_CASE',
        },
      ],
      '@graphql-eslint/require-description': ['error', { rootField: true }],
    },
  })),
);
