import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['client/test/**/*.test.ts', 'kernel/test/**/*.test.ts', 'grader/test/**/*.test.ts'],
    // Real guests run under TCG on two cores: one file at a time keeps them from starving each other.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
