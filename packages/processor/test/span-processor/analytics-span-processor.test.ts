import { type Attributes, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AnalyticsMessage,
  AnalyticsSpanProcessor,
  type AnalyticsSpanProcessorOptions,
  type DeliveryResult,
  type Sink,
  SpantrackConfigError,
  type TrackMessage,
} from '../../src/index';

/** A sink that records every `send`, and can be told to fail or hang. */
class RecordingSink implements Sink {
  readonly batches: AnalyticsMessage[][] = [];
  mode: 'ok' | 'fail' | 'reject' | 'hang' = 'ok';
  inFlight = 0;
  maxInFlight = 0;
  flushed = 0;
  shutDown = 0;
  delayMs = 0;

  get messages(): AnalyticsMessage[] {
    return this.batches.flat();
  }

  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.mode === 'hang') await new Promise(() => {});
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.mode === 'reject') throw new Error('boom');
      if (this.mode === 'fail') {
        return {
          delivered: 0,
          failed: messages.length,
          errors: messages.map((m) => ({ messageId: m.messageId, error: new Error('400 bad request') })),
        };
      }
      this.batches.push([...messages]);
      return { delivered: messages.length, failed: 0, errors: [] };
    } finally {
      this.inFlight--;
    }
  }
  async flush(): Promise<void> {
    this.flushed++;
  }
  async shutdown(): Promise<void> {
    this.shutDown++;
  }
}

const classification = (extra: Attributes = {}): Attributes => ({
  'spantrack.interaction.kind': 'classification',
  'gen_ai.agent.name': 'bot',
  'user.id': '+254712345678',
  'spantrack.channel': 'whatsapp',
  'spantrack.intent.name': 'nil_filing',
  'spantrack.intent.confidence': 0.99,
  'gen_ai.request.model': 'llama3.2:3b',
  ...extra,
});

let providers: BasicTracerProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.map((p) => p.shutdown()));
  providers = [];
});

function setup(options: Partial<AnalyticsSpanProcessorOptions> = {}) {
  const sink = new RecordingSink();
  const processor = new AnalyticsSpanProcessor({ sink, catalogs: ['ai-agent'], ...options });
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  providers.push(provider);
  const tracer = provider.getTracer('test');
  return { sink, processor, tracer };
}

