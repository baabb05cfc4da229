import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnalyticsSpanExporter, SegmentSink } from '../../src/index';

/*
 * Loss and duplication, counted at the Segment-compatible test server: an outage that outlasts the
 * exporter's delivery deadline, a caller that retries the same spans meanwhile and again after
 * recovery. Every messageId must arrive, and arrive once.
 */

const WRITE_KEY = 'exactly-once-write-key';
const SPANS = 40;

function endedSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('t');
  for (let i = 0; i < SPANS; i++) {
    tracer
      .startSpan('classify bot', {
        attributes: {
          'spantrack.interaction.kind': 'classification',
          'gen_ai.agent.name': 'bot',
          'user.id': `user-${i}`,
          'spantrack.intent.name': 'nil_filing',
          'spantrack.intent.confidence': 0.9,
        },
      })
      .end();
  }
  return memory.getFinishedSpans();
}

const exportOnce = (exporter: AnalyticsSpanExporter, spans: ReadableSpan[]) =>
  new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));

describe('exactly once within the window, in process', () => {
  let server: SegmentServer;
  beforeEach(async () => {
    server = await startSegmentServer({ writeKey: WRITE_KEY });
  });
  afterEach(async () => {
    await server.close();
  });

  for (const fault of [{ hang: true, times: 3 } as const, { status: 503, times: 6 } as const]) {
    it(`outage (${'hang' in fault ? 'hanging requests' : '503s'}) longer than the export deadline, retried exports: zero missing, zero duplicated`, async () => {
      server.setFault(fault);
      const sink = new SegmentSink({
        writeKey: WRITE_KEY,
        host: server.url,
        flushInterval: 10,
        httpRequestTimeout: 300,
        minBackoff: 100,
        maxBackoff: 200,
      });
      const exporter = new AnalyticsSpanExporter({ sink, exportTimeoutMillis: 250, traceHold: false });
      const spans = endedSpans();

      // The outage outlasts the export deadline: FAILED, delivery goes on in the background.
      expect((await exportOnce(exporter, spans)).code).toBe(ExportResultCode.FAILED);
      // The caller retries the same spans while the first delivery is still being retried.
      const retried = await exportOnce(exporter, spans);
      await server.waitForMessages(SPANS, 10_000);
      // And once more after recovery.
      const after = await exportOnce(exporter, spans);
      expect(after.code).toBe(ExportResultCode.SUCCESS);
      expect([ExportResultCode.SUCCESS, ExportResultCode.FAILED]).toContain(retried.code);
      await exporter.shutdown();

      expect(server.uniqueMessageIds().size).toBe(SPANS);
      expect(server.duplicateMessageIds()).toEqual([]);
      expect(server.messageIds()).toHaveLength(SPANS);
    });
  }
});
