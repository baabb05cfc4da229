import { defineConfig } from 'tsup';

export default defineConfig({
  // `translate` is the translation-only subpath (`@spantrack/processor/translate`).
  entry: { index: 'src/index.ts', translate: 'src/translate-entry.ts' },
  format: ['esm', 'cjs'],
  // Shared chunks in both formats, so the two entry points share one copy of each class
  // (`instanceof SpantrackConfigError` holds whichever entry threw it).
  splitting: true,
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
