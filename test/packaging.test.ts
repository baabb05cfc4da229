import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The packages as a user gets them: `npm pack` of conventions, instrumentation and processor,
 * installed from the tarballs into a fresh directory outside the monorepo together with the OLDEST
 * peers the packages declare (`@opentelemetry/api` 1.3.0, `@opentelemetry/sdk-trace-base` 2.0.0),
 * then used from an ESM script (`import`), a CJS script (`require`) and a TypeScript consumer
 * (`nodenext`, so the `import` and `require` conditions of each `exports` map pick their own d.ts).
 * The rest of the repo runs against api 1.9.1 and SDK 2.12.0, the newest of the range.
 *
 * Needs the packages built (`npm test` builds them first) and the npm registry for the peers,
 * `@segment/analytics-node` and TypeScript.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['conventions', 'instrumentation', 'processor'] as const;

// The declared peer ranges, and the oldest version of each that the consumer installs. A change of a
// declared range must come with a change of the versions tested here.
const API_RANGE = '>=1.3.0 <1.10.0';
const SDK_RANGE = '^2.0.0';
const OLDEST_API = '1.3.0';
const OLDEST_SDK = '2.0.0';
// `@opentelemetry/context-async-hooks` of the SDK 2.0 line. Without a registered context manager
// there is no scope at all, even around synchronous code: the API's NoopContextManager makes
// `context.with` (and so `tracker.withContext`) a plain call, and the message would have no userId.
const CONTEXT_MANAGER = '2.0.0';
const TYPESCRIPT = '5.9.3';
const TYPES_NODE = '20';

const MARKER = 'SPANTRACK_CONSUMER_RESULT ';
const USER_ID = '+254712345678';

const execFileAsync = promisify(execFile);

/** The environment of the child processes: none of the caller's OTel/spantrack settings, node
 * options or npm workspace context, which would change what the consumer loads or prints. */
function childEnv(): Record<string, string> {
  const keepNpm = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig']);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k.startsWith('OTEL_') || k.startsWith('SPANTRACK_')) continue;
    if (k === 'NODE_OPTIONS' || k === 'NODE_PATH' || k === 'INIT_CWD') continue;
    if (k.toLowerCase().startsWith('npm_') && !keepNpm.has(k.toLowerCase())) continue;
    env[k] = v;
  }
  return env;
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<Ran> {
  try {
    const { stdout, stderr } = await execFileAsync(cmd, args, {
      cwd,
      env: childEnv(),
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string; message?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: `${e.stderr ?? ''}\n${e.message ?? ''}`,
    };
  }
}

function describeRun(what: string, r: Ran): string {
  return `${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

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

async function main() {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const sink = new MemorySink();
  const provider = new BasicTracerProvider({
    spanProcessors: [new ContextAttributesSpanProcessor(), new AnalyticsSpanProcessor({ sink })],
  });
  const tracker = new AgentTracker({ tracerProvider: provider, channel: 'whatsapp' });
  const result = tracker.withContext({ userId: '${USER_ID}' }, () =>
    tracker.classify({ model: 'llama3.2:3b' }, (h) => {
      h.setUsage({ inputTokens: 120, outputTokens: 15 });
      return { intent: 'nil_filing', confidence: 0.99 };
    }),
  );
  await provider.forceFlush();
  const out = {
    result,
    loaded: {
      api: loaded('@opentelemetry/api'),
      sdk: loaded('@opentelemetry/sdk-trace-base'),
      instrumentation: loaded('@spantrack/instrumentation'),
      processor: loaded('@spantrack/processor'),
      conventions: loaded('@spantrack/conventions'),
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

const ESM_CONSUMER = `import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AgentTracker, ContextAttributesSpanProcessor } from '@spantrack/instrumentation';
import { AnalyticsSpanProcessor, MemorySink } from '@spantrack/processor';

const resolved = (name) => fileURLToPath(import.meta.resolve(name));
${CONSUMER_BODY}`;

const CJS_CONSUMER = `'use strict';
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { context } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');
const { AgentTracker, ContextAttributesSpanProcessor } = require('@spantrack/instrumentation');
const { AnalyticsSpanProcessor, MemorySink } = require('@spantrack/processor');

const resolved = (name) => require.resolve(name);
${CONSUMER_BODY}`;

// Compiled as .mts (the `import` condition: dist/index.d.ts) and as .cts (the `require` condition:
// dist/index.d.cts). The @ts-expect-error lines fail the compile if an export's type is `any`.
const TS_CONSUMER = `import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AgentTracker, ContextAttributesSpanProcessor } from '@spantrack/instrumentation';
import { AnalyticsSpanProcessor, type AnalyticsMessage, MemorySink } from '@spantrack/processor';
import { AiAgentEvent } from '@spantrack/conventions';

