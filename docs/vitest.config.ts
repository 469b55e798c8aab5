import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The site's own tests: `npm run test:docs` builds the site first, then runs these.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['docs/test/**/*.test.ts'],
    // Two browsers at a time: the site tests run after the guest tests, on 2 cores.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
