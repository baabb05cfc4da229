import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context, trace } from '@opentelemetry/api';
import { AgentTracker } from '@spantrack/instrumentation';
import { SpantrackConfigError } from '@spantrack/processor';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import { resolveConfig, setup } from '../src/index';
import { resetSetupForTests } from '../src/setup';
import { startFakeOpenAI } from './support/fake-openai';
import { isolateEnv, type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver';

/*
 * Adversarial configuration and process behaviour of @spantrack/node.
 */

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const agent = join(packageDir, 'test', 'fixtures', 'hostile-agent.mjs');
const WRITE_KEY = 'hostile-write-key';

function configError(fn: () => unknown): SpantrackConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SpantrackConfigError);
    return error as SpantrackConfigError;
  }
  throw new Error('expected a SpantrackConfigError');
}

/** resolveConfig with only the given env (plus SPANTRACK_SINK=none to silence the write-key warning). */
const resolveEnv = (env: Record<string, string>) => resolveConfig({}, { SPANTRACK_SINK: 'none', ...env });

// ---------------------------------------------------------------------------------------------
// Env parsing, per the OpenTelemetry spec (pure: resolveConfig with an explicit env).
// ---------------------------------------------------------------------------------------------

describe('hostile env: OTEL_EXPORTER_OTLP_HEADERS', () => {
  it('trims spaces around keys and values, keeps inner spaces, keeps = inside values', () => {
    const c = resolveEnv({
      OTEL_EXPORTER_OTLP_HEADERS: ' a = 1 , b=x y ,authorization=Basic dXNlcjpwYXNz==',
    });
    expect(c.otlp.headers).toEqual({ a: '1', b: 'x y', authorization: 'Basic dXNlcjpwYXNz==' });
    expect(c.warnings).toEqual([]);
  });

  it('URL-decodes keys and values (a comma and a space can be carried encoded)', () => {
    const c = resolveEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20a%2Cb,x-k%65y=v' });
    expect(c.otlp.headers).toEqual({ authorization: 'Bearer a,b', 'x-key': 'v' });
  });

  it('empty entries (a=1,,b=2, trailing comma) are skipped silently', () => {
    const c = resolveEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'a=1,,b=2,' });
    expect(c.otlp.headers).toEqual({ a: '1', b: '2' });
    expect(c.warnings).toEqual([]);
  });

  it('malformed entries (no =, empty key, bad %-encoding) are skipped with one warning each', () => {
    const c = resolveEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'a=1,junk,=v,k=%ZZ,b=2' });
    expect(c.otlp.headers).toEqual({ a: '1', b: '2' });
    expect(c.warnings).toHaveLength(3);
    for (const w of c.warnings) expect(w).toMatch(/^OTEL_EXPORTER_OTLP_HEADERS: entry /);
  });

  it('a header entry that is not a valid HTTP header (CR/LF in the value, space in the name) is skipped with one warning each', () => {
    // Node would refuse them on every export ("Invalid character in header content" /
    // "Header name must be a valid HTTP token").
    const c = resolveEnv({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization=x%0D%0Ay,bad name=1,ok=2' });
    expect(c.otlp.headers).toEqual({ ok: '2' });
    expect(c.warnings).toHaveLength(2);
    expect(c.warnings.join('\n')).toContain('OTEL_EXPORTER_OTLP_HEADERS');
  });
});

