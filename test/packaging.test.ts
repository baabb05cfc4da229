import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, exportTargets, run } from './helpers/child-process';

/*
 * The packages as a user gets them: `npm pack` of conventions, instrumentation, processor and the
 * two LLM-client instrumentations, installed from the tarballs into fresh directories outside the
 * monorepo, once per OpenTelemetry JS release line at its oldest and newest versions:
 *
 *   - the 2.x SDK line: `@opentelemetry/api` 1.3.0 to 1.9.1, `@opentelemetry/sdk-trace-base` 2.0.0 to
 *     2.12.1, `@opentelemetry/instrumentation` 0.200.0 to 0.223.0;
 *   - the 3.x SDK line: `@opentelemetry/api` 1.10.0, `@opentelemetry/sdk-trace` 3.0.0 to 3.1.1 (there
 *     is no sdk-trace-base 3.x), `@opentelemetry/instrumentation` 0.300.0 to 0.301.1. Its packages
 *     declare Node 22 in `engines`; they install (an EBADENGINE warning) and run on Node 20.
 *
 * In each, an ESM script (`import`, with the instrumentation loader hook under `--import`) and a CJS
 * script (`require`) track a classification by hand and call the real `ollama` client against a
 * local server, which the Ollama instrumentation turns into a generation. A TypeScript consumer
 * (`nodenext`, so the `import` and `require` conditions of each `exports` map pick their own d.ts;
 * `skipLibCheck: false`) passes the span processor and the exporter to the line's own provider.
 * On the oldest 2.x and the newest 3.x versions, @spantrack/node is installed too, and
 * `node --import` / `--require @spantrack/node/register` apps must get the Ollama instrumentation
 * from setup() alone (it bundles the 2.x SDK it is built with; npm warns about its peers on the
 * 3.x line and installs).
 *
 * Needs the packages built (`npm test` builds them first) and the npm registry for the peers,
 * `@segment/analytics-node`, `ollama`, the SDK packages of @spantrack/node and TypeScript. The four
 * installs run at once and share the npm cache.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = [
  'conventions',
  'instrumentation',
  'processor',
  'instrumentation-ollama',
  'instrumentation-openai',
  'node',
] as const;

// The declared peer ranges. A change of a declared range must come with a change of the lines below.
const API_RANGE = '>=1.3.0 <1.11.0';
const INSTRUMENTATION_RANGE = '>=0.200.0 <0.400.0';

interface Line {
  id: string;
  api: string;
  /** The tracing SDK package of the line, and its version. */
  sdkPackage: '@opentelemetry/sdk-trace-base' | '@opentelemetry/sdk-trace';
  sdk: string;
  // Without a registered context manager there is no scope at all, even around synchronous code:
  // the API's NoopContextManager makes `context.with` a plain call, and the message would have no userId.
  contextManager: string;
  instrumentation: string;
  /** Install @spantrack/node too (its SDK dependencies make the install slow: two lines only). */
  withNode: boolean;
}

const LINES: readonly Line[] = [
  {
    id: 'SDK 2.x, oldest',
    api: '1.3.0',
    sdkPackage: '@opentelemetry/sdk-trace-base',
    sdk: '2.0.0',
    contextManager: '2.0.0',
    instrumentation: '0.200.0',
    withNode: true,
  },
  {
    id: 'SDK 2.x, newest',
    api: '1.9.1',
    sdkPackage: '@opentelemetry/sdk-trace-base',
    sdk: '2.12.1',
    contextManager: '2.12.1',
    instrumentation: '0.223.0',
    withNode: false,
  },
  {
    id: 'SDK 3.x, oldest',
    api: '1.10.0',
    sdkPackage: '@opentelemetry/sdk-trace',
    sdk: '3.0.0',
    contextManager: '3.0.0',
    instrumentation: '0.300.0',
    withNode: false,
  },
  {
    id: 'SDK 3.x, newest',
    api: '1.10.0',
    sdkPackage: '@opentelemetry/sdk-trace',
    sdk: '3.1.1',
    contextManager: '3.1.1',
    instrumentation: '0.301.1',
    withNode: true,
  },
];
const OLLAMA = '0.6.4';
const TYPESCRIPT = '5.9.3';
const TYPES_NODE = '20';

