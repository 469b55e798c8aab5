import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The site's own tests: `npm run test:docs` builds the site first, then runs these.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['docs/test/**/*.test.ts'],
    // One browser at a time: the machine has 2 cores shared with QEMU guests.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
