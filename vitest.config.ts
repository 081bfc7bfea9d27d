import { defineConfig } from 'vitest/config';

// One run covers the service (app/test) and the root tooling (Pulumi program, local
// topology, load tests). Tests that start real redis-server processes need generous
// timeouts; each file owns its processes, so files may run in parallel.
export default defineConfig({
  test: {
    include: [
      'app/test/**/*.test.ts',
      'test/**/*.test.ts',
      'components/**/*.test.ts',
      'deploy/**/*.test.ts',
      'loadtest/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
