import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../src/index';
import { expectedMessages } from './support/expected';
import { agentTraces } from './support/fixtures';
import { get } from './support/post';

const WRITE_KEY = 'e2e-key';
let server: SegmentServer;
let collector: Collector;

beforeAll(async () => {
  server = await startSegmentServer({ writeKey: WRITE_KEY });
  collector = await startCollector({
    http: { port: 0 },
    grpc: { port: 0 },
    sink: { type: 'segment', writeKey: WRITE_KEY, host: server.url, flushIntervalMs: 20 },
    env: {},
  });
});
afterAll(async () => {
  await collector?.close();
  await server?.close();
});
beforeEach(() => server.reset());

function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]) {
  return new Promise<{ code: ExportResultCode; error?: Error }>((resolve) => exporter.export(spans, resolve));
}

const exporters: [string, () => SpanExporter][] = [
  [
    'exporter-trace-otlp-proto (gzip)',
    () => new ProtoExporter({ url: collector.tracesUrl!, compression: 'gzip' as never }),
  ],
  [
    'exporter-trace-otlp-http, JSON (gzip)',
    () => new JsonExporter({ url: collector.tracesUrl!, compression: 'gzip' as never }),
  ],
  [
    'exporter-trace-otlp-grpc (gzip)',
    () => new GrpcExporter({ url: collector.grpcUrl!, compression: 'gzip' as never }),
  ],
];

describe.each(exporters)('the real %s → collector → Segment test server', (name, create) => {
  it('delivers exactly the expected events, ids carried across each trace', async () => {
    const spans = agentTraces(25, name.slice(0, 20));
    const expected = expectedMessages(spans);
    const exporter = create();
    const result = await exportSpans(exporter, spans);
    await exporter.shutdown();
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    // Ack after delivery: everything is at the server by the time the exporter hears 200.
    expect(server.uniqueMessageIds()).toEqual(new Set(expected.map((m) => m.messageId)));
    const received = new Map(server.messages.map((m) => [m.messageId, m]));
    for (const message of expected) {
      const got = received.get(message.messageId)!;
      expect(got.type).toBe(message.type);
      expect(got.event).toBe((message as { event?: string }).event);
      expect(got.userId).toBe(message.userId);
    }
    const classifications = server.messages.filter((m) => m.event === 'ai.classification');
    expect(classifications).toHaveLength(25);
    // The user id sits on the root span only; the collector carried it to the child within the request.
    expect(classifications.every((m) => typeof m.userId === 'string' && m.userId.startsWith('user-'))).toBe(
      true,
    );
  });
});

describe('observability endpoints', () => {
  it('healthz, readyz and metrics', async () => {
    const spans = agentTraces(2, 'metrics');
    const exporter = new ProtoExporter({ url: collector.tracesUrl! });
    await exportSpans(exporter, spans);
    await exporter.shutdown();
    expect(await get(`${collector.httpUrl}/healthz`)).toMatchObject({ status: 200, text: 'ok\n' });
    expect(await get(`${collector.httpUrl}/readyz`)).toMatchObject({ status: 200, text: 'ready\n' });
    const metrics = await get(`${collector.httpUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'spantrack_collector_requests_total{transport="http",outcome="ok"}',
      'spantrack_collector_spans_received_total',
      'spantrack_collector_messages_delivered_total',
      'spantrack_collector_messages_failed_total',
      'spantrack_collector_spans_rejected_total',
      'spantrack_collector_queue_depth 0',
      'spantrack_collector_request_duration_seconds_bucket{transport="http",le="+Inf"}',
      'process_resident_memory_bytes',
    ]) {
      expect(metrics.text).toContain(name);
    }
    const stats = collector.stats();
    expect(stats.spansReceived).toBeGreaterThanOrEqual(8);
    expect(stats.messagesDelivered).toBeGreaterThan(0);
    expect(stats.queueDepth).toBe(0);
  });
});
