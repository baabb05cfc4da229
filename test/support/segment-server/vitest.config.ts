import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'segment-server',
    include: ['test/**/*.test.ts'],
  },
});
