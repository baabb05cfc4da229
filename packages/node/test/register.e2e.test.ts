import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from './support/fake-openai';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver';

/*
 * The zero-code path end to end, against the built package (dist), as a user runs it:
 * `node --import @spantrack/node/register agent.mjs` with only env vars, a local OTLP/HTTP receiver
 * and the Segment test server. The agents simply return: everything must arrive before they exit.
 */

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = (name: string) => join(packageDir, 'test', 'fixtures', name);
const WRITE_KEY = 'e2e-write-key';

let otlp: OtlpReceiver;
let segment: SegmentServer;

beforeAll(async () => {
  if (
    !existsSync(join(packageDir, 'dist', 'register.js')) ||
    !existsSync(join(packageDir, 'dist', 'register.cjs'))
  ) {
    throw new Error(
      'packages/node/dist is missing: build first (npx turbo run build --filter=@spantrack/node)',
    );
  }
  otlp = await startOtlpReceiver();
  segment = await startSegmentServer({ writeKey: WRITE_KEY });
});

afterAll(async () => {
  await otlp?.close();
  await segment?.close();
});

beforeEach(() => {
  otlp.requests.length = 0;
  segment.reset();
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('OTEL_') && !k.startsWith('SPANTRACK_') && !k.startsWith('VITEST')) env[k] = v;
  }
  return {
    ...env,
    NODE_OPTIONS: '',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    OTEL_SERVICE_NAME: 'e2e-agent-service',
    SPANTRACK_SEGMENT_WRITE_KEY: WRITE_KEY,
    SPANTRACK_SEGMENT_HOST: segment.url,
    // These tests read the output for warnings; the startup and exit lines are tested on their own.
    SPANTRACK_QUIET: 'true',
    ...extra,
  };
}

function start(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, args, { cwd: packageDir, env: baseEnv(env) });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const done = new Promise<Run>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, output }));
  });
  return { child, done };
}

const run = (args: string[], env: Record<string, string> = {}): Promise<Run> => start(args, env).done;

function expectAgentEvents(): void {
  const classifications = segment.messages.filter((m) => m.event === 'ai.classification');
  expect(classifications).toHaveLength(1);
  expect(classifications[0]).toMatchObject({ type: 'track', userId: 'user-42' });
  expect(segment.batches.every((b) => b.path === '/v1/batch')).toBe(true);
}

