import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
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
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Collector, startCollector } from '@spantrack/collector';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTATIONS, NOT_RUN, SERVERS, SUBSTITUTIONS } from './documented-commands.rules';
import { type DocumentedCommand, shellCommands } from './helpers/shell-blocks';

/*
 * Every shell command shown in README.md, docs/*.md and examples/*\/README.md runs as shown, from
 * the repository root: each ```sh / ```bash / ```shell block is found by itself, so a block added
 * to any of those files is run by the next `npm test`. Commands that cannot run here, placeholders
 * filled in (ports, write keys, your app) and long-running servers are listed, each with its
 * reason, in test/documented-commands.rules.ts.
 *
 * Each command runs in bash with a clean environment (no OTEL_/SPANTRACK_ variables of the caller)
 * plus: a spantrack collector on free ports for OTLP (delivering to a local Segment test server),
 * that server's URL as the Segment host and its write key, and free ports for `npm start` and the
 * collector CLI. It must exit 0 (a server: print its ready line, answer /healthz, stop cleanly on
 * its signal); a command that sends OTLP must have delivered spans to the collector. At the end
 * `git status` must be as it was: the commands leave nothing behind in the clone.
 *
 * Package READMEs are not covered: their commands (`npm install ...`) are for your own project.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const WRITE_KEY = 'documented-commands-write-key';
const COMMAND_TIMEOUT_MS = 240_000;

/** The Markdown files whose shell blocks are run: found anew on every run. */
function documentedFiles(): string[] {
  const mdIn = (dir: string) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter((f) => f.endsWith('.md'))
          .sort()
          .map((f) => `${dir}/${f}`)
      : [];
  const exampleReadmes = readdirSync(join(root, 'examples'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, 'examples', d.name, 'README.md')))
    .map((d) => `examples/${d.name}/README.md`)
    .sort();
  return ['README.md', ...mdIn('docs'), ...exampleReadmes];
}

const files = documentedFiles();
const commands = files.flatMap((file) => shellCommands(root, file));

const short = (text: string) => (text.length > 110 ? `${text.slice(0, 107)}...` : text);
const nameOf = (c: DocumentedCommand) => `${c.file}:${c.line} ${short(c.text)}`;

// ---- the environment every command runs in ---------------------------------------------------------

let tmp = '';
let segment: SegmentServer | undefined;
let collector: Collector | undefined;
let placeholders: Record<string, string> = {};
let env: Record<string, string> = {};
let gitStatusBefore = '';

function gitStatus(): string {
  return spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).stdout;
}

/** A stand-in for "your application": one span through the global tracer provider, one line. */
function placeholderApp(): string {
  return `const { createRequire } = require('node:module');
const { trace } = createRequire(${JSON.stringify(join(root, 'package.json'))})('@opentelemetry/api');
trace.getTracer('placeholder-app').startSpan('placeholder app').end();
console.log('app ran');
`;
}

beforeAll(async () => {
  gitStatusBefore = gitStatus();
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'spantrack-documented-')));
  segment = await startSegmentServer({ writeKey: WRITE_KEY });
  collector = await startCollector({
    http: { host: '127.0.0.1', port: 0 },
    grpc: false,
    sink: { type: 'segment', writeKey: WRITE_KEY, host: segment.url, flushIntervalMs: 20 },
    shutdownTimeoutMillis: 5_000,
    env: {},
  });
  const app = join(tmp, 'app.js');
  const appCjs = join(tmp, 'app.cjs');
  writeFileSync(app, placeholderApp());
  writeFileSync(appCjs, placeholderApp());
  placeholders = {
    otlpHttp: new URL(collector.httpUrl!).host,
    tmp,
    writeKey: WRITE_KEY,
    app,
    appCjs,
  };

  const clean: Record<string, string> = {};
  const keepNpm = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig']);
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('OTEL_') || k.startsWith('SPANTRACK_')) continue;
    if (k === 'NODE_OPTIONS' || k === 'INIT_CWD') continue;
    if (k.toLowerCase().startsWith('npm_') && !keepNpm.has(k.toLowerCase())) continue;
    clean[k] = v;
  }
  env = {
    ...clean,
    // Segment is the local test server, whoever sends to it.
    SPANTRACK_SEGMENT_HOST: segment.url,
    SEGMENT_WRITE_KEY: WRITE_KEY,
    KEY: WRITE_KEY,
    // Free ports, so nothing collides with a collector already running (flags still win).
    SPANTRACK_START_HTTP_PORT: '0',
    SPANTRACK_START_GRPC_PORT: '0',
    SPANTRACK_DATA_DIR: join(tmp, 'data'),
    SPANTRACK_COLLECTOR_HTTP_PORT: '0',
    SPANTRACK_COLLECTOR_GRPC_PORT: '0',
  };
  mkdirSync(join(tmp, 'data'));
}, 60_000);

