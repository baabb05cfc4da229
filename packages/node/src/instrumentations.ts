import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';

/** An LLM client spantrack instruments when the application has it installed. */
interface KnownInstrumentation {
  /** The package the application would import. */
  module: string;
  create(options: { captureContent: boolean }): Instrumentation;
}

/** Supported clients; spantrack's own LLM-client instrumentations join this list as they arrive. */
const KNOWN: readonly KnownInstrumentation[] = [
  {
    module: 'openai',
    create: ({ captureContent }) => new OpenAIInstrumentation({ captureMessageContent: captureContent }),
  },
];

/**
 * Whether `name` resolves from the application: from its working directory or its entry script's
 * directory. Never loads the package.
 */
export function isInstalled(name: string, fromDirs: readonly string[] = applicationDirs()): boolean {
  for (const dir of fromDirs) {
    try {
      createRequire(join(dir, 'spantrack-resolve.js')).resolve(name);
      return true;
    } catch {
      // not resolvable from here
    }
  }
  return false;
}

function applicationDirs(): string[] {
  const dirs = [process.cwd()];
  const entry = process.argv[1];
  if (entry !== undefined && entry !== '') dirs.push(dirname(resolve(entry)));
  return dirs;
}

export interface DetectedInstrumentations {
  instrumentations: Instrumentation[];
  /** Packages they patch, for the ESM loader hook's include list. */
  modules: string[];
}

/** Instrumentations of the supported LLM clients installed in the application. */
export function detectInstrumentations(
  captureContent: boolean,
  installed: (name: string) => boolean = isInstalled,
): DetectedInstrumentations {
  const found = KNOWN.filter((k) => installed(k.module));
  return {
    instrumentations: found.map((k) => k.create({ captureContent })),
    modules: found.map((k) => k.module),
  };
}

/** Every package spantrack can instrument (for the ESM loader hook). */
export const INSTRUMENTABLE_MODULES: readonly string[] = KNOWN.map((k) => k.module);
