import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { describe, expect, it } from 'vitest';
import { detectInstrumentations, isInstalled } from '../src/instrumentations';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('instrumentations', () => {
  it('finds openai where the application can resolve it, without loading it', () => {
    expect(isInstalled('openai', [packageDir])).toBe(true);
    expect(isInstalled('openai', [mkdtempSync(join(tmpdir(), 'spantrack-'))])).toBe(false);
    expect(isInstalled('no-such-package-xyz', [packageDir])).toBe(false);
  });

  it('enables the official openai instrumentation when openai is installed, with the content setting', () => {
    const found = detectInstrumentations(true, (name) => name === 'openai');
    expect(found.modules).toEqual(['openai']);
    const [instrumentation] = found.instrumentations;
    expect(instrumentation).toBeInstanceOf(OpenAIInstrumentation);
    expect((instrumentation as OpenAIInstrumentation).getConfig().captureMessageContent).toBe(true);
    // Constructing an OTel instrumentation enables its hooks; undo that for the rest of the run.
    instrumentation?.disable();
    expect(detectInstrumentations(false, () => false)).toEqual({ instrumentations: [], modules: [] });
  });
});