describe('hostile env: OTLP endpoint, protocol, timeout', () => {
  it.each([
    ['http://h:4318', 'http://h:4318/v1/traces'],
    ['http://h:4318/', 'http://h:4318/v1/traces'],
    ['http://h:4318//', 'http://h:4318/v1/traces'],
    ['http://h:4318/otel', 'http://h:4318/otel/v1/traces'],
    ['http://h:4318/otel/', 'http://h:4318/otel/v1/traces'],
    ['  https://h/otel  ', 'https://h/otel/v1/traces'],
  ])('OTEL_EXPORTER_OTLP_ENDPOINT=%j sends to %s', (base, expected) => {
    expect(resolveEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: base }).otlp.endpoint).toBe(expected);
  });

  it('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used verbatim (trailing slash, odd path) and wins', () => {
    const c = resolveEnv({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://h:4318/custom/',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318',
    });
    expect(c.otlp.endpoint).toBe('http://h:4318/custom/');
  });

  it('an invalid generic endpoint names OTEL_EXPORTER_OTLP_ENDPOINT (not the derived URL)', () => {
    const e = configError(() => resolveEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }));
    expect(e.message).toMatch(/^OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" is not an http\(s\) URL/);
  });

  it('TRACES_PROTOCOL wins over PROTOCOL: a grpc generic value is ignored when the traces one is valid', () => {
    const c = resolveEnv({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    });
    expect(c.otlp.protocol).toBe('http/json');
  });

  it('a grpc TRACES_PROTOCOL is an error naming the TRACES variable, even when PROTOCOL is valid', () => {
    const e = configError(() =>
      resolveEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' }),
    );
    expect(e.message).toMatch(/^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: grpc is not supported/);
    expect(e.message).toContain('use http/protobuf');
  });

  it('a non-numeric OTEL_EXPORTER_OTLP_TIMEOUT fails at start naming the variable', () => {
    const e = configError(() => resolveEnv({ OTEL_EXPORTER_OTLP_TIMEOUT: '10s' }));
    expect(e.message).toMatch(/^OTEL_EXPORTER_OTLP_TIMEOUT: must be a positive number of milliseconds/);
    // TRACES_TIMEOUT wins over the generic one, so a bad generic one is not even read.
    const c = resolveEnv({ OTEL_EXPORTER_OTLP_TIMEOUT: '10s', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '250' });
    expect(c.otlp.timeoutMillis).toBe(250);
  });

  it('the timeout error quotes the value the user wrote (not "got NaN")', () => {
    const e = configError(() => resolveEnv({ OTEL_EXPORTER_OTLP_TIMEOUT: '10s' }));
    expect(e.message).toContain('"10s"');
  });

  it('SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS above 2^31-1 is rejected naming the variable and the maximum (Node would fire it after 1 ms)', () => {
    const e = configError(() => resolveEnv({ SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS: '3000000000' }));
    expect(e.message).toMatch(/^SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS: /);
    expect(e.message).toContain('2147483647');
    expect(configError(() => resolveConfig({ shutdownTimeoutMillis: 2 ** 31 }, {})).message).toMatch(
      /^shutdownTimeoutMillis: .*2147483647/,
    );
    expect(resolveEnv({ SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS: '2147483647' }).shutdownTimeoutMillis).toBe(
      2147483647,
    );
  });
});

