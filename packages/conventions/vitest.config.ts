import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'conventions',
    include: ['test/**/*.test.ts'],
  },
});
