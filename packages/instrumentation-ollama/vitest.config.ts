import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'instrumentation-ollama',
    include: ['test/**/*.test.ts'],
  },
});
