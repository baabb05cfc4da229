import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation as OfficialOpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { satisfies } from './version-range';

type InstrumentationClass = new (config: { captureMessageContent?: boolean }) => Instrumentation;

/** An instrumentation of one LLM client's versions, and the package that provides it. */
interface KnownInstrumentation {
  /** The LLM client package the application imports. */
  client: string;
  /** The client versions it patches, as the instrumentation itself declares them. */
  versions: string;
  /** The package that provides it, and the class it exports. */
  package: string;
  exportName: string;
  /** Bundled with @spantrack/node, or loaded at run time when the application installed it. */
  bundled?: InstrumentationClass;
}

/** One row per (client, versions): the official instrumentation where it supports the client. */
export const KNOWN_INSTRUMENTATIONS: readonly KnownInstrumentation[] = [
  {
    client: 'openai',
    versions: '>=4.19.0 <7',
    package: '@opentelemetry/instrumentation-openai',
    exportName: 'OpenAIInstrumentation',
    bundled: OfficialOpenAIInstrumentation,
  },
  {
    client: 'openai',
    versions: '>=7.0.0 <8',
    package: '@spantrack/instrumentation-openai',
    exportName: 'OpenAIInstrumentation',
  },
  {
    client: 'ollama',
    versions: '>=0.5.0 <1',
    package: '@spantrack/instrumentation-ollama',
    exportName: 'OllamaInstrumentation',
  },
];

/** Every client package spantrack can instrument (for the ESM loader hook). */
export const INSTRUMENTABLE_MODULES: readonly string[] = [
  ...new Set(KNOWN_INSTRUMENTATIONS.map((k) => k.client)),
];

/** Where an application's packages resolve from: its working directory and its entry script's directory. */
function applicationDirs(): string[] {
  const dirs = [process.cwd()];
  const entry = process.argv[1];
  if (entry !== undefined && entry !== '') dirs.push(dirname(resolve(entry)));
  return dirs;
}

/** This package's own directory, so that its dependencies resolve too (ESM and CommonJS builds). */
function ownDir(): string | undefined {
  const url = (import.meta as { url?: string }).url;
  if (url !== undefined) return dirname(fileURLToPath(url));
  return typeof __dirname === 'string' ? __dirname : undefined;
}

function resolveFrom(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    try {
      return createRequire(join(dir, 'spantrack-resolve.js')).resolve(name);
    } catch {
      // not resolvable from here
    }
  }
  return undefined;
}

/**
 * Whether `name` resolves from the application: from its working directory or its entry script's
 * directory. Never loads the package.
 */
export function isInstalled(name: string, fromDirs: readonly string[] = applicationDirs()): boolean {
  return resolveFrom(name, fromDirs) !== undefined;
}

/**
 * The version of `name` the application would load, read from its package.json without loading
 * the package (whose `exports` may hide `./package.json`).
 */
export function installedVersion(
  name: string,
  fromDirs: readonly string[] = applicationDirs(),
): string | undefined {
  const entry = resolveFrom(name, fromDirs);
  if (entry === undefined) return undefined;
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === name) return typeof pkg.version === 'string' ? pkg.version : undefined;
    } catch {
      // no package.json here
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const LOADER_HOOK = '@opentelemetry/instrumentation/hook.mjs';

/**
 * The ESM loader hook to register: the one of the application's own `@opentelemetry/instrumentation`
 * when it has one (spantrack's instrumentations take that copy as their peer, and the hook and the
 * instrumentations must share one import-in-the-middle), else this package's.
 */
export function loaderHookSpecifier(fromDirs: readonly string[] = applicationDirs()): string {
  const resolved = resolveFrom(LOADER_HOOK, fromDirs);
  return resolved !== undefined ? pathToFileURL(resolved).href : LOADER_HOOK;
}

/** What detection needs from the environment; tests replace it. */
export interface InstallationProbe {
  /** Version of an installed package, or undefined. */
  version(name: string): string | undefined;
  /** Loads an installed package's exports, or undefined when it is not installed. */
  load(name: string): Record<string, unknown> | undefined;
}

export const applicationProbe: InstallationProbe = {
  version: (name) => installedVersion(name),
  load: (name) => {
    const own = ownDir();
    const entry = resolveFrom(name, own !== undefined ? [...applicationDirs(), own] : applicationDirs());
    if (entry === undefined) return undefined;
    return createRequire(entry)(entry) as Record<string, unknown>;
  },
};

export interface DetectedInstrumentations {
  instrumentations: Instrumentation[];
  /** Clients they patch, for the ESM loader hook's include list. */
  modules: string[];
  /** One per installed client spantrack cannot instrument: what, which version, and the fix. */
  warnings: string[];
}

/**
 * Instrumentations of the LLM clients installed in the application: for each installed client,
 * the instrumentation whose range includes its version, when that instrumentation's package is
 * installed. Clients left uninstrumented get a warning naming package and version.
 */
export function detectInstrumentations(
  captureContent: boolean,
  probe: InstallationProbe = applicationProbe,
): DetectedInstrumentations {
  const found: DetectedInstrumentations = { instrumentations: [], modules: [], warnings: [] };
  for (const client of INSTRUMENTABLE_MODULES) {
    const version = probe.version(client);
    if (version === undefined) continue;
    const rows = KNOWN_INSTRUMENTATIONS.filter((k) => k.client === client);
    const row = rows.find((k) => satisfies(version, k.versions));
    if (row === undefined) {
      const known = rows.map((k) => `${k.versions} with ${k.package}`).join(', ');
      found.warnings.push(
        `${client} ${version} is installed but no instrumentation spantrack knows supports it (${client} ${known}): its calls make no spans and no analytics events. Use a supported ${client} version, or add an instrumentation for it with setup({ instrumentations: [...] }).`,
      );
      continue;
    }
    let Class = row.bundled;
    if (Class === undefined) {
      let exports: Record<string, unknown> | undefined;
      try {
        exports = probe.load(row.package);
      } catch (error) {
        found.warnings.push(
          `${row.package} could not be loaded (${error instanceof Error ? error.message : String(error)}): ${client} ${version} is not instrumented.`,
        );
        continue;
      }
      if (exports === undefined) {
        found.warnings.push(
          `${client} ${version} is installed but ${row.package} is not: its calls make no spans and no analytics events. Fix: npm install ${row.package}`,
        );
        continue;
      }
      Class = exports[row.exportName] as InstrumentationClass | undefined;
      if (typeof Class !== 'function') {
        found.warnings.push(
          `${row.package} exports no ${row.exportName}: ${client} ${version} is not instrumented.`,
        );
        continue;
      }
    }
    found.instrumentations.push(new Class({ captureMessageContent: captureContent }));
    found.modules.push(client);
  }
  return found;
}
