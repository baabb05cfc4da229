import { defineConfig } from 'vitest/config';

// One run over every package, the cross-package tests and the examples, so the totals printed by
// `npm test` are the sum of all of them.
export default defineConfig({
  test: {
    projects: ['packages/*', 'test', 'test/support/*', 'examples/*'],
  },
});
