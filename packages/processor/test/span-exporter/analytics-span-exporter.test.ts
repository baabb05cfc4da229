import { type Attributes, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnalyticsMessage,
  AnalyticsSpanExporter,
  type DeliveryResult,
  MemorySink,
  SegmentSink,
  type Sink,
  SinkClosedError,
  SpantrackConfigError,
  type TrackMessage,
} from '../../src/index';

const WRITE_KEY = 'exporter-test-write-key';

const classification = (extra: Attributes = {}): Attributes => ({
  'spantrack.interaction.kind': 'classification',
  'gen_ai.agent.name': 'bot',
  'user.id': 'user-7',
  'spantrack.channel': 'whatsapp',
  'spantrack.intent.name': 'nil_filing',
  'spantrack.intent.confidence': 0.99,
  'gen_ai.request.model': 'llama3.2:3b',
  ...extra,
});

/** A sink whose `send` settles only when the test says so. */
class GatedSink implements Sink {
  readonly sent: AnalyticsMessage[] = [];
  private release: (() => void) | undefined;
  hang = false;
  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    await new Promise<void>((resolve) => {
      this.release = resolve;
    });
    if (this.hang) await new Promise(() => {});
    this.sent.push(...messages);
    return { delivered: messages.length, failed: 0, errors: [] };
  }
  open(): void {
    this.release?.();
  }
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

let providers: BasicTracerProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.map((p) => p.shutdown()));
  providers = [];
});

/** Ended spans as the SDK hands them to exporters, made by a real provider. */
function endedSpans(make: (tracer: ReturnType<BasicTracerProvider['getTracer']>) => void): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  providers.push(provider);
  make(provider.getTracer('test'));
  return memory.getFinishedSpans();
}

