import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPLETION_TOKENS,
  type FakeOpenAI,
  PROMPT_TOKENS,
  startFakeOpenAI,
} from './support/fake-openai-server';

/*
 * The built package in child processes, as applications load it, under the module's real name:
 * an application directory whose `node_modules/openai` is the openai 7 installed here as
 * `openai7` (a symlink, read with --preserve-symlinks so the hooks see the path `openai`).
 * `require('openai')` is patched by require-in-the-middle; `import OpenAI from 'openai'` through
 * the @opentelemetry/instrumentation loader hook registered with --import.
 */

const here = dirname(fileURLToPath(import.meta.url));
const app = join(here, 'fixtures', '.openai7-app');
const execFileAsync = promisify(execFile);
let server: FakeOpenAI;

beforeAll(async () => {
  if (!existsSync(join(here, '..', 'dist', 'index.cjs'))) {
    throw new Error('build @spantrack/instrumentation-openai first (npx turbo run build)');
  }
  rmSync(app, { recursive: true, force: true });
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  const openai7 = dirname(createRequire(import.meta.url).resolve('openai7'));
  symlinkSync(openai7, join(app, 'node_modules', 'openai'), 'dir');
  for (const file of ['telemetry.cjs', 'telemetry.mjs', 'app.cjs', 'app.mjs']) {
    cpSync(join(here, 'fixtures', file), join(app, file));
  }
  server = await startFakeOpenAI();
});

afterAll(async () => {
  await server?.close();
  rmSync(app, { recursive: true, force: true });
});

async function spansOf(args: string[]): Promise<{ name: string; attributes: Record<string, unknown> }[]> {
  const env: Record<string, string | undefined> = { ...process.env, FAKE_OPENAI_URL: server.baseURL };
  delete env.NODE_OPTIONS;
  const { stdout } = await execFileAsync(process.execPath, ['--preserve-symlinks', ...args], {
    cwd: app,
    env,
    timeout: 20_000,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('SPANS '));
  expect(line, stdout).toBeDefined();
  return JSON.parse(line!.slice('SPANS '.length));
}

const expected = {
  name: 'chat gpt-4o-mini',
  attributes: {
    'gen_ai.provider.name': 'openai',
    'gen_ai.usage.input_tokens': PROMPT_TOKENS,
    'gen_ai.usage.output_tokens': COMPLETION_TOKENS,
  },
};

describe('module systems (openai 7)', () => {
  it('instruments require("openai") in a CommonJS application', async () => {
    const spans = await spansOf(['--require', './telemetry.cjs', 'app.cjs']);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject(expected);
  });

  it('instruments import OpenAI from "openai" under --import with the loader hook', async () => {
    const spans = await spansOf(['--import', './telemetry.mjs', 'app.mjs']);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject(expected);
  });
});
