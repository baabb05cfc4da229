import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation as OfficialOpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { OllamaInstrumentation } from '@spantrack/instrumentation-ollama';
import { OpenAIInstrumentation } from '@spantrack/instrumentation-openai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  applicationProbe,
  detectInstrumentations,
  INSTRUMENTABLE_MODULES,
  type InstallationProbe,
  installedVersion,
  isInstalled,
  KNOWN_INSTRUMENTATIONS,
  loaderHookSpecifier,
} from '../src/instrumentations';
import { satisfies } from '../src/version-range';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const made: Instrumentation[] = [];

afterEach(() => {
  // Constructing an OTel instrumentation enables its hooks; undo that for the rest of the run.
  for (const i of made.splice(0)) i.disable();
});

/** An application with these client versions installed, and these instrumentation packages. */
function probe(clients: Record<string, string>, packages: readonly string[] = []): InstallationProbe {
  return {
    version: (name) => clients[name],
    load: (name) => (packages.includes(name) ? applicationProbe.load(name) : undefined),
  };
}

function detect(captureContent: boolean, p: InstallationProbe) {
  const found = detectInstrumentations(captureContent, p);
  made.push(...found.instrumentations);
  return found;
}

describe('instrumentations', () => {
  it('finds installed packages and their versions without loading them', () => {
    expect(isInstalled('openai', [packageDir])).toBe(true);
    expect(isInstalled('openai', [mkdtempSync(join(tmpdir(), 'spantrack-'))])).toBe(false);
    expect(isInstalled('no-such-package-xyz', [packageDir])).toBe(false);
    expect(installedVersion('openai', [packageDir])).toMatch(/^6\./);
    expect(installedVersion('ollama', [packageDir])).toBe('0.6.4');
    expect(INSTRUMENTABLE_MODULES).toEqual(['openai', 'ollama']);
  });

  it('declares the same client ranges as the instrumentations themselves', () => {
    const classes: Record<string, new () => Instrumentation> = {
      '@opentelemetry/instrumentation-openai': OfficialOpenAIInstrumentation,
      '@spantrack/instrumentation-openai': OpenAIInstrumentation,
      '@spantrack/instrumentation-ollama': OllamaInstrumentation,
    };
    for (const row of KNOWN_INSTRUMENTATIONS) {
      const instance = new classes[row.package]!() as Instrumentation & {
        getModuleDefinitions(): { name: string; supportedVersions: string[] }[];
      };
      made.push(instance);
      const [definition] = instance.getModuleDefinitions();
      expect([definition?.name, definition?.supportedVersions]).toEqual([row.client, [row.versions]]);
    }
  });

  it('openai 6: the bundled official instrumentation, with the content setting', () => {
    const found = detect(true, probe({ openai: '6.49.0' }));
    expect(found.modules).toEqual(['openai']);
    expect(found.warnings).toEqual([]);
    expect(found.instrumentations[0]).toBeInstanceOf(OfficialOpenAIInstrumentation);
    expect(
      (found.instrumentations[0] as OfficialOpenAIInstrumentation).getConfig().captureMessageContent,
    ).toBe(true);
  });

  it('openai 7 and ollama: spantrack’s own instrumentations, loaded when installed', () => {
    const found = detect(
      false,
      probe({ openai: '7.59.0', ollama: '0.6.4' }, [
        '@spantrack/instrumentation-openai',
        '@spantrack/instrumentation-ollama',
      ]),
    );
    expect(found.warnings).toEqual([]);
    expect(found.modules).toEqual(['openai', 'ollama']);
    expect(found.instrumentations.map((i) => i.instrumentationName)).toEqual([
      '@spantrack/instrumentation-openai',
      '@spantrack/instrumentation-ollama',
    ]);
    expect(
      found.instrumentations.map(
        (i) => (i.getConfig() as { captureMessageContent?: boolean }).captureMessageContent,
      ),
    ).toEqual([false, false]);
  });

  it('warns, naming package and version, about a client it cannot instrument', () => {
    const found = detect(false, probe({ openai: '7.0.1', ollama: '0.6.4' }, []));
    expect(found.instrumentations).toEqual([]);
    expect(found.warnings).toEqual([
      'openai 7.0.1 is installed but @spantrack/instrumentation-openai is not: its calls make no spans and no analytics events. Fix: npm install @spantrack/instrumentation-openai',
      'ollama 0.6.4 is installed but @spantrack/instrumentation-ollama is not: its calls make no spans and no analytics events. Fix: npm install @spantrack/instrumentation-ollama',
    ]);
    const unknown = detect(false, probe({ openai: '8.0.0', ollama: '0.4.7' }));
    expect(unknown.instrumentations).toEqual([]);
    expect(unknown.warnings).toEqual([
      'openai 8.0.0 is installed but no instrumentation spantrack knows supports it (openai >=4.19.0 <7 with @opentelemetry/instrumentation-openai, >=7.0.0 <8 with @spantrack/instrumentation-openai): its calls make no spans and no analytics events. Use a supported openai version, or add an instrumentation for it with setup({ instrumentations: [...] }).',
      'ollama 0.4.7 is installed but no instrumentation spantrack knows supports it (ollama >=0.5.0 <1 with @spantrack/instrumentation-ollama): its calls make no spans and no analytics events. Use a supported ollama version, or add an instrumentation for it with setup({ instrumentations: [...] }).',
    ]);
  });

  it('a broken instrumentation package is a warning, not a crash', () => {
    const broken: InstallationProbe = {
      version: (name) => (name === 'ollama' ? '0.6.4' : undefined),
      load: () => {
        throw new Error('Unexpected token');
      },
    };
    expect(detect(false, broken)).toEqual({
      instrumentations: [],
      modules: [],
      warnings: [
        '@spantrack/instrumentation-ollama could not be loaded (Unexpected token): ollama 0.6.4 is not instrumented.',
      ],
    });
    const empty: InstallationProbe = { version: broken.version, load: () => ({}) };
    expect(detect(false, empty).warnings).toEqual([
      '@spantrack/instrumentation-ollama exports no OllamaInstrumentation: ollama 0.6.4 is not instrumented.',
    ]);
  });

  it('registers the loader hook of the application’s own @opentelemetry/instrumentation', () => {
    expect(loaderHookSpecifier([packageDir])).toMatch(
      /^file:.*\/@opentelemetry\/instrumentation\/hook\.mjs$/,
    );
    expect(loaderHookSpecifier([mkdtempSync(join(tmpdir(), 'spantrack-'))])).toBe(
      '@opentelemetry/instrumentation/hook.mjs',
    );
  });

  it('compares versions with the range syntax the table uses', () => {
    expect(satisfies('6.49.0', '>=4.19.0 <7')).toBe(true);
    expect(satisfies('7.0.0', '>=4.19.0 <7')).toBe(false);
    expect(satisfies('7.0.0-beta.1', '>=7.0.0 <8')).toBe(true);
    expect(satisfies('4.18.9', '>=4.19.0 <7')).toBe(false);
    expect(satisfies('0.6.4', '>=0.5.0 <1')).toBe(true);
    expect(satisfies('not-a-version', '>=0.5.0 <1')).toBe(false);
  });
});
