import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql ships CJS (main) and ESM (module) builds. Node loads the CJS one for the libraries
    // in node_modules; without this alias Vite would give our files the ESM one, and a second
    // GraphQLError class breaks every `instanceof GraphQLError` (the dual package hazard).
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Files share one real stack, and one of them stops MariaDB on purpose: run them one by one.
    fileParallelism: false,
    testTimeout: 60_000,
    // The first run initialises the clusters and seeds 1M positions.
    hookTimeout: 600_000,
  },
});
