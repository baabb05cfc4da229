import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'insights',
    include: ['test/**/*.test.ts'],
    // DuckDB plans the warehouse layout's 19-table union per query; on a shared 2-core machine a
    // dashboard's worth of queries takes seconds.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
