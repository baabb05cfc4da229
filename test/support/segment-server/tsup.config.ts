import { defineConfig } from 'tsup';

export default defineConfig({
  // cli.ts keeps its `#!/usr/bin/env node` line; a bench spawns `node dist/cli.js` in another process.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