describe('AnalyticsSpanProcessor', () => {
  it('only enqueues on onEnd, and delivers on forceFlush', async () => {
    const { sink, processor, tracer } = setup();
    for (let i = 0; i < 10; i++) tracer.startSpan('classify bot', { attributes: classification() }).end();
    expect(sink.batches).toEqual([]);
    expect(processor.stats().queueDepth).toBe(10);
    await processor.forceFlush();
    expect(sink.messages).toHaveLength(10);
    const m = sink.messages[0] as TrackMessage;
    expect(m.event).toBe('ai.classification');
    expect(m.userId).toBe('+254712345678');
    expect(m.properties.detected_intent).toBe('nil_filing');
    expect(sink.flushed).toBeGreaterThanOrEqual(1);
    expect(processor.stats()).toMatchObject({
      spansSeen: 10,
      spansTranslated: 10,
      messagesEmitted: 10,
      messagesDelivered: 10,
      messagesFailed: 0,
      queueDepth: 0,
      pendingMessages: 0,
    });
  });

  it('delivers in the background without a flush', async () => {
    const { sink, tracer } = setup({ scheduledDelayMillis: 10 });
    tracer.startSpan('classify bot', { attributes: classification() }).end();
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.messages).toHaveLength(1);
  });

  it('counts spans that yield nothing as unrecognised, not as failures', async () => {
    const { sink, processor, tracer } = setup();
    tracer.startSpan('GET /health', { attributes: { 'http.request.method': 'GET' } }).end();
    await processor.forceFlush();
    expect(sink.messages).toEqual([]);
    expect(processor.stats()).toMatchObject({ spansTranslated: 1, spansUnrecognised: 1, spansFailed: 0 });
  });

  it('drops and counts spans past maxQueueSize, never blocking or throwing', async () => {
    const { sink, processor, tracer } = setup({ maxQueueSize: 5, maxExportBatchSize: 1_000 });
    for (let i = 0; i < 8; i++) tracer.startSpan('classify bot', { attributes: classification() }).end();
    expect(processor.stats()).toMatchObject({ spansSeen: 8, spansDropped: 3, queueDepth: 5 });
    await processor.forceFlush();
    expect(sink.messages).toHaveLength(5);
  });

  it('carries ids set on the local root later to the events of its children', async () => {
    const { sink, processor, tracer } = setup({ catalogs: ['ai-agent'] });
    const { 'user.id': _, 'spantrack.channel': __, ...anonymous } = classification();
    const root2 = tracer.startSpan('invoke_agent bot', {
      attributes: { 'spantrack.interaction.kind': 'turn' },
    });
    const ctx2 = trace.setSpan(ROOT_CONTEXT, root2);
    tracer.startSpan('classify bot', { attributes: anonymous }, ctx2).end();
    await new Promise((r) => setTimeout(r, 0));
    expect(processor.stats().heldSpans).toBe(0); // still queued: translation happens off the hot path
    root2.setAttribute('user.id', 'late-user');
    root2.setAttribute('spantrack.channel', 'whatsapp');
    root2.end();
    await processor.forceFlush();
    const [m] = sink.messages as TrackMessage[];
    expect(m?.event).toBe('ai.classification');
    expect(m?.userId).toBe('late-user');
    expect(m?.context).toMatchObject({ channel: 'whatsapp' });
  });

  it('translates each span on its own when traceHold is false', async () => {
    const { sink, processor, tracer } = setup({ traceHold: false });
    const root = tracer.startSpan('invoke_agent bot', {
      attributes: { 'spantrack.interaction.kind': 'turn' },
    });
    tracer
      .startSpan('classify bot', { attributes: classification() }, trace.setSpan(ROOT_CONTEXT, root))
      .end();
    await processor.forceFlush();
    expect(sink.messages).toHaveLength(1);
    expect(processor.stats().heldSpans).toBe(0);
    root.end();
  });

  it('keeps the well-formed parts of a malformed span and counts the diagnostic', async () => {
    const { sink, processor, tracer } = setup();
    tracer
      .startSpan('classify bot', { attributes: classification({ 'spantrack.intent.confidence': 7 }) })
      .end();
    await processor.forceFlush();
    const stats = processor.stats();
    expect(stats.diagnostics.invalid_attribute).toBe(1);
    expect(stats.spansFailed).toBe(0);
    // Without a valid confidence there is no ai.classification to speak of; nothing is invented.
    for (const m of sink.messages as TrackMessage[]) expect(m.properties.confidence).not.toBe(7);
  });

  it('sends batches of maxExportBatchSize with at most maxConcurrentSends in flight', async () => {
    const { sink, processor, tracer } = setup({ maxExportBatchSize: 10, maxConcurrentSends: 2 });
    sink.delayMs = 5;
    for (let i = 0; i < 95; i++) tracer.startSpan('classify bot', { attributes: classification() }).end();
    await processor.forceFlush();
    expect(sink.messages).toHaveLength(95);
    expect(Math.max(...sink.batches.map((b) => b.length))).toBe(10);
    expect(sink.maxInFlight).toBeLessThanOrEqual(2);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(95);
  });

  it('counts messages a failing sink did not deliver, and survives a sink that rejects', async () => {
    const { sink, processor, tracer } = setup();
    sink.mode = 'fail';
    tracer.startSpan('classify bot', { attributes: classification() }).end();
    await processor.forceFlush();
    sink.mode = 'reject';
    tracer.startSpan('classify bot', { attributes: classification() }).end();
    await processor.forceFlush();
    expect(processor.stats()).toMatchObject({ messagesEmitted: 2, messagesDelivered: 0, messagesFailed: 2 });
  });

  it('reports failed deliveries (and rejected sends) to onDeliveryFailure; a throwing callback is contained', async () => {
    const calls: [number, string][] = [];
    const { sink, processor, tracer } = setup({
      onDeliveryFailure: (failed, firstError) => {
        calls.push([failed, firstError.message]);
        throw new Error('callback bug');
      },
    });
    sink.mode = 'fail';
    tracer.startSpan('classify bot', { attributes: classification() }).end();
    await processor.forceFlush();
    sink.mode = 'reject';
    tracer.startSpan('classify bot', { attributes: classification() }).end();
    await processor.forceFlush();
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c[0])).toEqual([1, 1]);
    expect(() => new AnalyticsSpanProcessor({ sink, onDeliveryFailure: 1 as never })).toThrow(
      SpantrackConfigError,
    );
  });

  it('drops messages past maxPendingMessages while the sink is stuck', async () => {
    const { sink, processor, tracer } = setup({
      maxPendingMessages: 3,
      maxExportBatchSize: 1,
      maxConcurrentSends: 1,
      exportTimeoutMillis: 50,
    });
    sink.mode = 'hang';
    for (let i = 0; i < 6; i++) tracer.startSpan('classify bot', { attributes: classification() }).end();
    const started = Date.now();
    await processor.forceFlush(); // resolves at the deadline although the sink never answers
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(processor.stats()).toMatchObject({ messagesEmitted: 6, messagesDropped: 3, pendingMessages: 3 });
  });

  it('flushes and shuts the sink down once; spans ended afterwards are dropped', async () => {
    const { sink, processor, tracer } = setup();
    tracer.startSpan('classify bot', { attributes: classification() }).end();
    await Promise.all([processor.shutdown(), processor.shutdown()]);
    expect(sink.messages).toHaveLength(1);
    expect(sink.shutDown).toBe(1);
    tracer.startSpan('classify bot', { attributes: classification() }).end();
    expect(processor.stats().spansDropped).toBe(1);
  });

  it('rejects invalid options with a typed error naming the option', () => {
    expect(() => new AnalyticsSpanProcessor({} as AnalyticsSpanProcessorOptions)).toThrow(
      SpantrackConfigError,
    );
    expect(() => new AnalyticsSpanProcessor({ sink: new RecordingSink(), maxQueueSize: -1 })).toThrow(
      /maxQueueSize/,
    );
    expect(
      () => new AnalyticsSpanProcessor({ sink: new RecordingSink(), catalogs: ['nope' as 'ai-agent'] }),
    ).toThrow(/catalogs\[0\]/);
  });
});
