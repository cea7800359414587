import { defineConfig } from 'vitest/config';

export default defineConfig({
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
