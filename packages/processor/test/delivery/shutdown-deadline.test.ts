import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AnalyticsMessage,
  AnalyticsSpanExporter,
  AnalyticsSpanProcessor,
  type DeliveryResult,
  SegmentSink,
  type Sink,
} from '../../src/index';

/*
 * One deadline in total: flushing and shutting the sink down share `exportTimeoutMillis`, so a
 * Segment that is down or hangs costs the deadline once, not once per step.
 */

const WRITE_KEY = 'deadline-test-write-key';
const DEADLINE = 400;
/** Timer and scheduling slack on a loaded 2-core machine. */
const SLACK = 250;

const classification = {
  'spantrack.interaction.kind': 'classification',
  'gen_ai.agent.name': 'bot',
  'user.id': 'user-7',
  'spantrack.intent.name': 'nil_filing',
  'spantrack.intent.confidence': 0.9,
};

/** A sink that never delivers and spends every timeout it is given, as a sink facing a hung Segment would. */
class StallingSink implements Sink {
  readonly timeouts: number[] = [];
  send(_messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    return new Promise(() => {});
  }
  flush(timeoutMs = 30_000): Promise<void> {
    this.timeouts.push(timeoutMs);
    return new Promise((r) => setTimeout(r, timeoutMs));
  }
  shutdown(timeoutMs = 30_000): Promise<void> {
    this.timeouts.push(timeoutMs);
    return new Promise((r) => setTimeout(r, timeoutMs));
  }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

describe('one shutdown deadline in total', () => {
  let server: SegmentServer;
  beforeEach(async () => {
    server = await startSegmentServer({ writeKey: WRITE_KEY });
  });
  afterEach(async () => {
    await server.close();
  });

  it('AnalyticsSpanProcessor.shutdown with a stalling sink: flush and sink shutdown within exportTimeoutMillis', async () => {
    const sink = new StallingSink();
    const processor = new AnalyticsSpanProcessor({ sink, exportTimeoutMillis: DEADLINE, traceHold: false });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    provider.getTracer('t').startSpan('classify bot', { attributes: classification }).end();
    const elapsed = await timed(() => processor.shutdown());
    expect(elapsed).toBeLessThan(DEADLINE + SLACK);
    expect(elapsed).toBeGreaterThanOrEqual(DEADLINE - 20);
  });

  it('AnalyticsSpanProcessor.shutdown with Segment hanging: within the deadline, the events counted as failed', async () => {
    server.setFault({ hang: true });
    const sink = new SegmentSink({
      writeKey: WRITE_KEY,
      host: server.url,
      flushInterval: 10,
      httpRequestTimeout: 60_000,
    });
    const processor = new AnalyticsSpanProcessor({ sink, exportTimeoutMillis: DEADLINE, traceHold: false });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    for (let i = 0; i < 5; i++)
      provider.getTracer('t').startSpan('classify bot', { attributes: classification }).end();
    const elapsed = await timed(() => processor.shutdown());
    expect(elapsed).toBeLessThan(DEADLINE + SLACK);
    // Give the aborted sends a turn to settle their bookkeeping.
    await new Promise((r) => setTimeout(r, 20));
    expect(processor.stats()).toMatchObject({ messagesDelivered: 0, messagesFailed: 5, pendingMessages: 0 });
  });

  it('AnalyticsSpanProcessor.shutdown with Segment answering 503: within the deadline', async () => {
    server.setFault({ status: 503 });
    const sink = new SegmentSink({
      writeKey: WRITE_KEY,
      host: server.url,
      flushInterval: 10,
      minBackoff: 50,
      maxBackoff: 100,
    });
    const processor = new AnalyticsSpanProcessor({ sink, exportTimeoutMillis: DEADLINE, traceHold: false });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    provider.getTracer('t').startSpan('classify bot', { attributes: classification }).end();
    const elapsed = await timed(() => processor.shutdown());
    expect(elapsed).toBeLessThan(DEADLINE + SLACK);
  });

  it('AnalyticsSpanExporter.shutdown with a stalling sink: within exportTimeoutMillis', async () => {
    const sink = new StallingSink();
    const exporter = new AnalyticsSpanExporter({ sink, exportTimeoutMillis: DEADLINE, traceHold: false });
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    provider.getTracer('t').startSpan('classify bot', { attributes: classification }).end();
    exporter.export(memory.getFinishedSpans(), () => {});
    const elapsed = await timed(() => exporter.shutdown());
    expect(elapsed).toBeLessThan(DEADLINE + SLACK);
  });

  it('forceFlush hands the sink what is left of the deadline, never a fresh one per step', async () => {
    const sink = new StallingSink();
    const processor = new AnalyticsSpanProcessor({ sink, exportTimeoutMillis: DEADLINE, traceHold: false });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    provider.getTracer('t').startSpan('classify bot', { attributes: classification }).end();
    const elapsed = await timed(() => processor.forceFlush());
    expect(elapsed).toBeLessThan(DEADLINE + SLACK);
    for (const t of sink.timeouts) expect(t).toBeLessThanOrEqual(DEADLINE);
  });
});