describe('node --import @spantrack/node/register (ESM)', () => {
  it('http/protobuf with gzip: traces at the receiver and events at Segment before exit', async () => {
    const result = await run(['--import', '@spantrack/node/register', fixture('agent.mjs')], {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    });
    expect(result.output).toBe('agent done\n');
    expect(result.code).toBe(0);
    expect(otlp.requests.length).toBeGreaterThan(0);
    for (const r of otlp.requests) {
      expect(r.path).toBe('/v1/traces');
      expect(r.contentType).toBe('application/x-protobuf');
      expect(r.contentEncoding).toBe('gzip');
    }
    expect(otlp.spanNames(['classify e2e-agent'])).toEqual(['classify e2e-agent']);
    expect(otlp.requests[0]?.body.includes(Buffer.from('e2e-agent-service'))).toBe(true);
    expectAgentEvents();
  });

  it('http/json with gzip: the spans parse, with their attributes', async () => {
    const result = await run(['--import', '@spantrack/node/register', fixture('agent.mjs')], {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    expect(result.code).toBe(0);
    expect(otlp.requests.map((r) => [r.contentType, r.contentEncoding])).toEqual([
      ['application/json', 'gzip'],
    ]);
    const doc = JSON.parse(otlp.requests[0]!.body.toString('utf8'));
    const resource = doc.resourceSpans[0].resource.attributes as {
      key: string;
      value: { stringValue?: string };
    }[];
    expect(resource.find((a) => a.key === 'service.name')?.value.stringValue).toBe('e2e-agent-service');
    const span = doc.resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.name).toBe('classify e2e-agent');
    const attrs = Object.fromEntries(
      (span.attributes as { key: string; value: Record<string, unknown> }[]).map((a) => [
        a.key,
        Object.values(a.value)[0],
      ]),
    );
    expect(attrs).toMatchObject({
      'gen_ai.request.model': 'gpt-4o-mini',
      'user.id': 'user-42',
      'gen_ai.conversation.id': 'conv-7',
      'spantrack.intent.name': 'nil_filing',
    });
    expectAgentEvents();
  });

  it('the official openai instrumentation patches an ESM `import OpenAI from "openai"`', async () => {
    const fake = await startFakeOpenAI();
    try {
      const result = await run(['--import', '@spantrack/node/register', fixture('openai-agent.mjs')], {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        FAKE_OPENAI_URL: fake.url,
      });
      expect(result.output).toBe('agent done nil_filing\n');
      expect(otlp.spanNames()).toContain('chat gpt-4o-mini');
    } finally {
      fake.server.close();
    }
  });

  it('OTEL_SDK_DISABLED=true: the agent runs, nothing is sent', async () => {
    const result = await run(['--import', '@spantrack/node/register', fixture('agent.mjs')], {
      OTEL_SDK_DISABLED: 'true',
    });
    expect(result).toMatchObject({ code: 0, output: 'agent done\n' });
    expect(otlp.requests).toEqual([]);
    expect(segment.messages).toEqual([]);
  });

  it('invalid configuration stops the start with the option and the fix', async () => {
    const result = await run(['--import', '@spantrack/node/register', fixture('agent.mjs')], {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('OTEL_EXPORTER_OTLP_PROTOCOL: grpc is not supported by @spantrack/node');
    expect(result.output).not.toContain('agent done');
  });
});

describe('node --require @spantrack/node/register (CommonJS)', () => {
  it('traces and events arrive before exit', async () => {
    const result = await run(['--require', '@spantrack/node/register', fixture('agent.cjs')], {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    });
    expect(result.output).toBe('agent done\n');
    expect(result.code).toBe(0);
    expect(otlp.requests[0]).toMatchObject({
      contentType: 'application/x-protobuf',
      contentEncoding: 'gzip',
    });
    expect(otlp.spanNames(['classify e2e-agent'])).toEqual(['classify e2e-agent']);
    expectAgentEvents();
  });
});

describe('signals', () => {
  async function startLongRunning(env: Record<string, string> = {}) {
    const started = start(['--import', '@spantrack/node/register', fixture('long-running-agent.mjs')], {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      ...env,
    });
    const [chunk] = (await once(started.child.stdout!, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('ready\n');
    return started;
  }

  it('SIGTERM with no handler of the app: flushes, then ends by the signal as Node would', async () => {
    const { child, done } = await startLongRunning();
    child.kill('SIGTERM');
    const result = await done;
    expect(result.signal).toBe('SIGTERM');
    expect(otlp.spanNames()).toEqual(['classify e2e-agent']);
    expectAgentEvents();
  });

  it('SIGINT likewise', async () => {
    const { child, done } = await startLongRunning();
    child.kill('SIGINT');
    expect((await done).signal).toBe('SIGINT');
    expectAgentEvents();
  });

  it("the app's own SIGTERM handler decides how to exit; awaiting shutdown() there delivers everything", async () => {
    const { child, done } = await startLongRunning({ OWN_SIGTERM_HANDLER: '1' });
    child.kill('SIGTERM');
    const result = await done;
    expect(result).toMatchObject({ code: 3, signal: null });
    expect(result.output).toContain('app handler done');
    expect(otlp.spanNames()).toEqual(['classify e2e-agent']);
    expectAgentEvents();
  });
});

describe('the startup and exit lines', () => {
  const QUIET_UNSET = { SPANTRACK_QUIET: '' };
  const spantrackLines = (output: string) => output.split('\n').filter((l) => l.startsWith('[spantrack]'));

  function expectExitLine(line: string | undefined): void {
    const delivered = segment.messages.length;
    expect(delivered).toBeGreaterThan(0);
    expect(line).toBe(
      `[spantrack] exiting: 1 span(s) ended, 1 exported (0 not exported); ${delivered} event(s) delivered (0 not delivered)`,
    );
  }

  it('--import: one line at startup (where traces and events go, privacy) and one at exit, on stderr', async () => {
    const result = await run(['--import', '@spantrack/node/register', fixture('agent.mjs')], QUIET_UNSET);
    expect(result.code).toBe(0);
    const lines = spantrackLines(result.output);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      `[spantrack] started: traces to ${otlp.url}/v1/traces (OTLP http/protobuf); events to Segment (${segment.url}), catalogs ai-agent, segment-copilot, customer-signals; content capture off; user-id pseudonymisation off`,
    );
    expectExitLine(lines[1]);
    expect(result.output.replace(/^\[spantrack\].*\n/gm, '')).toBe('agent done\n');
  });

  it('--require: the same two lines', async () => {
    const result = await run(['--require', '@spantrack/node/register', fixture('agent.cjs')], QUIET_UNSET);
    expect(result.code).toBe(0);
    const lines = spantrackLines(result.output);
    expect(lines[0]).toMatch(/^\[spantrack\] started: traces to /);
    expectExitLine(lines[1]);
  });

  it('says when content capture and pseudonymisation are on, and never prints a secret', async () => {
    const result = await run(['--import', '@spantrack/node/register', fixture('agent.mjs')], {
      ...QUIET_UNSET,
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlp.url.replace('://', '://trace-user:url-password@')}/v1/traces?api_key=query-token`,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=header-secret',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
      SPANTRACK_PSEUDONYMIZE_SECRET: 'hmac-secret',
    });
    expect(result.code).toBe(0);
    const [startup] = spantrackLines(result.output);
    expect(startup).toContain(`traces to ${otlp.url}/v1/traces (OTLP http/protobuf)`);
    expect(startup).toContain('content capture ON; user-id pseudonymisation on');
    for (const secret of [
      WRITE_KEY,
      'url-password',
      'trace-user',
      'query-token',
      'header-secret',
      'hmac-secret',
    ]) {
      expect(result.output).not.toContain(secret);
    }
    expect(otlp.requests.length).toBeGreaterThan(0);
  });

  // OTEL_TRACES_EXPORTER=otlp,zipkin is worth a warning (zipkin is not supported).
  it('SPANTRACK_QUIET=true keeps only warnings', async () => {
    const quiet = await run(['--import', '@spantrack/node/register', fixture('agent.mjs')], {
      SPANTRACK_QUIET: 'true',
      OTEL_TRACES_EXPORTER: 'otlp,zipkin',
    });
    expect(spantrackLines(quiet.output)).toEqual([expect.stringContaining('zipkin not supported')]);
  });

  it('SPANTRACK_LOG_LEVEL=none silences warnings too', async () => {
    const none = await run(['--import', '@spantrack/node/register', fixture('agent.mjs')], {
      ...QUIET_UNSET,
      SPANTRACK_LOG_LEVEL: 'none',
      OTEL_TRACES_EXPORTER: 'otlp,zipkin',
    });
    expect(none).toMatchObject({ code: 0, output: 'agent done\n' });
  });

  it('an invalid SPANTRACK_LOG_LEVEL stops the start with the fix', async () => {
    const result = await run(['--import', '@spantrack/node/register', fixture('agent.mjs')], {
      SPANTRACK_LOG_LEVEL: 'loud',
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('SPANTRACK_LOG_LEVEL: must be one of info, warn, none, got "loud"');
  });

  it('SIGTERM: the exit line is printed before the process ends by the signal', async () => {
    const started = start(['--import', '@spantrack/node/register', fixture('long-running-agent.mjs')], {
      ...QUIET_UNSET,
    });
    await once(started.child.stdout!, 'data');
    started.child.kill('SIGTERM');
    const result = await started.done;
    expect(result.signal).toBe('SIGTERM');
    expectExitLine(spantrackLines(result.output)[1]);
  });

  it('setup() in code stays quiet by default', async () => {
    const quiet = await run([fixture('setup-agent.mjs')], QUIET_UNSET);
    expect(quiet).toMatchObject({ code: 0, output: 'agent done\n' });
    expect(segment.messages.length).toBeGreaterThan(0);
  });

  it('setup({ logLevel: "info" }) prints both lines', async () => {
    const asked = await run([fixture('setup-agent.mjs')], { ...QUIET_UNSET, SETUP_LOG_LEVEL: 'info' });
    const lines = spantrackLines(asked.output);
    expect(lines[0]).toMatch(/^\[spantrack\] started: /);
    expectExitLine(lines[1]);
  });
});
