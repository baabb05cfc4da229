import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPLETION_TOKENS,
  type FakeOllama,
  PROMPT_TOKENS,
  startFakeOllama,
} from './support/fake-ollama-server';

/*
 * The built package in child processes, as applications load it: `require('ollama')` patched by
 * require-in-the-middle, and `import { Ollama } from 'ollama'` patched through the
 * @opentelemetry/instrumentation loader hook registered with `node --import`.
 */

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, 'fixtures');
const execFileAsync = promisify(execFile);
let server: FakeOllama;

beforeAll(async () => {
  if (!existsSync(join(here, '..', 'dist', 'index.cjs'))) {
    throw new Error('build @spantrack/instrumentation-ollama first (npx turbo run build)');
  }
  server = await startFakeOllama();
});
afterAll(() => server.close());

async function spansOf(args: string[]): Promise<{ name: string; attributes: Record<string, unknown> }[]> {
  const env: Record<string, string | undefined> = { ...process.env, FAKE_OLLAMA_URL: server.url };
  delete env.NODE_OPTIONS;
  delete env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
  const { stdout } = await execFileAsync(process.execPath, args, { cwd: fixtures, env, timeout: 20_000 });
  const line = stdout.split('\n').find((l) => l.startsWith('SPANS '));
  expect(line, stdout).toBeDefined();
  return JSON.parse(line!.slice('SPANS '.length));
}

describe('module systems', () => {
  it('instruments require("ollama") in a CommonJS application', async () => {
    const spans = await spansOf(['app.cjs']);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      name: 'chat llama3.2:3b',
      attributes: {
        'gen_ai.provider.name': 'ollama',
        'gen_ai.usage.input_tokens': PROMPT_TOKENS,
        'gen_ai.usage.output_tokens': COMPLETION_TOKENS,
      },
    });
  });

  it('instruments import { Ollama } from "ollama" under --import with the loader hook', async () => {
    const spans = await spansOf(['--import', './telemetry.mjs', 'app.mjs']);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      name: 'chat llama3.2:3b',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.usage.input_tokens': PROMPT_TOKENS,
        'gen_ai.usage.output_tokens': COMPLETION_TOKENS,
      },
    });
  });
});