afterAll(async () => {
  // Bounded: a slow close must not hide the results above.
  const close = async () => {
    await collector?.close();
    await segment?.close();
  };
  await within(close(), 20_000);
  // The installed project holds thousands of files: removing them can take a while on a busy disk.
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, 180_000);

/** The command as it runs here: every substitution applied, then the placeholders filled in. */
function prepared(text: string): string {
  let out = text;
  for (const s of SUBSTITUTIONS) out = out.replace(s.match, s.replace);
  return out.replace(/\{(otlpHttp|tmp|writeKey|app|appCjs)\}/g, (_, name: string) => placeholders[name]!);
}

// ---- running --------------------------------------------------------------------------------------

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startBash(script: string, cwd: string): Started {
  // Its own process group, so a stop signal or a timeout reaches npm and what npm started.
  const child = spawn('bash', ['-c', script], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  return { child, output: () => out, exited };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((done) => {
    timer = setTimeout(() => done('timeout'), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitForOutput(started: Started, pattern: RegExp, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (pattern.test(started.output())) return true;
    if (started.child.exitCode !== null) return pattern.test(started.output());
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Where each block's `cd` left it: commands of one block share a working directory. */
const cwdOfBlock = new Map<string, string>();

async function runCommand(command: DocumentedCommand): Promise<void> {
  const text = prepared(command.text);
  const blockKey = `${command.file}#${command.block}`;
  const cwd = cwdOfBlock.get(blockKey) ?? root;
  const server = SERVERS.find((s) => s.match.test(command.text));
  const context = () => `\`${command.text}\` (run as \`${text}\` in ${cwd})`;

  if (server) {
    const started = startBash(text, cwd);
    try {
      const ready = await waitForOutput(started, server.ready, server.readyTimeoutMs);
      expect(ready, `${context()} never printed ${server.ready}:\n${started.output()}`).toBe(true);
      const url = started.output().match(/http:\/\/127\.0\.0\.1:\d+/)?.[0];
      expect(url, `${context()} printed no http://127.0.0.1 URL:\n${started.output()}`).toBeDefined();
      const health = await fetch(`${url}/healthz`);
      expect(health.status, `${context()}: GET ${url}/healthz`).toBe(200);
    } finally {
      killGroup(started.child, server.stop);
    }
    const code = await within(started.exited, 30_000);
    if (code === 'timeout') killGroup(started.child, 'SIGKILL');
    const how = `${context()} did not stop cleanly on ${server.stop}:\n${started.output()}`;
    expect(started.output(), how).toMatch(server.stopped);
    // npm and npx die of the signal they pass on; the server's own closing line says it stopped.
    if (started.child.signalCode !== server.stop) expect(code, how).toBe(0);
    return;
  }

  const spansBefore = collector!.stats().spansReceived;
  const cwdFile = join(tmp, 'cwd');
  rmSync(cwdFile, { force: true });
  const started = startBash(`${text}\n__status=$?\npwd > '${cwdFile}'\nexit $__status`, cwd);
  const code = await within(started.exited, COMMAND_TIMEOUT_MS);
  if (code === 'timeout') {
    killGroup(started.child, 'SIGKILL');
    throw new Error(
      `${context()} did not exit within ${COMMAND_TIMEOUT_MS / 1000} s. If it is a server, add it to ` +
        `SERVERS in test/documented-commands.rules.ts.\n${started.output()}`,
    );
  }
  expect(code, `${context()} failed:\n${started.output()}`).toBe(0);
  if (existsSync(cwdFile)) cwdOfBlock.set(blockKey, resolve(readFileSync(cwdFile, 'utf8').trim()));
  for (const e of EXPECTATIONS.filter((x) => x.match.test(command.text))) {
    expect(started.output(), `${context()} should print ${e.output}`).toMatch(e.output);
  }
  if (text.includes(placeholders.otlpHttp!)) {
    // The command's spans reached the collector it was pointed at.
    expect(collector!.stats().spansReceived, `${context()} sent no spans over OTLP`).toBeGreaterThan(
      spansBefore,
    );
  }
}

// ---- the tests ------------------------------------------------------------------------------------

describe('documented commands', () => {
  it('finds the shell blocks of the README, docs and examples', () => {
    expect(files).toContain('README.md');
    expect(commands.length).toBeGreaterThan(10);
    expect(commands.map((c) => c.text)).toContain('npm start');
  });

  it('every rule of test/documented-commands.rules.ts still matches a documented command', () => {
    const rules = [...NOT_RUN, ...SERVERS, ...EXPECTATIONS, ...SUBSTITUTIONS];
    const unused = rules.filter((r) => !commands.some((c) => new RegExp(r.match.source).test(c.text)));
    expect(unused.map((r) => String(r.match))).toEqual([]);
  });

  for (const command of commands) {
    const notRun = NOT_RUN.find((r) => r.match.test(command.text));
    if (notRun) {
      it.skip(`${nameOf(command)} (not run: ${notRun.reason})`, () => {});
      continue;
    }
    it(nameOf(command), () => runCommand(command), COMMAND_TIMEOUT_MS + 60_000);
  }

  it('leaves git status as it was', () => {
    expect(gitStatus()).toBe(gitStatusBefore);
  });
});