const sink = new MemorySink();
const provider = new BasicTracerProvider({
  spanProcessors: [new ContextAttributesSpanProcessor(), new AnalyticsSpanProcessor({ sink })],
});
const tracker: AgentTracker = new AgentTracker({ tracerProvider: provider, channel: 'whatsapp' });
const result: { intent: string; confidence: number } = tracker.classify({ model: 'llama3.2:3b' }, (h) => {
  h.setUsage({ inputTokens: 120, outputTokens: 15 });
  return { intent: 'nil_filing', confidence: 0.99 };
});
const first: AnalyticsMessage | undefined = sink.messages[0];
const event: 'ai.classification' = AiAgentEvent.CLASSIFICATION;
// @ts-expect-error the event names are literal types
const wrongEvent: 'ai.generation' = AiAgentEvent.CLASSIFICATION;
// @ts-expect-error a channel is a string
const wrongTracker = new AgentTracker({ channel: 42 });

export { event, first, result, wrongEvent, wrongTracker };
`;

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
let consumer = '';
const packed = new Map<string, PackedFile>();

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
  consumer = join(tmp, 'consumer');
  mkdirSync(tarballs);
  mkdirSync(consumer);

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

  const dependencies: Record<string, string> = {
    '@opentelemetry/api': OLDEST_API,
    '@opentelemetry/sdk-trace-base': OLDEST_SDK,
    '@opentelemetry/context-async-hooks': CONTEXT_MANAGER,
    typescript: TYPESCRIPT,
    '@types/node': TYPES_NODE,
  };
  for (const [name, entry] of packed) dependencies[name] = `file:${join(tarballs, entry.filename)}`;
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'spantrack-packaging-consumer', version: '0.0.0', private: true, dependencies }),
  );
  writeFileSync(join(consumer, 'esm.mjs'), ESM_CONSUMER);
  writeFileSync(join(consumer, 'cjs.cjs'), CJS_CONSUMER);
  writeFileSync(join(consumer, 'consumer.mts'), TS_CONSUMER);
  writeFileSync(join(consumer, 'consumer.cts'), TS_CONSUMER);
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(TS_CONFIG, null, 2));

  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--include=dev'],
    consumer,
    150_000,
  );
  if (install.code !== 0) throw new Error(describeRun('npm install', install));
}, 180_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// --- helpers over the installed consumer ---------------------------------------------------------------

function installedPackageJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(consumer, 'node_modules', name, 'package.json'), 'utf8'));
}

/** Every string target of a package.json `exports` value. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
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

/** Every copy of a package anywhere under the consumer's node_modules. */
function copiesOf(name: string, dir = join(consumer, 'node_modules')): string[] {
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
  loaded: Record<
    'api' | 'sdk' | 'instrumentation' | 'processor' | 'conventions',
    { version: string; dir: string }
  >;
  messages: Record<string, unknown>[];
}

async function runConsumer(script: string): Promise<ConsumerOutput> {
  const r = await run(process.execPath, [script], consumer, 30_000);
  expect(r.code, describeRun(`node ${script}`, r)).toBe(0);
  const line = r.stdout.split('\n').find((l) => l.startsWith(MARKER));
  expect(line, describeRun(`node ${script}`, r)).toBeDefined();
  return JSON.parse(line!.slice(MARKER.length)) as ConsumerOutput;
}

function expectOneClassification(out: ConsumerOutput): void {
  expect(out.result).toEqual({ intent: 'nil_filing', confidence: 0.99 });
  // What was loaded: the oldest peers and the packed packages, all from the consumer's own tree.
  expect(out.loaded.api.version).toBe(OLDEST_API);
  expect(out.loaded.sdk.version).toBe(OLDEST_SDK);
  for (const { dir } of Object.values(out.loaded)) {
    expect(dir.startsWith(join(consumer, 'node_modules'))).toBe(true);
  }

  expect(out.messages).toHaveLength(1);
  const [message] = out.messages;
  expect(message).toMatchObject({ type: 'track', event: 'ai.classification', userId: USER_ID });
  const properties = message!.properties as Record<string, unknown>;
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
  expect((message!.context as Record<string, unknown>).channel).toBe('whatsapp');
}

// --- tests ----------------------------------------------------------------------------------------------

describe('packaging: the packed packages with the oldest supported peers', () => {
  it.each(PACKAGES)('@spantrack/%s declares the peer ranges this test installs the bottom of', (dir) => {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as {
      peerDependencies?: Record<string, string>;
    };
    const peers = pkg.peerDependencies ?? {};
    if (dir === 'conventions') {
      expect(peers['@opentelemetry/api']).toBeUndefined();
      return;
    }
    expect(peers['@opentelemetry/api']).toBe(API_RANGE);
    // The instrumentation needs only the API, at run time and in its type declarations.
    expect(peers['@opentelemetry/sdk-trace-base']).toBe(dir === 'instrumentation' ? undefined : SDK_RANGE);
  });

  it.each(PACKAGES)(
    '@spantrack/%s packs dist and README only (and its tracking plans), with every entry point',
    (dir) => {
      const name = `@spantrack/${dir}`;
      const files = new Set(packed.get(name)!.files.map((f) => f.path));
      for (const path of files) {
        const plan = dir === 'conventions' && /^tracking-plans\/[a-z-]+\.json$/.test(path);
        expect(['package.json', 'README.md'].includes(path) || path.startsWith('dist/') || plan, path).toBe(
          true,
        );
      }
      const pkg = installedPackageJson(name);
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
      const pkg = installedPackageJson(name) as {
        dependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
      };
      const declared = new Set([
        ...Object.keys(pkg.dependencies ?? {}),
        ...Object.keys(pkg.peerDependencies ?? {}),
      ]);
      for (const file of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']) {
        const code = readFileSync(join(consumer, 'node_modules', name, 'dist', file), 'utf8');
        const undeclared = [...importedPackages(code)].filter((n) => !declared.has(n));
        expect(undeclared, `${name}/dist/${file} imports packages its package.json does not declare`).toEqual(
          [],
        );
      }
    },
  );

  it('installs one copy of @opentelemetry/api (1.3.0) and of sdk-trace-base (2.0.0)', () => {
    const modules = join(consumer, 'node_modules');
    expect(copiesOf('@opentelemetry/api')).toEqual([join(modules, '@opentelemetry/api')]);
    expect(copiesOf('@opentelemetry/sdk-trace-base')).toEqual([
      join(modules, '@opentelemetry/sdk-trace-base'),
    ]);
    expect(installedPackageJson('@opentelemetry/api').version).toBe(OLDEST_API);
    expect(installedPackageJson('@opentelemetry/sdk-trace-base').version).toBe(OLDEST_SDK);
  });

  it('an ESM consumer (import) gets the documented ai.classification', async () => {
    expectOneClassification(await runConsumer('esm.mjs'));
  });

  it('a CJS consumer (require) gets the documented ai.classification', async () => {
    expectOneClassification(await runConsumer('cjs.cjs'));
  });

  it('a consumer imports a tracking plan file by its export path and validates with it', async () => {
    const code = [
      "import plan from '@spantrack/conventions/tracking-plans/ai-agent.json' with { type: 'json' };",
      "import { validateMessage } from '@spantrack/conventions';",
      "const m = { type: 'track', event: 'ai.classification', userId: 'u', properties: { confidence: 2 } };",
      'console.log(JSON.stringify([plan.name, validateMessage(m, [plan]).errors.map((e) => e.path)]));',
    ].join('\n');
    const r = await run(process.execPath, ['--input-type=module', '-e', code], consumer, 30_000);
    expect(r.code, describeRun('node -e', r)).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual([
      'ai-agent',
      ['properties.detected_intent', 'properties.confidence'],
    ]);
  });

  it('the type declarations resolve under nodenext, as ESM and as CJS, with skipLibCheck false', async () => {
    const tsc = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], consumer, 90_000);
    expect(r.code, describeRun('tsc', r)).toBe(0);
    // Both conditions of each exports map were followed, from the consumer's own node_modules.
    const listed = r.stdout.split('\n').map((l) => l.trim().replace(/\\/g, '/'));
    const modules = join(consumer, 'node_modules').replace(/\\/g, '/');
    for (const dir of PACKAGES) {
      for (const file of ['index.d.ts', 'index.d.cts']) {
        expect(listed, `tsc did not read @spantrack/${dir}/dist/${file}`).toContain(
          `${modules}/@spantrack/${dir}/dist/${file}`,
        );
      }
    }
  }, 90_000);
});