describe('hostile env: service name and resource attributes', () => {
  it('OTEL_SERVICE_NAME wins over service.name in OTEL_RESOURCE_ATTRIBUTES; other attributes kept', () => {
    const c = resolveEnv({
      OTEL_SERVICE_NAME: 'svc',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs,deployment.environment=prod',
    });
    expect(c.serviceName).toBe('svc');
    expect(c.resourceAttributes['deployment.environment']).toBe('prod');
  });

  it('service.name from OTEL_RESOURCE_ATTRIBUTES when OTEL_SERVICE_NAME is unset or blank', () => {
    expect(resolveEnv({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' }).serviceName).toBe(
      'from-attrs',
    );
    expect(
      resolveEnv({ OTEL_SERVICE_NAME: '   ', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' })
        .serviceName,
    ).toBe('from-attrs');
    expect(resolveEnv({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=' }).serviceName).toBe(
      'unknown_service:node',
    );
  });

  it('percent-encoded values are decoded; bad entries are warned about and skipped, not fatal', () => {
    const c = resolveEnv({ OTEL_RESOURCE_ATTRIBUTES: 'team=a%20b%2Cc,bad,k=%ZZ,x=1' });
    expect(c.resourceAttributes).toEqual({ team: 'a b,c', x: '1' });
    expect(c.warnings).toHaveLength(2);
    for (const w of c.warnings) expect(w).toMatch(/^OTEL_RESOURCE_ATTRIBUTES: /);
  });
});

describe('hostile env: switches and lists', () => {
  it.each(['true', 'TRUE', 'True', ' true '])('OTEL_SDK_DISABLED=%j disables (case-insensitive)', (v) => {
    const c = resolveEnv({ OTEL_SDK_DISABLED: v });
    expect(c.disabled).toBe(true);
    expect(c.warnings).toEqual([]);
  });

  it('OTEL_SDK_DISABLED=1 / yes is not true per the spec: enabled, with a warning naming the variable', () => {
    for (const v of ['1', 'yes']) {
      const c = resolveEnv({ OTEL_SDK_DISABLED: v });
      expect(c.disabled).toBe(false);
      expect(c.warnings).toEqual([expect.stringContaining('OTEL_SDK_DISABLED')]);
    }
  });

  it('OTEL_SDK_DISABLED=true rescues a start whose other OTEL_* vars are invalid (nothing else is validated)', () => {
    // A shared environment (a grpc exporter set for other services) must not crash an app that
    // turned spantrack off.
    const c = resolveEnv({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(c.disabled).toBe(true);
  });

  it('OTEL_SDK_DISABLED=true prints no warnings (no "no Segment write key ... traces still flow")', () => {
    const c = resolveConfig({}, { OTEL_SDK_DISABLED: 'true' });
    expect(c.disabled).toBe(true);
    expect(c.warnings).toEqual([]);
  });

  it.each([
    ['none', 'none', 0],
    ['otlp', 'otlp', 0],
    ['OTLP', 'otlp', 0],
    ['otlp,console', 'otlp', 1],
    [' otlp , console ', 'otlp', 1],
    ['otlp,none', 'none', 0],
    ['console', 'none', 1],
    [',', 'none', 0],
  ] as const)('OTEL_TRACES_EXPORTER=%j → %s with %i warning(s)', (v, expected, warningCount) => {
    const c = resolveEnv({ OTEL_TRACES_EXPORTER: v });
    expect(c.tracesExporter).toBe(expected);
    expect(c.warnings).toHaveLength(warningCount);
    for (const w of c.warnings) expect(w).toContain('OTEL_TRACES_EXPORTER');
  });

  it('OTEL_TRACES_EXPORTER=console says that no traces are exported (console is unsupported and OTLP is off)', () => {
    const c = resolveEnv({ OTEL_TRACES_EXPORTER: 'console' });
    expect(c.tracesExporter).toBe('none');
    expect(c.warnings[0]).toMatch(/no traces are exported|OTLP export is off/);
  });

  it('SPANTRACK_CATALOGS with spaces is trimmed; an unknown name fails naming the var and the choices', () => {
    expect(resolveEnv({ SPANTRACK_CATALOGS: ' ai-agent ,  customer-signals ' }).catalogs).toEqual([
      'ai-agent',
      'customer-signals',
    ]);
    const e = configError(() => resolveEnv({ SPANTRACK_CATALOGS: 'ai-agent, ai_agent' }));
    expect(e.message).toBe(
      'SPANTRACK_CATALOGS: unknown catalog "ai_agent"; use a comma list of ai-agent, segment-copilot, customer-signals',
    );
  });

  it('SPANTRACK_CATALOGS="," (or " , ") names no catalog: a config error naming the variable, not every event dropped', () => {
    const e = configError(() => resolveEnv({ SPANTRACK_CATALOGS: ' , ' }));
    expect(e.message).toMatch(/^SPANTRACK_CATALOGS: /);
  });

  it('SPANTRACK_SINK=jsonl (any case) without a path appends to spantrack-events.jsonl', () => {
    const c = resolveEnv({ SPANTRACK_SINK: 'JSONL' });
    expect(c.sink).toBe('jsonl');
    expect(c.jsonlPath).toBe('spantrack-events.jsonl');
  });
});

// ---------------------------------------------------------------------------------------------
// In process: setup() against a local receiver (env isolated, globals reset after each test).
// ---------------------------------------------------------------------------------------------

describe('hostile setup() in process', () => {
  let restoreEnv: () => void;
  let warnSpy: MockInstance<typeof console.warn>;
  let receiver: OtlpReceiver;
  let tmp: string;

  beforeEach(async () => {
    restoreEnv = isolateEnv();
    process.env.SPANTRACK_AUTO_INSTRUMENT = 'false';
    warnSpy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    receiver = await startOtlpReceiver();
    tmp = mkdtempSync(join(tmpdir(), 'spantrack-hostile-'));
  });

  afterEach(async () => {
    await resetSetupForTests();
    trace.disable();
    context.disable();
    warnSpy.mockRestore();
    restoreEnv();
    await receiver.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const spantrackWarnings = (): string[] =>
    warnSpy.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith('[spantrack]'));

  async function classify(): Promise<void> {
    const tracker = new AgentTracker({ channel: 'test' });
    await tracker.withContext({ userId: 'u-1' }, () =>
      tracker.classify({ model: 'gpt-4o-mini' }, () => ({ intent: 'greeting', confidence: 0.9 })),
    );
  }

  it('odd but valid headers and an endpoint with a path reach the collector as written', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `${receiver.url}/otel/`;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    process.env.OTEL_EXPORTER_OTLP_HEADERS =
      ' authorization = Basic dXNlcjpwYXNz== ,,x-team=ai%20agents,broken';
    const handle = setup({ sink: 'none' });
    trace.getTracer('t').startSpan('with-headers').end();
    await handle.flush();
    expect(receiver.requests.map((r) => r.path)).toEqual(['/otel/v1/traces']);
    expect(receiver.requests[0]?.headers.authorization).toBe('Basic dXNlcjpwYXNz==');
    expect(receiver.requests[0]?.headers['x-team']).toBe('ai agents');
    expect(spantrackWarnings()).toEqual([expect.stringContaining('entry "broken" is not key=value')]);
  });

  it('an OTEL_EXPORTER_OTLP_HEADERS entry Node would refuse is left out of every export, with one warning; the rest are sent', async () => {
    // The exporter reads the variable itself; a CR/LF in a value used to fail every trace export.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'authorization=x%0D%0Ay,x-team=ai';
    process.env.OTEL_EXPORTER_OTLP_TRACES_HEADERS = 'x-tenant=t1';
    const handle = setup({ sink: 'none' });
    trace.getTracer('t').startSpan('first').end();
    await handle.flush();
    trace.getTracer('t').startSpan('second').end();
    await handle.flush();
    expect(handle.stats().traces).toMatchObject({ exportsSucceeded: 2, exportsFailed: 0, spansExported: 2 });
    expect(receiver.requests).toHaveLength(2);
    for (const r of receiver.requests) {
      expect(r.headers.authorization).toBeUndefined();
      // Both variables reach the collector, merged per key (the exporter's own reading).
      expect(r.headers['x-team']).toBe('ai');
      expect(r.headers['x-tenant']).toBe('t1');
    }
    expect(spantrackWarnings()).toEqual([
      expect.stringMatching(
        /^\[spantrack\] OTEL_EXPORTER_OTLP_HEADERS: entry for header "authorization" skipped/,
      ),
    ]);
  });

  it('an otlp.headers option value with a line break is left out with a warning; exports still succeed', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    const handle = setup({ sink: 'none', otlp: { headers: { 'x-bad': 'a\r\nb', 'x-good': 'ok' } } });
    trace.getTracer('t').startSpan('one').end();
    await handle.flush();
    expect(handle.stats().traces).toMatchObject({ exportsSucceeded: 1, exportsFailed: 0 });
    expect(receiver.requests[0]?.headers['x-bad']).toBeUndefined();
    expect(receiver.requests[0]?.headers['x-good']).toBe('ok');
    expect(spantrackWarnings()).toEqual([expect.stringContaining('otlp.headers: header "x-bad" skipped')]);
  });

  it('OTEL_SDK_DISABLED=TRUE (upper case): a disabled handle, no global provider', async () => {
    process.env.OTEL_SDK_DISABLED = 'TRUE';
    process.env.SPANTRACK_SINK = 'none';
    const handle = setup();
    expect(handle.state).toBe('disabled');
    trace.getTracer('t').startSpan('ignored').end();
    await handle.flush();
    expect(receiver.requests).toEqual([]);
  });

  it('SPANTRACK_SINK=jsonl with a path in a directory that does not exist yet: created, events appended', async () => {
    const path = join(tmp, 'nested', 'dir', 'events.jsonl');
    process.env.SPANTRACK_SINK = 'jsonl';
    process.env.SPANTRACK_JSONL_PATH = path;
    const handle = setup({ tracesExporter: 'none' });
    await classify();
    await handle.shutdown();
    expect(existsSync(path)).toBe(true);
    expect(handle.stats().analytics?.messagesDelivered).toBeGreaterThan(0);
  });

  it('a SPANTRACK_JSONL_PATH under a regular file fails setup() with a SpantrackConfigError naming the var (not a raw EEXIST/ENOTDIR)', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    process.env.SPANTRACK_SINK = 'jsonl';
    process.env.SPANTRACK_JSONL_PATH = join(file, 'events.jsonl');
    const e = configError(() => setup({ tracesExporter: 'none' }));
    expect(e.message).toMatch(/^SPANTRACK_JSONL_PATH: /);
    const o = configError(() => setup({ tracesExporter: 'none', jsonlPath: join(file, 'x.jsonl') }));
    expect(o.message).toMatch(/^jsonlPath: /);
  });

  it('a SPANTRACK_JSONL_PATH that is a directory does not crash: the failure is counted', async () => {
    process.env.SPANTRACK_SINK = 'jsonl';
    process.env.SPANTRACK_JSONL_PATH = tmp; // EISDIR when opened
    const handle = setup({ tracesExporter: 'none' });
    await classify();
    await handle.flush();
    expect(handle.stats().analytics?.messagesFailed).toBeGreaterThan(0);
    expect(handle.stats().analytics?.messagesDelivered).toBe(0);
  });

  it('analytics delivery failures (JSONL path is a directory) are printed once, like OTLP failures', async () => {
    process.env.SPANTRACK_SINK = 'jsonl';
    process.env.SPANTRACK_JSONL_PATH = tmp;
    const handle = setup({ tracesExporter: 'none' });
    await classify();
    await handle.flush();
    await classify();
    await handle.flush();
    expect(handle.stats().analytics?.messagesFailed).toBe(2);
    expect(spantrackWarnings()).toEqual([expect.stringContaining(tmp)]);
  });

  it('OTEL_EXPORTER_OTLP_TIMEOUT bounds the export: an unreachable endpoint fails fast and is counted once', async () => {
    const closed = await startOtlpReceiver();
    await closed.close();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = closed.url;
    process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '300';
    const handle = setup({ sink: 'none' });
    trace.getTracer('t').startSpan('lost').end();
    const started = Date.now();
    await handle.flush();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(handle.stats().traces).toMatchObject({ exportsFailed: 1, spansFailed: 1 });
    expect(spantrackWarnings()).toHaveLength(1);
  });

  it('shutdownTimeoutMillis above 2^31-1 is refused by setup() (it would make flush() give up after 1 ms)', () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS = '3000000000';
    const e = configError(() => setup({ sink: 'none' }));
    expect(e.message).toMatch(/^SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS: .*2147483647/);
  });
});

// ---------------------------------------------------------------------------------------------
// Child processes: the register entry as users run it.
// ---------------------------------------------------------------------------------------------

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

let otlp: OtlpReceiver;
let segment: SegmentServer;
let closedUrl: string;

beforeAll(async () => {
  if (!existsSync(join(packageDir, 'dist', 'register.js'))) {
    throw new Error(
      'packages/node/dist is missing: build first (npx turbo run build --filter=@spantrack/node)',
    );
  }
  otlp = await startOtlpReceiver();
  segment = await startSegmentServer({ writeKey: WRITE_KEY });
  const closed = await startOtlpReceiver();
  closedUrl = closed.url;
  await closed.close(); // a port that refuses connections
});

afterAll(async () => {
  await otlp?.close();
  await segment?.close();
});

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      !k.startsWith('OTEL_') &&
      !k.startsWith('SPANTRACK_') &&
      !k.startsWith('VITEST') &&
      !k.startsWith('HOSTILE_')
    )
      env[k] = v;
  }
  return {
    ...env,
    NODE_OPTIONS: '',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'hostile-service',
    SPANTRACK_SEGMENT_WRITE_KEY: WRITE_KEY,
    SPANTRACK_SEGMENT_HOST: segment.url,
    // These tests read the output for warnings; the startup and exit lines are tested on their own.
    SPANTRACK_QUIET: 'true',
    ...extra,
  };
}

function start(args: string[], env: Record<string, string>) {
  const started = Date.now();
  const child = spawn(process.execPath, args, { cwd: packageDir, env: childEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const done = new Promise<Run>((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      // Let the last stdio chunks arrive.
      setImmediate(() => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
    });
  });
  return { child, done, stdout: () => stdout };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const runAgent = (env: Record<string, string> = {}): Promise<Run> =>
  start(['--import', '@spantrack/node/register', agent], env).done;

const classifications = () => segment.messages.filter((m) => m.event === 'ai.classification');

describe('hostile processes under --import @spantrack/node/register', () => {
  beforeEach(() => {
    otlp.requests.length = 0;
    segment.reset();
  });

  it('baseline: the agent returns, spans and events arrive before exit', async () => {
    const r = await runAgent();
    expect(r.stdout).toContain('agent done');
    expect(r.code).toBe(0);
    expect(otlp.spanNames()).toContain('classify hostile-agent');
    expect(classifications()).toHaveLength(1);
  });

  it('NODE_OPTIONS=--import @spantrack/node/register works like the flag', async () => {
    const r = await start([agent], { NODE_OPTIONS: '--import @spantrack/node/register' }).done;
    expect(r.code).toBe(0);
    expect(otlp.spanNames()).toContain('classify hostile-agent');
    expect(classifications()).toHaveLength(1);
  });

  it('process.exit(0) right after the work: exits at once with its code, does not hang', async () => {
    const r = await runAgent({ HOSTILE_END: 'exit' });
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(5_000);
    expect(r.stderr).not.toContain('Error');
  });

  it('process.exit() right after the work: an exit listener says how many spans were not delivered', async () => {
    // Documented (docs/configuration.md: call shutdown() before process.exit()); the 'exit'
    // listener of the register entry says synchronously how many spans were never delivered.
    const r = await runAgent({ HOSTILE_END: 'exit' });
    expect(r.stderr).toContain(
      '[spantrack] 1 span(s) ended after the last flush were not delivered: call `await getSetup()?.shutdown()` before process.exit()',
    );
  });

  it('an uncaught exception after the work: the app crashes as usual (code 1, its error), no hang', async () => {
    const r = await runAgent({ HOSTILE_END: 'throw' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('hostile crash after the work');
    expect(r.ms).toBeLessThan(5_000);
  });

  it('an uncaught exception: the spans that ended before the crash are reported as not delivered', async () => {
    const r = await runAgent({ HOSTILE_END: 'throw' });
    expect(r.stderr).toContain(
      '[spantrack] 1 span(s) ended after the last flush were not delivered: call `await getSetup()?.shutdown()` before process.exit()',
    );
  });

  it('a server with the OTLP endpoint down gets SIGTERM: drains within shutdownTimeoutMillis, ends by the signal', async () => {
    const { child, done, stdout } = start(['--import', '@spantrack/node/register', agent], {
      HOSTILE_END: 'serve',
      OTEL_EXPORTER_OTLP_ENDPOINT: closedUrl,
      SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS: '1000',
    });
    await waitFor(() => stdout().includes('ready\n'), 5_000);
    const signalled = Date.now();
    child.kill('SIGTERM');
    const r = await done;
    expect(r.signal).toBe('SIGTERM');
    expect(Date.now() - signalled).toBeLessThan(4_000);
    // Analytics are unaffected by the dead trace endpoint.
    expect(classifications()).toHaveLength(1);
  });

  it('a short script with the OTLP endpoint down exits at SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS, not when the exporter gives up', async () => {
    // Was 8.4 s with SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS=1000 (the OTLP retry timers kept the loop
    // alive); the beforeExit flush now ends the process once its deadline passed.
    const r = await runAgent({
      OTEL_EXPORTER_OTLP_ENDPOINT: closedUrl,
      SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS: '1000',
    });
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(3_000);
    expect(r.stderr).toContain('[spantrack] the flush at exit did not finish within 1000 ms');
  }, 30_000);

  it('a short script with Segment unreachable exits at SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS and says how many events were lost', async () => {
    // Was 52-55 s, silent (SegmentPublisher retried for up to 120 s on ref'd timers).
    const r = await runAgent({
      SPANTRACK_SEGMENT_HOST: closedUrl,
      SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS: '1000',
      OTEL_TRACES_EXPORTER: 'none',
    });
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(3_000);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('[spantrack]'));
    expect(warnings).toEqual([expect.stringContaining('1 analytics event(s) not delivered')]);
  }, 30_000);

  it('--import AND setup(options) in the app: the register handle, one warning, every span counted once', async () => {
    const r = await runAgent({ HOSTILE_SETUP: '1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('setup state=registered same=true');
    expect(r.stdout).toContain('spans ended 1');
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('[spantrack]'));
    expect(warnings).toEqual([expect.stringContaining('options of this call are ignored')]);
    expect(otlp.spanNames()).toEqual(['classify hostile-agent']);
    expect(classifications()).toHaveLength(1);
  });

  it('under --import, later setup(sameOptions) calls warn "options ignored" once, not once per call', async () => {
    // Module re-evaluation (dev servers, per-request setup) would otherwise print it once per call.
    const r = await runAgent({ HOSTILE_SETUP: '3' });
    expect(r.stdout).toContain('same=true');
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('[spantrack]'));
    expect(warnings).toHaveLength(1);
  });

  it('an ESM app that imports openai dynamically after start is still instrumented', async () => {
    const fake = await startFakeOpenAI('ok', { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 });
    try {
      const r = await runAgent({ HOSTILE_OPENAI_URL: fake.url });
      expect(r.stdout).toContain('agent done');
      expect(otlp.spanNames()).toContain('chat gpt-4o-mini');
    } finally {
      fake.server.close();
    }
  });

  it('the app registering its own NodeTracerProvider after the register entry: spantrack says the API refused it', async () => {
    // The API refuses the second registration through diag only; the register entry forwards
    // that refusal to warn() (documented in docs/configuration.md).
    const r = await runAgent({ HOSTILE_OWN_PROVIDER: 'after' });
    expect(r.stdout).toContain('app exporter saw 0 span(s)');
    expect(r.stderr).toMatch(/\[spantrack\].*(already registered|provider)/);
  });
});
