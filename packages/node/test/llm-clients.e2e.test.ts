import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver';

/*
 * The register entry with LLM clients other than the official instrumentation's: the real `ollama`
 * client, patched by @spantrack/instrumentation-ollama under `--import` (ESM loader hook) and
 * `--require`, against a fake Ollama on 127.0.0.1; and the warning for a client version nothing
 * instruments. Runs the built dist.
 */

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = (name: string) => join(packageDir, 'test', 'fixtures', name);
const oldClientApp = join(packageDir, 'test', 'fixtures', '.old-ollama-app');

let otlp: OtlpReceiver;
let ollama: Server;
let ollamaUrl = '';

beforeAll(async () => {
  for (const dir of ['node', 'instrumentation-ollama']) {
    if (!existsSync(join(packageDir, '..', dir, 'dist', 'index.js'))) {
      throw new Error(`packages/${dir}/dist is missing: build first (npx turbo run build)`);
    }
  }
  otlp = await startOtlpReceiver();
  ollama = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          model: 'llama3.2:3b',
          message: { role: 'assistant', content: 'nil_filing' },
          done: true,
          done_reason: 'stop',
          prompt_eval_count: 120,
          eval_count: 15,
        }),
      );
    });
  });
  ollama.listen(0, '127.0.0.1');
  await once(ollama, 'listening');
  ollamaUrl = `http://127.0.0.1:${(ollama.address() as AddressInfo).port}`;
  // An application with an ollama older than any instrumentation supports.
  rmSync(oldClientApp, { recursive: true, force: true });
  mkdirSync(join(oldClientApp, 'node_modules', 'ollama'), { recursive: true });
  writeFileSync(
    join(oldClientApp, 'node_modules', 'ollama', 'package.json'),
    JSON.stringify({ name: 'ollama', version: '0.4.7', main: 'index.js' }),
  );
  writeFileSync(join(oldClientApp, 'node_modules', 'ollama', 'index.js'), 'module.exports = {};\n');
  writeFileSync(join(oldClientApp, 'app.mjs'), "import 'ollama';\nconsole.log('app done');\n");
});

afterAll(async () => {
  await otlp?.close();
  ollama?.closeAllConnections();
  ollama?.close();
  rmSync(oldClientApp, { recursive: true, force: true });
});

beforeEach(() => {
  otlp.requests.length = 0;
});

function run(args: string[], cwd = packageDir): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('OTEL_') && !k.startsWith('SPANTRACK_') && !k.startsWith('VITEST')) env[k] = v;
  }
  const child = spawn(process.execPath, args, {
    cwd,
    env: {
      ...env,
      NODE_OPTIONS: '',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      SPANTRACK_SINK: 'none',
      // Warnings only: the started/exiting status lines are not what these tests are about.
      SPANTRACK_LOG_LEVEL: 'warn',
      FAKE_OLLAMA_URL: ollamaUrl,
    },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('register entry with the ollama client', () => {
  it('ESM: `import { Ollama } from "ollama"` under --import makes a chat span', async () => {
    const result = await run(['--import', '@spantrack/node/register', fixture('ollama-agent.mjs')]);
    expect(result).toEqual({ code: 0, output: 'agent done nil_filing\n' });
    expect(otlp.spanNames()).toEqual(['chat llama3.2:3b']);
  });

  it('CommonJS: `require("ollama")` under --require makes a chat span', async () => {
    const result = await run(['--require', '@spantrack/node/register', fixture('ollama-agent.cjs')]);
    expect(result).toEqual({ code: 0, output: 'agent done nil_filing\n' });
    expect(otlp.spanNames()).toEqual(['chat llama3.2:3b']);
  });

  it('warns once, naming package and version, when the installed client cannot be instrumented', async () => {
    const result = await run(['--import', '@spantrack/node/register', 'app.mjs'], oldClientApp);
    expect(result.code).toBe(0);
    const warnings = result.output.split('\n').filter((l) => l.startsWith('[spantrack]'));
    expect(warnings).toEqual([
      '[spantrack] ollama 0.4.7 is installed but no instrumentation spantrack knows supports it (ollama >=0.5.0 <1 with @spantrack/instrumentation-ollama): its calls make no spans and no analytics events. Use a supported ollama version, or add an instrumentation for it with setup({ instrumentations: [...] }).',
    ]);
    expect(result.output).toContain('app done');
  });
});
