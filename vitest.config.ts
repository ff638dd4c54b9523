import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: keep parallelism modest so simulator-backed tests are not starved.
    maxWorkers: 2,
  },
});
