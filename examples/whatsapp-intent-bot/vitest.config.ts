import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'example-whatsapp-intent-bot',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
