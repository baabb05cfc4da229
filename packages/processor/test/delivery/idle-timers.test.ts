import { context, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnalyticsSpanExporter, AnalyticsSpanProcessor, MemorySink } from '../../src/index';
import { SegmentPublisher } from '../../src/sinks/segment-publisher';
import { makeMessages } from '../sinks/fixtures';

/* Timers run only while work waits: nothing ticks, and nothing holds the event loop, while idle. */

const classification = {
  'spantrack.interaction.kind': 'classification',
  'gen_ai.agent.name': 'bot',
  'user.id': 'user-7',
  'spantrack.intent.name': 'nil_filing',
  'spantrack.intent.confidence': 0.9,
};

afterEach(() => {
  vi.useRealTimers();
});

describe('no timer while idle', () => {
  it('AnalyticsSpanProcessor: a timer while spans wait, none once they are delivered', async () => {
    vi.useFakeTimers();
    const sink = new MemorySink();
    const processor = new AnalyticsSpanProcessor({ sink, traceHold: false });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    expect(vi.getTimerCount()).toBe(0);
    provider.getTracer('t').startSpan('classify bot', { attributes: classification }).end();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(sink.messages).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    // Idle for a minute: nothing ticks.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(vi.getTimerCount()).toBe(0);
    await processor.shutdown();
  });

  it('AnalyticsSpanProcessor: a held trace keeps a timer only until it is released', async () => {
    vi.useFakeTimers();
    const sink = new MemorySink();
    const processor = new AnalyticsSpanProcessor({ sink, traceHold: { maxHoldMillis: 1_000 } });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('t');
    const root = tracer.startSpan('invoke_agent bot');
    tracer
      .startSpan('classify bot', { attributes: classification }, trace.setSpan(context.active(), root))
      .end();
    await vi.advanceTimersByTimeAsync(200);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_200);
    expect(sink.messages).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    await processor.shutdown();
  });

  it('AnalyticsSpanExporter: no timer without held spans', async () => {
    vi.useFakeTimers();
    const exporter = new AnalyticsSpanExporter({ sink: new MemorySink(), traceHold: false });
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    provider.getTracer('t').startSpan('classify bot', { attributes: classification }).end();
    await new Promise<void>((resolve) => exporter.export(memory.getFinishedSpans(), () => resolve()));
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
    await exporter.shutdown();
  });

  describe('SegmentPublisher over real HTTP', () => {
    let server: SegmentServer | undefined;
    afterEach(async () => {
      await server?.close();
    });

    it('holds no ref’d timer once delivered (the keep-alive socket is unref’d too)', async () => {
      server = await startSegmentServer({ writeKey: 'idle-write-key' });
      const refTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const before = refTimers();
      const publisher = new SegmentPublisher({
        writeKey: 'idle-write-key',
        host: server.url,
        flushInterval: 5,
      });
      const result = await publisher.send(makeMessages(10));
      expect(result.delivered).toBe(10);
      await new Promise((r) => setImmediate(r));
      // Other tests' timers may end meanwhile: none of the publisher's may remain.
      expect(refTimers()).toBeLessThanOrEqual(before);
      await publisher.shutdown(1_000);
    });
  });
});
