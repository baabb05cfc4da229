import { cpSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  shims: true,
  // The dashboard page ships inside dist/, so the package is dist and README only.
  onSuccess: async () => {
    cpSync('static', 'dist/static', { recursive: true });
  },
});
