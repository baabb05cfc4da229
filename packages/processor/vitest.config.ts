import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'processor',
    include: ['test/**/*.test.ts'],
  },
});
