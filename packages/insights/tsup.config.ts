import { cpSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  // store-encoder: the event store's encoder thread (a worker script, found beside the entries).
  entry: { index: 'src/index.ts', cli: 'src/cli.ts', 'store-encoder': 'src/store/encoder-worker.ts' },
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
