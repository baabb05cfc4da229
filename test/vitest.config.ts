import { defineProject } from 'vitest/config';

// Cross-package end-to-end tests. They import the packages by name, so they run against the
// built `dist` of each package (as a user would), never its `src`.
export default defineProject({
  test: {
    name: 'e2e',
    include: ['**/*.test.ts'],
    exclude: ['support/**', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
