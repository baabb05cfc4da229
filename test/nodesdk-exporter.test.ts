import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AgentTracker } from '@spantrack/instrumentation';
import { AnalyticsSpanExporter, MemorySink, type TrackMessage } from '@spantrack/processor';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../packages/node/test/support/otlp-receiver';

/*
 * The AnalyticsSpanExporter where OpenTelemetry users put exporters: in @opentelemetry/sdk-node's
 * NodeSDK, next to the OTLP exporter. The first test runs, in its own process, the code the
 * README shows (the fixture is that code, verbatim), against a local OTLP receiver and the
 * Segment-compatible test server.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = join(root, 'test', 'fixtures', 'nodesdk-agent.mjs');
const WRITE_KEY = 'nodesdk-write-key';

let segment: SegmentServer;
let otlp: OtlpReceiver;

beforeAll(async () => {
  segment = await startSegmentServer({ writeKey: WRITE_KEY });
  otlp = await startOtlpReceiver();
});
afterAll(async () => {
  await segment?.close();
  await otlp?.close();
});
beforeEach(() => {
  segment.reset();
  otlp.requests.length = 0;
});

/** The first js block under `heading` in a markdown file. */
function codeBlockUnder(file: string, heading: string): string {
  const text = readFileSync(join(root, file), 'utf8');
  const at = text.indexOf(`${heading}\n`);
  expect(at, `${file} has the heading ${heading}`).toBeGreaterThanOrEqual(0);
  const block = /```js\n([\s\S]*?)```/.exec(text.slice(at));
  expect(block, `${file} has a js block under ${heading}`).not.toBeNull();
  return block![1]!;
}

describe('AnalyticsSpanExporter in the OpenTelemetry NodeSDK', () => {
  it('the README code is the fixture, verbatim', () => {
    const fixture = readFileSync(FIXTURE, 'utf8');
    expect(codeBlockUnder('README.md', '## With the OpenTelemetry NodeSDK')).toBe(fixture);
    expect(codeBlockUnder('packages/processor/README.md', '## With the OpenTelemetry NodeSDK')).toBe(fixture);
  });

  it('spanProcessors form (the README code): traces at the OTLP receiver, events at Segment', async () => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!k.startsWith('OTEL_') && !k.startsWith('SPANTRACK_') && !k.startsWith('VITEST')) env[k] = v;
    }
    const child = spawn(process.execPath, [FIXTURE], {
      cwd: root,
      env: {
        ...env,
        NODE_OPTIONS: '',
        SPANTRACK_SEGMENT_WRITE_KEY: WRITE_KEY,
        SPANTRACK_SEGMENT_HOST: segment.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(output).toBe('');
    expect(code).toBe(0);
    expect(otlp.spanNames(['classify support-bot'])).toEqual(['classify support-bot']);
    const events = segment.messages.filter((m) => m.event === 'ai.classification');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'track',
      userId: 'user-42',
      properties: { detected_intent: 'refund_status', model: 'gpt-4o-mini' },
      context: { channel: 'web_widget' },
    });
  });

  it('traceExporter form: NodeSDK wraps the exporter in its BatchSpanProcessor', async () => {
    const sink = new MemorySink();
    const exporter = new AnalyticsSpanExporter({ sink, catalogs: ['ai-agent'] });
    const sdk = new NodeSDK({ serviceName: 'support-bot', traceExporter: exporter, instrumentations: [] });
    sdk.start();
    try {
      const tracker = new AgentTracker({ agentName: 'support-bot', channel: 'whatsapp' });
      await tracker.withContext({ userId: 'user-9' }, () =>
        tracker.classify({ model: 'llama3.2:3b', input: 'hi' }, async () => ({
          intent: 'greeting',
          confidence: 0.8,
        })),
      );
    } finally {
      await sdk.shutdown();
    }
    const [m] = sink.messages as TrackMessage[];
    expect(m).toMatchObject({ event: 'ai.classification', userId: 'user-9' });
    expect(m?.properties.detected_intent).toBe('greeting');
    expect(exporter.stats()).toMatchObject({ exportsSucceeded: 1, exportsFailed: 0, messagesDelivered: 1 });
  });
});
