import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCycles, sourceFiles } from './import-graph';

const src = fileURLToPath(new URL('../../src', import.meta.url));

describe('the processor source has no import cycle', () => {
  it('finds a cycle when there is one (the check itself works)', () => {
    // The helper's own fixture: a.ts imports b.ts, b.ts imports a.ts (type-only).
    const fixtures = fileURLToPath(new URL('./fixtures/cycle', import.meta.url));
    expect(findCycles(sourceFiles(fixtures), fixtures)).toEqual([['a.ts', 'b.ts', 'a.ts']]);
  });

  it('normalize/: the sources import the source contract, which imports no source', () => {
    expect(findCycles(sourceFiles(join(src, 'normalize')), src)).toEqual([]);
  });

  it('src/ as a whole, type-only imports included', () => {
    expect(findCycles(sourceFiles(src), src)).toEqual([]);
  });
});