const MARKER = 'SPANTRACK_CONSUMER_RESULT ';
const USER_ID = '+254712345678';

// --- the consumer scripts, one body for both module systems -----------------------------------------

const CONSUMER_BODY = `
function loaded(name) {
  // The package.json of the copy the resolver picks for this module system.
  let dir = dirname(resolved(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === name) return { version: pkg.version, dir };
    } catch {}
    const up = dirname(dir);
    if (up === dir) throw new Error('no package.json of ' + name);
    dir = up;
  }
}

/** A stand-in for a local Ollama on 127.0.0.1: one chat answer with usage. */
async function startModelServer() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        model: 'llama3.2:3b',
        message: { role: 'assistant', content: 'Sure, send your KRA PIN.' },
        done: true,
        done_reason: 'stop',
        prompt_eval_count: 120,
        eval_count: 15,
      }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function main() {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const sink = new MemorySink();
  // The 2.x line calls it BasicTracerProvider, the 3.x line TracerProvider.
  const Provider = sdk.BasicTracerProvider ?? sdk.TracerProvider;
  const provider = new Provider({
    spanProcessors: [new ContextAttributesSpanProcessor(), new AnalyticsSpanProcessor({ sink })],
  });
  registerInstrumentations({
    instrumentations: [new OllamaInstrumentation(), new OpenAIInstrumentation()],
    tracerProvider: provider,
  });
  const server = await startModelServer();
  const { Ollama } = await loadOllama();
  const ollama = new Ollama({ host: 'http://127.0.0.1:' + server.address().port });
  const tracker = new AgentTracker({ tracerProvider: provider, channel: 'whatsapp' });
  const result = await tracker.withContext({ userId: '${USER_ID}' }, async () => {
    const classified = tracker.classify({ model: 'llama3.2:3b' }, (h) => {
      h.setUsage({ inputTokens: 120, outputTokens: 15 });
      return { intent: 'nil_filing', confidence: 0.99 };
    });
    // An instrumented client call outside any tracker call: a generation of its own.
    await ollama.chat({ model: 'llama3.2:3b', stream: false, messages: [{ role: 'user', content: 'nil returns' }] });
    return classified;
  });
  await provider.forceFlush();
  server.close();
  const out = {
    result,
    loaded: {
      api: loaded('@opentelemetry/api'),
      sdk: loaded(SDK),
      otelInstrumentation: loaded('@opentelemetry/instrumentation'),
      instrumentation: loaded('@spantrack/instrumentation'),
      processor: loaded('@spantrack/processor'),
      conventions: loaded('@spantrack/conventions'),
      instrumentationOllama: loaded('@spantrack/instrumentation-ollama'),
      instrumentationOpenai: loaded('@spantrack/instrumentation-openai'),
    },
    messages: sink.messages,
  };
  console.log('${MARKER}' + JSON.stringify(out));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

function esmConsumer(line: Line): string {
  return `import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import * as sdk from '${line.sdkPackage}';
import { AgentTracker, ContextAttributesSpanProcessor } from '@spantrack/instrumentation';
import { OllamaInstrumentation } from '@spantrack/instrumentation-ollama';
import { OpenAIInstrumentation } from '@spantrack/instrumentation-openai';
import { AnalyticsSpanProcessor, MemorySink } from '@spantrack/processor';

const SDK = '${line.sdkPackage}';
const resolved = (name) => fileURLToPath(import.meta.resolve(name));
// Patched through the loader hook that hook.mjs registered (node --import ./hook.mjs).
const loadOllama = () => import('ollama');
${CONSUMER_BODY}`;
}

function cjsConsumer(line: Line): string {
  return `'use strict';
