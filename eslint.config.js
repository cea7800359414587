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
  // The layers (ARCHITECTURE.md rules 5 and 8), enforced rather than hoped for.
  {
    files: ['subgraphs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        // By their folder's name too: `../../subgraphs/main/…` is as much another subgraph as `../main/…`.
        { regex: '^\\.\\./(?!\\.\\./)|/subgraphs/', message: 'A subgraph never imports another subgraph: a dependency between subgraphs is a merge or a request fact.' },
        { regex: '/src/(?!subgraph-kit/|repo/repo\\.js$)', message: 'A subgraph imports only the subgraph kit (src/subgraph-kit/) and the repo interface (src/repo/repo.js).' },
        { regex: '(^|/)(dev|bench|test)/', message: 'Production code never imports dev-only code (dev/, bench/, test/).' },
      ] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '(^|/)(dev|bench|test)/', message: 'Production code never imports dev-only code (dev/, bench/, test/).' },
        { regex: '/subgraphs/[^/]+/(?!index\\.js$)', message: "The gateway knows a subgraph only through its descriptor (subgraphs/<name>/index.js), never its internals." },
      ] }],
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
