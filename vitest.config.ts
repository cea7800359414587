import { createRequire } from 'node:module';
import { configDefaults, defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql ships CJS (main) and ESM (module) builds. Node loads the CJS one for the libraries
    // in node_modules; without this alias Vite would give our files the ESM one, and a second
    // GraphQLError class breaks every `instanceof GraphQLError` (the dual package hazard).
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          // Pure logic: no database, no network, no stack; the whole project runs in seconds.
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Groups run one after the other, lowest first: a broken pure function fails before
          // the integration files start.
          sequence: { groupOrder: 0 },
          // Nothing here keeps state between files, so they share workers: a fresh process per
          // file cost five times the tests themselves.
          isolate: false,
          testTimeout: 2_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/unit/**'],
          // Vitest runs every selected project's globalSetup before any test file, so the stack
          // starts here only when this project is part of the run (not for `--project unit`).
          globalSetup: ['test/global-setup.ts'],
          sequence: { groupOrder: 1 },
          // Files share one real stack, and one of them stops MariaDB on purpose: run them one by one.
          fileParallelism: false,
          testTimeout: 60_000,
          // The first run initialises the clusters and seeds 1M positions.
          hookTimeout: 600_000,
        },
      },
      // The correctness, round-trip, error, tenant and SDK tests again, with subgraphs reached
      // over HTTP as their own services (issue 12): telemetry and legacy, then all three.
      ...['mixed', 'all remote'].map((mode, i) => ({
        extends: true as const,
        test: {
          name: `integration (${mode})`,
          include: ['test/correctness.test.ts', 'test/round-trips.test.ts', 'test/errors.test.ts', 'test/tenants.test.ts', 'test/sdk.test.ts', 'test/differential.test.ts'],
          globalSetup: ['test/subgraph-services-setup.ts'],
          sequence: { groupOrder: 2 + i },
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 600_000,
        },
      })),
    ],
  },
});