const { readFileSync } = require('node:fs');
const { createServer } = require('node:http');
const { dirname, join } = require('node:path');
const { context } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const sdk = require('${line.sdkPackage}');
const { AgentTracker, ContextAttributesSpanProcessor } = require('@spantrack/instrumentation');
const { OllamaInstrumentation } = require('@spantrack/instrumentation-ollama');
const { OpenAIInstrumentation } = require('@spantrack/instrumentation-openai');
const { AnalyticsSpanProcessor, MemorySink } = require('@spantrack/processor');

const SDK = '${line.sdkPackage}';
const resolved = (name) => require.resolve(name);
const loadOllama = async () => require('ollama');
${CONSUMER_BODY}`;
}

const HOOK = `import { register } from 'node:module';
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: ['ollama'] } });
`;

// @spantrack/node as the zero-code entry loads it: env vars only, events printed by the console sink.
const NODE_APP_BODY = `
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      model: 'llama3.2:3b',
      message: { role: 'assistant', content: 'ok' },
      done: true,
      prompt_eval_count: 3,
      eval_count: 2,
    }));
  });
});
server.listen(0, '127.0.0.1', async () => {
  const tracker = new AgentTracker({ channel: 'whatsapp' });
  const ollama = new Ollama({ host: 'http://127.0.0.1:' + server.address().port });
  await tracker.withContext({ userId: '${USER_ID}' }, () =>
    ollama.chat({ model: 'llama3.2:3b', stream: false, messages: [{ role: 'user', content: 'hi' }] }),
  );
  server.close();
});
`;

const NODE_ESM_APP = `import { createServer } from 'node:http';
import { AgentTracker } from '@spantrack/instrumentation';
import { Ollama } from 'ollama';
${NODE_APP_BODY}`;

const NODE_CJS_APP = `'use strict';
const { createServer } = require('node:http');
const { AgentTracker } = require('@spantrack/instrumentation');
const { Ollama } = require('ollama');
${NODE_APP_BODY}`;

// Compiled as .mts (the `import` condition: dist/index.d.ts) and as .cts (the `require` condition:
// dist/index.d.cts), against the line's own SDK types: the span processor and the exporter must be
// the line's `SpanProcessor` and `SpanExporter`, and take its `ReadableSpan`s and result callback.
// The @ts-expect-error lines fail the compile if an export's type is `any`.
function tsConsumer(line: Line): string {
  // The 3.x line renamed BasicTracerProvider to TracerProvider, and its span processors take an
  // options object ({ exporter }) where the 2.x line takes the exporter.
  const v3 = line.sdkPackage === '@opentelemetry/sdk-trace';
  const provider = v3 ? 'TracerProvider' : 'BasicTracerProvider';
  const exporterArg = (exporter: string) => (v3 ? `{ exporter: ${exporter} }` : exporter);
  const node = line.withNode
    ? `import { createSpanProcessors, getSetup, type SpantrackNodeOptions } from '@spantrack/node';

