import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'instrumentation-openai',
    include: ['test/**/*.test.ts'],
  },
});
