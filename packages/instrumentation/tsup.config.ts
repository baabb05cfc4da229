import { defineConfig } from 'tsup';

export default defineConfig({
  // `model-call` is the subpath the LLM-client instrumentations share (`@spantrack/instrumentation/model-call`).
  entry: { index: 'src/index.ts', 'model-call': 'src/model-call/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