const nodeOptions: SpantrackNodeOptions = { serviceName: 'kra-bot', autoInstrument: true };
const running = getSetup()?.state;
// What @spantrack/node builds fits the line's provider too.
const nodeProvider = new Provider({ spanProcessors: [...createSpanProcessors(nodeOptions).spanProcessors] });
export { nodeProvider, running };
`
    : '';
  return `import {
  ${provider} as Provider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '${line.sdkPackage}';
import { AgentTracker, ContextAttributesSpanProcessor } from '@spantrack/instrumentation';
import { OllamaInstrumentation, type OllamaInstrumentationConfig } from '@spantrack/instrumentation-ollama';
import { OpenAIInstrumentation } from '@spantrack/instrumentation-openai';
import {
  AnalyticsSpanExporter,
  AnalyticsSpanProcessor,
  type AnalyticsMessage,
  MemorySink,
} from '@spantrack/processor';
import { AiAgentEvent } from '@spantrack/conventions';
${node}
const sink = new MemorySink();
const processor: SpanProcessor = new AnalyticsSpanProcessor({ sink });
const exporter: SpanExporter = new AnalyticsSpanExporter({ sink });
const memory = new InMemorySpanExporter();
const provider = new Provider({
  spanProcessors: [
    new ContextAttributesSpanProcessor(),
    processor,
    new BatchSpanProcessor(${exporterArg('new AnalyticsSpanExporter({ sink })')}),
    new SimpleSpanProcessor(${exporterArg('memory')}),
  ],
});
const tracker: AgentTracker = new AgentTracker({ tracerProvider: provider, channel: 'whatsapp' });
const result: { intent: string; confidence: number } = tracker.classify({ model: 'llama3.2:3b' }, (h) => {
  h.setUsage({ inputTokens: 120, outputTokens: 15 });
  return { intent: 'nil_filing', confidence: 0.99 };
});
// The exporter takes the line's ended spans and its own result callback as they are.
const ended: ReadableSpan[] = memory.getFinishedSpans();
type ExportCallback = Parameters<SpanExporter['export']>[1];
const onResult: ExportCallback = (outcome) => {
  if (outcome.error !== undefined) throw outcome.error;
};
new AnalyticsSpanExporter({ sink }).export(ended, onResult);
const first: AnalyticsMessage | undefined = sink.messages[0];
const event: 'ai.classification' = AiAgentEvent.CLASSIFICATION;
const config: OllamaInstrumentationConfig = { captureMessageContent: false, enabled: false };
const instrumentations = [new OllamaInstrumentation(config), new OpenAIInstrumentation({ enabled: false })];
// @ts-expect-error the event names are literal types
const wrongEvent: 'ai.generation' = AiAgentEvent.CLASSIFICATION;
// @ts-expect-error a channel is a string
const wrongTracker = new AgentTracker({ channel: 42 });
// @ts-expect-error captureMessageContent is a boolean
const wrongConfig = new OllamaInstrumentation({ captureMessageContent: 'yes' });
// @ts-expect-error the exporter takes spans, not strings
new AnalyticsSpanExporter({ sink }).export(['span'], onResult);

export { event, exporter, first, instrumentations, result, wrongConfig, wrongEvent, wrongTracker };
`;
}

const TS_CONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    types: ['node'],
  },
  files: ['consumer.mts', 'consumer.cts'],
};

// --- setup --------------------------------------------------------------------------------------------

interface PackedFile {
  filename: string;
  name: string;
  files: { path: string }[];
}

let tmp = '';
const packed = new Map<string, PackedFile>();
/** The consumer directory of each line. */
const consumers = new Map<Line, string>();

async function installConsumer(line: Line, tarballs: string, index: number): Promise<string> {
  const dir = join(tmp, `consumer-${index}`);
  mkdirSync(dir);
  const dependencies: Record<string, string> = {
    '@opentelemetry/api': line.api,
    [line.sdkPackage]: line.sdk,
    '@opentelemetry/context-async-hooks': line.contextManager,
    '@opentelemetry/instrumentation': line.instrumentation,
    ollama: OLLAMA,
  };
  dependencies.typescript = TYPESCRIPT;
  dependencies['@types/node'] = TYPES_NODE;
  for (const [name, entry] of packed) {
    if (name === '@spantrack/node' && !line.withNode) continue;
    dependencies[name] = `file:${join(tarballs, entry.filename)}`;
  }
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'spantrack-packaging-consumer', version: '0.0.0', private: true, dependencies }),
  );
  writeFileSync(join(dir, 'esm.mjs'), esmConsumer(line));
  writeFileSync(join(dir, 'cjs.cjs'), cjsConsumer(line));
  writeFileSync(join(dir, 'hook.mjs'), HOOK);
  writeFileSync(join(dir, 'node-app.mjs'), NODE_ESM_APP);
  writeFileSync(join(dir, 'node-app.cjs'), NODE_CJS_APP);
  writeFileSync(join(dir, 'consumer.mts'), tsConsumer(line));
  writeFileSync(join(dir, 'consumer.cts'), tsConsumer(line));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TS_CONFIG, null, 2));
  // Plain `npm install`: peer conflicts fail it, as they would fail a user's install.
  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--include=dev', '--prefer-offline'],
    dir,
    240_000,
  );
  if (install.code !== 0) throw new Error(describeRun(`npm install (${line.id})`, install));
  return dir;
}

beforeAll(async () => {
  for (const dir of PACKAGES) {
    for (const file of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']) {
      const path = join(root, 'packages', dir, 'dist', file);
      if (!existsSync(path)) {
        throw new Error(
          `${path} is missing: build the packages first (npm test does, or ` +
            '`TURBO_TELEMETRY_DISABLED=1 npx turbo run build`)',
        );
      }
    }
  }
  // The real path, so it compares with the paths node and tsc resolve (macOS: /var is /private/var).
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'spantrack-packaging-')));
  const tarballs = join(tmp, 'tarballs');
  mkdirSync(tarballs);

  const workspaces = PACKAGES.flatMap((dir) => ['-w', `@spantrack/${dir}`]);
  const pack = await run(
    'npm',
    ['pack', ...workspaces, '--pack-destination', tarballs, '--json'],
    root,
    60_000,
  );
  if (pack.code !== 0) throw new Error(describeRun('npm pack', pack));
  for (const entry of JSON.parse(pack.stdout) as PackedFile[]) packed.set(entry.name, entry);
  for (const dir of PACKAGES) {
    if (!packed.has(`@spantrack/${dir}`)) throw new Error(`npm pack made no tarball of @spantrack/${dir}`);
  }
  // At once: the installs wait on the registry and the cache far more than on the CPU.
  const dirs = await Promise.all(LINES.map((line, i) => installConsumer(line, tarballs, i)));
  for (const [i, line] of LINES.entries()) consumers.set(line, dirs[i]!);
}, 300_000);

// Four node_modules trees: more files than a default hook timeout allows on a busy machine.
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
}, 120_000);

// --- helpers over the installed consumers ---------------------------------------------------------------

function installedPackageJson(consumer: string, name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(consumer, 'node_modules', name, 'package.json'), 'utf8'));
}

/** The package name of every bare specifier a built file imports or requires. */
function importedPackages(code: string): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const m of code.matchAll(pattern)) {
      const spec = m[1]!;
      if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) continue;
      const parts = spec.split('/');
      const name = spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
      if (builtinModules.includes(name)) continue;
      names.add(name);
    }
  }
  return names;
}

/** Every copy of a package anywhere under a consumer's node_modules. */
function copiesOf(name: string, dir: string): string[] {
  const found: string[] = [];
  if (existsSync(join(dir, name, 'package.json'))) found.push(join(dir, name));
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '.bin') continue;
    const pkgDirs = entry.name.startsWith('@')
      ? readdirSync(join(dir, entry.name)).map((n) => join(dir, entry.name, n))
      : [join(dir, entry.name)];
    for (const pkgDir of pkgDirs) {
      const nested = join(pkgDir, 'node_modules');
      if (existsSync(nested)) found.push(...copiesOf(name, nested));
    }
  }
  return found;
}

interface ConsumerOutput {
  result: unknown;
  loaded: Record<string, { version: string; dir: string }>;
  messages: Record<string, unknown>[];
}

async function runConsumer(consumer: string, args: string[]): Promise<ConsumerOutput> {
  const r = await run(process.execPath, args, consumer, 30_000);
  expect(r.code, describeRun(`node ${args.join(' ')}`, r)).toBe(0);
  const line = r.stdout.split('\n').find((l) => l.startsWith(MARKER));
  expect(line, describeRun(`node ${args.join(' ')}`, r)).toBeDefined();
  return JSON.parse(line!.slice(MARKER.length)) as ConsumerOutput;
}

function expectEvents(line: Line, consumer: string, out: ConsumerOutput): void {
  expect(out.result).toEqual({ intent: 'nil_filing', confidence: 0.99 });
  // What was loaded: the line's versions and the packed packages, all from the consumer's own tree.
  expect(out.loaded.api!.version).toBe(line.api);
  expect(out.loaded.sdk!.version).toBe(line.sdk);
  expect(out.loaded.otelInstrumentation!.version).toBe(line.instrumentation);
  for (const { dir } of Object.values(out.loaded)) {
    expect(dir.startsWith(join(consumer, 'node_modules'))).toBe(true);
  }

  expect(out.messages.map((m) => m.event)).toEqual(['ai.classification', 'ai.generation']);
  const [classification, generation] = out.messages;
  expect(classification).toMatchObject({ type: 'track', event: 'ai.classification', userId: USER_ID });
  const properties = classification!.properties as Record<string, unknown>;
  expect(properties).toEqual({
    detected_intent: 'nil_filing',
    confidence: 0.99,
    latency_ms: expect.any(Number),
    prompt_tokens: 120,
    completion_tokens: 15,
    model: 'llama3.2:3b',
  });
  expect(Number.isInteger(properties.latency_ms)).toBe(true);
  expect(properties.latency_ms as number).toBeGreaterThanOrEqual(0);
  expect((classification!.context as Record<string, unknown>).channel).toBe('whatsapp');
  // The Ollama instrumentation's span, in the tracker's scope: the user is known.
  expect(generation).toMatchObject({ type: 'track', event: 'ai.generation', userId: USER_ID });
  // The model call's own usage, as the Ollama instrumentation reports it.
  expect(generation!.properties).toEqual({
    latency_ms: expect.any(Number),
    model: 'llama3.2:3b',
    prompt_tokens: expect.any(Number),
    completion_tokens: expect.any(Number),
  });
}

// --- tests ----------------------------------------------------------------------------------------------

describe('packaging: the packed packages', () => {
  const first = () => consumers.get(LINES[0]!)!;

  it.each(PACKAGES)('@spantrack/%s declares the peer ranges the lines below cover', (dir) => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as {
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const peers = pkg.peerDependencies ?? {};
    if (dir === 'conventions') {
      expect(peers).toEqual({});
      return;
    }
    expect(peers['@opentelemetry/api']).toBe(API_RANGE);
    // The span processor and the exporter are typed structurally: no SDK line is a peer.
    expect(peers['@opentelemetry/sdk-trace-base']).toBeUndefined();
    expect(peers['@opentelemetry/sdk-trace']).toBeUndefined();
    // The LLM-client instrumentations need it; @spantrack/instrumentation only for the base class of
    // its `model-call` subpath, which they share: an optional peer there.
    const instrumentsAClient = dir.startsWith('instrumentation-');
    expect(peers['@opentelemetry/instrumentation']).toBe(
      instrumentsAClient || dir === 'instrumentation' ? INSTRUMENTATION_RANGE : undefined,
    );
    expect(pkg.peerDependenciesMeta?.['@opentelemetry/instrumentation']?.optional).toBe(
      dir === 'instrumentation' ? true : undefined,
    );
  });

  it.each(PACKAGES)('@spantrack/%s names its repository folder and ships the repository LICENSE', (dir) => {
    const name = `@spantrack/${dir}`;
    const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as {
      repository?: unknown;
    };
    expect(pkg.repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/spantrack/spantrack.git',
      directory: `packages/${dir}`,
    });
    expect(packed.get(name)!.files.map((f) => f.path)).toContain('LICENSE');
    // The copy installed from the tarball is the repository's license, word for word.
    expect(readFileSync(join(first(), 'node_modules', name, 'LICENSE'), 'utf8')).toBe(
      readFileSync(join(root, 'LICENSE'), 'utf8'),
    );
  });

  it.each(PACKAGES)(
    '@spantrack/%s packs dist, README and LICENSE only (and its tracking plans), with every entry point',
    (dir) => {
      const name = `@spantrack/${dir}`;
      const files = new Set(packed.get(name)!.files.map((f) => f.path));
      for (const path of files) {
        const plan = dir === 'conventions' && /^tracking-plans\/[a-z-]+\.json$/.test(path);
        expect(
          ['package.json', 'README.md', 'LICENSE'].includes(path) || path.startsWith('dist/') || plan,
          path,
        ).toBe(true);
      }
      const pkg = installedPackageJson(first(), name);
      const entryPoints = [pkg.main, pkg.module, pkg.types, ...exportTargets(pkg.exports)].filter(
        (p): p is string => typeof p === 'string',
      );
      expect(entryPoints.length).toBeGreaterThan(0);
      for (const entry of entryPoints) {
        const target = entry.replace(/^\.\//, '');
        // A subpath pattern (`./tracking-plans/*.json`) must match at least one packed file.
        const [head, tail] = target.split('*');
        const found =
          tail === undefined
            ? files.has(target)
            : [...files].some((f) => f.startsWith(head!) && f.endsWith(tail));
        expect(found, `${name}: ${entry} is not in the tarball`).toBe(true);
      }
    },
  );

  it.each(PACKAGES)(
    '@spantrack/%s imports at runtime and in its types only what it declares (dependency or peer)',
    (dir) => {
      const name = `@spantrack/${dir}`;
      const pkg = installedPackageJson(first(), name) as {
        dependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
      };
      const declared = new Set([
        ...Object.keys(pkg.dependencies ?? {}),
        ...Object.keys(pkg.peerDependencies ?? {}),
      ]);
      // Every built file: the entry points, the subpath ones and the chunks they share.
      const dist = join(first(), 'node_modules', name, 'dist');
      const built = readdirSync(dist).filter((f) => /\.(c?js|d\.c?ts)$/.test(f));
      expect(built).toContain('index.d.ts');
      for (const file of built) {
        const code = readFileSync(join(dist, file), 'utf8');
        const imported = importedPackages(code);
        // A package may import itself by name (its own exports map).
        const undeclared = [...imported].filter((n) => !declared.has(n) && n !== name);
        expect(undeclared, `${name}/dist/${file} imports packages its package.json does not declare`).toEqual(
          [],
        );
        // The instrumented clients are loaded only by the patching hook, never imported.
        expect(imported.has('ollama') || imported.has('openai'), `${name}/dist/${file}`).toBe(false);
        // Typed structurally, so they compile against either SDK line: the declarations name neither.
        if (file.includes('.d.')) {
          expect(
            ['@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-trace'].filter((n) => imported.has(n)),
            `${name}/dist/${file}`,
          ).toEqual([]);
        }
      }
    },
  );
});

describe.each(LINES)('packaging on the OpenTelemetry JS line: $id', (line) => {
  const consumer = () => consumers.get(line)!;

  it(`installs one @opentelemetry/api (${line.api}); the packages' peers are the line's ${line.sdkPackage} and instrumentation`, () => {
    const modules = join(consumer(), 'node_modules');
    expect(copiesOf('@opentelemetry/api', modules)).toEqual([join(modules, '@opentelemetry/api')]);
    for (const [name, version] of [
      ['@opentelemetry/api', line.api],
      [line.sdkPackage, line.sdk],
      ['@opentelemetry/instrumentation', line.instrumentation],
    ] as const) {
      expect(installedPackageJson(consumer(), name).version).toBe(version);
      // No copy of its own under a package that takes it as a peer. (@spantrack/node depends on
      // the 2.x SDK it is built with, so it may have its own copies of the SDK packages.)
      const nested = copiesOf(name, modules).filter(
        (c) =>
          c.includes(`${sep}@spantrack${sep}`) && !c.includes(join('@spantrack', 'node', 'node_modules')),
      );
      expect(nested).toEqual([]);
    }
  });

  it('the client instrumentations share the one installed @spantrack/instrumentation (their model-call subpath)', () => {
    const modules = join(consumer(), 'node_modules');
    expect(copiesOf('@spantrack/instrumentation', modules)).toEqual([
      join(modules, '@spantrack/instrumentation'),
    ]);
    for (const client of ['@spantrack/instrumentation-ollama', '@spantrack/instrumentation-openai']) {
      const pkg = installedPackageJson(consumer(), client) as { dependencies?: Record<string, string> };
      expect(pkg.dependencies?.['@spantrack/instrumentation'], client).toBe(
        installedPackageJson(consumer(), '@spantrack/instrumentation').version,
      );
    }
  });

  it('an ESM consumer (import, loader hook) gets the documented events', async () => {
    expectEvents(line, consumer(), await runConsumer(consumer(), ['--import', './hook.mjs', 'esm.mjs']));
  });

  it('a CJS consumer (require) gets the documented events', async () => {
    expectEvents(line, consumer(), await runConsumer(consumer(), ['cjs.cjs']));
  });

  it('a consumer imports a tracking plan file by its export path and validates with it', async () => {
    const code = [
      "import plan from '@spantrack/conventions/tracking-plans/ai-agent.json' with { type: 'json' };",
      "import { validateMessage } from '@spantrack/conventions';",
      "const m = { type: 'track', event: 'ai.classification', userId: 'u', properties: { confidence: 2 } };",
      'console.log(JSON.stringify([plan.name, validateMessage(m, [plan]).errors.map((e) => e.path)]));',
    ].join('\n');
    const r = await run(process.execPath, ['--input-type=module', '-e', code], consumer(), 30_000);
    expect(r.code, describeRun('node -e', r)).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual([
      'ai-agent',
      ['properties.detected_intent', 'properties.confidence'],
    ]);
  });

  it.runIf(line.withNode).each([
    ['ESM', '--import', 'node-app.mjs'],
    ['CJS', '--require', 'node-app.cjs'],
  ])('%s: node %s @spantrack/node/register enables the Ollama instrumentation', async (_kind, flag, app) => {
    const r = await run(process.execPath, [flag, '@spantrack/node/register', app], consumer(), 30_000, {
      OTEL_TRACES_EXPORTER: 'none',
      SPANTRACK_SINK: 'console',
      // Warnings only: the started/exiting lines are not what this test is about.
      SPANTRACK_LOG_LEVEL: 'warn',
    });
    expect(r.code, describeRun(app, r)).toBe(0);
    const events = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      events.map((e) => [e.event, e.userId, e.properties]),
      describeRun(app, r),
    ).toEqual([
      [
        'ai.generation',
        USER_ID,
        {
          latency_ms: expect.any(Number),
          model: 'llama3.2:3b',
          prompt_tokens: expect.any(Number),
          completion_tokens: expect.any(Number),
        },
      ],
    ]);
    expect(r.stderr).not.toContain('[spantrack]');
  });

  it(`the type declarations resolve under nodenext, as ESM and as CJS, with skipLibCheck false, against ${line.sdkPackage}`, async () => {
    const tsc = join(consumer(), 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], consumer(), 90_000);
    expect(r.code, describeRun('tsc', r)).toBe(0);
    // Both conditions of each exports map were followed, from the consumer's own node_modules.
    const listed = r.stdout.split('\n').map((l) => l.trim().replace(/\\/g, '/'));
    const modules = join(consumer(), 'node_modules').replace(/\\/g, '/');
    for (const dir of PACKAGES) {
      if (dir === 'node' && !line.withNode) continue;
      for (const file of ['index.d.ts', 'index.d.cts']) {
        expect(listed, `tsc did not read @spantrack/${dir}/dist/${file}`).toContain(
          `${modules}/@spantrack/${dir}/dist/${file}`,
        );
      }
    }
  }, 90_000);
});
