import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runtimeGraph } from './import-graph';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

describe('the translation-only entry point (@spantrack/processor/translate)', () => {
  const { files, packages } = runtimeGraph(`${src}translate-entry.ts`);
  const loaded = [...files].map((f) => f.slice(src.length)).sort();

  it('loads neither the SDK span processor, the exporter nor the sinks', () => {
    expect(loaded.filter((f) => /^(span-processor|span-exporter|sinks)\//.test(f))).toEqual([]);
    // It does load the pipeline itself.
    expect(loaded).toContain('translate.ts');
    expect(loaded).toContain('normalize/normalize.ts');
  });

  it('imports no package but the vocabulary and node built-ins (no @opentelemetry/api)', () => {
    expect([...packages].filter((p) => !p.startsWith('node:')).sort()).toEqual(['@spantrack/conventions']);
  });

  it('the root entry does load the span processor (the check sees what it should)', () => {
    const root = runtimeGraph(`${src}index.ts`);
    expect(root.packages.has('@opentelemetry/api')).toBe(true);
    expect([...root.files].some((f) => f.endsWith('span-processor/analytics-span-processor.ts'))).toBe(true);
  });
});