function exportOnce(exporter: AnalyticsSpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

describe('AnalyticsSpanExporter under a real BatchSpanProcessor', () => {
  it('delivers the events of exported spans to the sink', async () => {
    const sink = new MemorySink();
    const exporter = new AnalyticsSpanExporter({ sink, catalogs: ['ai-agent'] });
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    providers.push(provider);
    const tracer = provider.getTracer('test');
    for (let i = 0; i < 5; i++) tracer.startSpan('classify bot', { attributes: classification() }).end();
    await provider.forceFlush();
    expect(sink.messages).toHaveLength(5);
    const m = sink.messages[0] as TrackMessage;
    expect(m).toMatchObject({ event: 'ai.classification', userId: 'user-7' });
    expect(m.properties.detected_intent).toBe('nil_filing');
    expect(exporter.stats()).toMatchObject({
      exportsSucceeded: 1,
      exportsFailed: 0,
      spansReceived: 5,
      spansTranslated: 5,
      messagesEmitted: 5,
      messagesDelivered: 5,
      pendingMessages: 0,
    });
  });

  it('carries ids set on the local root to children exported in an earlier batch', async () => {
    const sink = new MemorySink();
    const exporter = new AnalyticsSpanExporter({ sink, catalogs: ['ai-agent'] });
    // One span per batch: the child's batch is exported before its root has ended.
    const bsp = new BatchSpanProcessor(exporter, { maxExportBatchSize: 1, scheduledDelayMillis: 5 });
    const provider = new BasicTracerProvider({ spanProcessors: [bsp] });
    providers.push(provider);
    const tracer = provider.getTracer('test');
    const { 'user.id': _, 'spantrack.channel': __, ...anonymous } = classification();
    const root = tracer.startSpan('invoke_agent bot', {
      attributes: { 'spantrack.interaction.kind': 'turn' },
    });
    tracer.startSpan('classify bot', { attributes: anonymous }, trace.setSpan(ROOT_CONTEXT, root)).end();
    await provider.forceFlush();
    expect(exporter.stats()).toMatchObject({ exportsSucceeded: 1, heldSpans: 1, messagesEmitted: 0 });
    expect(sink.messages).toEqual([]);
    root.setAttribute('user.id', 'late-user');
    root.setAttribute('spantrack.channel', 'whatsapp');
    root.end();
    await provider.forceFlush();
    const [m] = sink.messages as TrackMessage[];
    expect(m).toMatchObject({
      event: 'ai.classification',
      userId: 'late-user',
      context: { channel: 'whatsapp' },
    });
    expect(exporter.stats().heldSpans).toBe(0);
  });
});

describe('AnalyticsSpanExporter.export result', () => {
  it('reports SUCCESS only once the sink has delivered the events', async () => {
    const sink = new GatedSink();
    const exporter = new AnalyticsSpanExporter({ sink, catalogs: ['ai-agent'] });
    const spans = endedSpans((t) => t.startSpan('classify bot', { attributes: classification() }).end());
    let result: ExportResult | undefined;
    exporter.export(spans, (r) => {
      result = r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(result).toBeUndefined();
    sink.open();
    await new Promise((r) => setTimeout(r, 0));
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    expect(sink.sent).toHaveLength(1);
  });

  it('reports SUCCESS at once for spans that yield no event', async () => {
    const exporter = new AnalyticsSpanExporter({ sink: new GatedSink() });
    const spans = endedSpans((t) => t.startSpan('GET /health').end());
    expect(await exportOnce(exporter, spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(exporter.stats()).toMatchObject({ spansUnrecognised: 1, messagesEmitted: 0 });
  });

  it('reports FAILED with the error when the sink does not deliver within exportTimeoutMillis', async () => {
    const sink = new GatedSink();
    sink.hang = true;
    const exporter = new AnalyticsSpanExporter({ sink, exportTimeoutMillis: 50 });
    const spans = endedSpans((t) => t.startSpan('classify bot', { attributes: classification() }).end());
    const pending = exportOnce(exporter, spans);
    sink.open();
    const result = await pending;
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toMatch(/not delivered within 50 ms/);
    expect(exporter.stats()).toMatchObject({ exportsFailed: 1, pendingMessages: 1 });
  });

  it('reports FAILED after shutdown, and shuts the sink down', async () => {
    const sink = new MemorySink();
    const exporter = new AnalyticsSpanExporter({ sink });
    await exporter.shutdown();
    await exporter.shutdown(); // idempotent
    const spans = endedSpans((t) => t.startSpan('classify bot', { attributes: classification() }).end());
    const result = await exportOnce(exporter, spans);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error).toBeInstanceOf(SinkClosedError);
    expect(sink.messages).toEqual([]);
  });

  it('never throws: unreadable spans count as failed, a throwing callback is contained', async () => {
    const exporter = new AnalyticsSpanExporter({ sink: new MemorySink() });
    const results: ExportResult[] = [];
    expect(() =>
      exporter.export([{ name: 'broken' } as unknown as ReadableSpan], (r) => {
        results.push(r);
        throw new Error('callback bug');
      }),
    ).not.toThrow();
    expect(() => exporter.export(null as unknown as ReadableSpan[], (r) => results.push(r))).not.toThrow();
    expect(results.map((r) => r.code)).toEqual([ExportResultCode.SUCCESS, ExportResultCode.SUCCESS]);
    expect(exporter.stats().spansFailed).toBe(1);
  });

  it('delivers held spans whose root never arrives at forceFlush', async () => {
    const sink = new MemorySink();
    const exporter = new AnalyticsSpanExporter({ sink, catalogs: ['ai-agent'] });
    const spans = endedSpans((t) => {
      const root = t.startSpan('invoke_agent bot');
      t.startSpan('classify bot', { attributes: classification() }, trace.setSpan(ROOT_CONTEXT, root)).end();
    });
    expect(await exportOnce(exporter, spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(sink.messages).toEqual([]);
    await exporter.forceFlush();
    expect(sink.messages).toHaveLength(1);
  });

  it('rejects a missing sink with a typed error', () => {
    expect(() => new AnalyticsSpanExporter({} as never)).toThrow(SpantrackConfigError);
    expect(() => new AnalyticsSpanExporter({ sink: new MemorySink(), exportTimeoutMillis: -1 })).toThrow(
      /exportTimeoutMillis/,
    );
  });
});

describe('AnalyticsSpanExporter to the Segment-compatible test server', () => {
  let server: SegmentServer;
  beforeAll(async () => {
    server = await startSegmentServer({ writeKey: WRITE_KEY });
  });
  afterAll(async () => {
    await server.close();
  });

  it('SUCCESS once the server accepted the events; FAILED with the status when it refuses them', async () => {
    const sink = new SegmentSink({ writeKey: WRITE_KEY, host: server.url, maxRetries: 0 });
    const failures: number[] = [];
    const exporter = new AnalyticsSpanExporter({
      sink,
      catalogs: ['ai-agent'],
      onDeliveryFailure: (failed) => failures.push(failed),
    });
    const ok = endedSpans((t) => t.startSpan('classify bot', { attributes: classification() }).end());
    expect(await exportOnce(exporter, ok)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(server.messages.map((m) => m.event)).toEqual(['ai.classification']);

    server.setFault({ status: 400, body: 'bad batch' });
    const refused = endedSpans((t) => t.startSpan('classify bot', { attributes: classification() }).end());
    const result = await exportOnce(exporter, refused);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toMatch(/1 of 1 analytics event\(s\) not delivered: Segment answered 400/);
    expect(failures).toEqual([1]);
    expect(server.messages).toHaveLength(1);
    server.setFault(null);
    await exporter.shutdown();
  });
});
