import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../src/index';
import { messageIds } from './support/expected';
import { agentTraces, toProtobuf } from './support/fixtures';
import { RETRYABLE, sendAll } from './support/retrying-sender';

const WRITE_KEY = 'fault-key';
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let server: SegmentServer;

beforeAll(async () => {
  server = await startSegmentServer({ writeKey: WRITE_KEY });
});
afterAll(() => server?.close());
beforeEach(() => server.reset());

/** `requests` request bodies of `traces` agent traces each, and every messageId they must yield. */
function workload(tag: string, requests: number, traces: number) {
  const batches = Array.from({ length: requests }, (_, i) => agentTraces(traces, `${tag}${i}`));
  const expected = new Set<string>();
  for (const spans of batches) for (const id of messageIds(spans)) expected.add(id);
  return { bodies: batches.map(toProtobuf), expected };
}

describe('the Segment test server fails for a while, then recovers', () => {
  let collector: Collector;
  beforeAll(async () => {
    collector = await startCollector({
      http: { port: 0 },
      grpc: false,
      sink: { type: 'segment', writeKey: WRITE_KEY, host: server.url, flushIntervalMs: 20 },
      env: {},
    });
  });
  afterAll(() => collector?.close());

  it('a retrying sender gets only retryable answers until every messageId arrives', async () => {
    const { bodies, expected } = workload('outage', 12, 4);
    server.setFault({ status: 503 });
    const recover = setTimeout(() => server.setFault(null), 2500);
    const { seen, final } = await sendAll(() => collector.tracesUrl!, bodies, {
      concurrency: 4,
      deadlineMs: 30_000,
    });
    clearTimeout(recover);
    expect(final.every((s) => s === 200)).toBe(true);
    expect(seen.filter((s) => s !== 200).every((s) => RETRYABLE.includes(s))).toBe(true);
    expect(seen).toContain(503);
    const got = server.uniqueMessageIds();
    for (const id of expected) expect(got.has(id), id).toBe(true);
    expect(collector.stats().queueDepth).toBe(0);
  }, 30_000);

  it('the real proto exporter rides out a short outage within its retry budget', async () => {
    const spans = agentTraces(5, 'short-outage');
    // Three failures exhaust the sink's own retries: the collector answers 503 once, the exporter retries.
    server.setFault({ status: 500, times: 4 });
    const unavailableBefore = (await (await fetch(`${collector.httpUrl}/metrics`)).text()).match(
      /outcome="unavailable"\} (\d+)/,
    )?.[1];
    const exporter = new OTLPTraceExporter({ url: collector.tracesUrl!, compression: 'gzip' as never });
    const result = await new Promise<{ code: ExportResultCode }>((resolve) =>
      exporter.export(spans, resolve),
    );
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const unavailableAfter = (await (await fetch(`${collector.httpUrl}/metrics`)).text()).match(
      /outcome="unavailable"\} (\d+)/,
    )?.[1];
    expect(Number(unavailableAfter)).toBeGreaterThan(Number(unavailableBefore ?? 0));
    const got = server.uniqueMessageIds();
    for (const id of messageIds(spans)) expect(got.has(id)).toBe(true);
  }, 15_000);
});

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

async function spawnCollector(port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      // One process: this is the collector itself crashing, not one of its workers.
      '--workers',
      '1',
      '--http-port',
      String(port),
      '--grpc-port',
      'off',
      '--sink',
      'segment',
      '--segment-write-key',
      WRITE_KEY,
      '--segment-host',
      server.url,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SPANTRACK_SINK: undefined, SPANTRACK_COLLECTOR_SINK: undefined },
    },
  );
  let out = '';
  child.stdout!.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const match = /OTLP\/HTTP listening on (\S+)/.exec(out);
      if (match) resolve(`${match[1]}/v1/traces`);
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}: ${out}`)));
  });
  return { child, url };
}

describe('the collector is killed with SIGKILL mid-stream and restarted', () => {
  it('every messageId arrives, and the sender saw only retryable answers', async () => {
    const port = await freePort();
    let { child, url } = await spawnCollector(port);
    const { bodies, expected } = workload('kill', 40, 3);
    let acked = 0;
    let restarted: Promise<void> | undefined;
    const sending = sendAll(() => url, bodies, {
      concurrency: 4,
      deadlineMs: 40_000,
      onAck: () => {
        acked++;
        if (acked === 8 && restarted === undefined) {
          // Mid-stream: requests in flight, messages batched in the sink, none of them acknowledged.
          child.kill('SIGKILL');
          restarted = (async () => {
            await once(child, 'exit');
            await new Promise((r) => setTimeout(r, 300));
            ({ child, url } = await spawnCollector(port));
          })();
        }
      },
    });
    const { seen, final } = await sending;
    await restarted;
    expect(restarted).toBeDefined();
    expect(final.every((s) => s === 200)).toBe(true);
    expect(seen.filter((s) => s !== 200).every((s) => RETRYABLE.includes(s))).toBe(true);
    expect(seen).toContain('network');
    const got = server.uniqueMessageIds();
    const missing = [...expected].filter((id) => !got.has(id));
    expect(missing).toEqual([]);

    // Graceful stop of the restarted process: SIGTERM drains and exits 0.
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  }, 60_000);
});
