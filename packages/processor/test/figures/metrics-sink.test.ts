import { type MeterProvider as ApiMeterProvider, type Attributes, metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { SpantrackConfigError } from '../../src/config-error';
import { FIGURES_METER_NAME } from '../../src/figures/figures-sink';
import { MetricsSink } from '../../src/figures/metrics-sink';
import type { AnalyticsMessage, JsonObject } from '../../src/message';
import { MemorySink } from '../../src/sinks/memory-sink';
import { AnalyticsSpanProcessor } from '../../src/span-processor/analytics-span-processor';

/** A MeterProvider whose figures are read back from memory (cumulative, as Prometheus reads them). */
function memoryMetrics() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // The interval never fires within a test: figures are read by forceFlush.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  /** Every data point of `name`: sums and gauges as numbers, histograms as { count, sum, buckets }. */
  const read = async (name: string) => {
    exporter.reset();
    await reader.forceFlush();
    const metric = exporter
      .getMetrics()
      .flatMap((r) => r.scopeMetrics)
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === name);
    if (metric === undefined) return [];
    return metric.dataPoints.map((p) => {
      if (metric.dataPointType !== DataPointType.HISTOGRAM)
        return { attributes: p.attributes, value: p.value };
      const h = p.value as { count: number; sum?: number; buckets: { counts: number[] } };
      return { attributes: p.attributes, value: { count: h.count, sum: h.sum, buckets: h.buckets.counts } };
    });
  };
  /** The scope names that recorded anything. */
  const scopes = async () => {
    exporter.reset();
    await reader.forceFlush();
    return exporter.getMetrics().flatMap((r) => r.scopeMetrics.map((s) => s.scope.name));
  };
  return { provider, read, scopes };
}

let n = 0;
function track(event: string, properties: JsonObject, channel?: string): AnalyticsMessage {
  n += 1;
  return {
    type: 'track',
    event,
    messageId: `figures-${n}`,
    timestamp: '2026-11-02T10:00:00.000Z',
    userId: 'u1',
    ...(channel ? { context: { channel } } : {}),
    properties,
  };
}

/** Every figure of this workload is counted by hand in the test below. */
const WORKLOAD: AnalyticsMessage[] = [
  track('ai.classification', { detected_intent: 'nil_filing', confidence: 0.9, latency_ms: 50 }, 'whatsapp'),
  track(
    'ai.classification',
    { detected_intent: 'nil_filing', confidence: 0.6, latency_ms: 300, cost_usd: 0.001 },
    'whatsapp',
  ),
  track(
    'ai.classification',
    { detected_intent: 'pin_registration', confidence: 0.85, latency_ms: 1500 },
    'web_widget',
  ),
  // No confidence, no latency: counted as a request and a classification only.
  track('ai.classification', { detected_intent: 'pin_registration' }, 'web_widget'),
  track('ai.generation', { latency_ms: 800, cost_usd: 0.002, model: 'llama3.2:3b' }, 'whatsapp'),
  track('ai.error', { error_type: 'timeout', recovery_attempt: 1, recovered: false }, 'whatsapp'),
  track('ai.error', { error_type: 'disk_full' }, 'whatsapp'),
  track('Conversation Started', { conversationId: 'c1' }, 'whatsapp'),
  track('Message Sent', { conversationId: 'c1', messageId: 'm1' }, 'whatsapp'),
  track('Message Sent', { conversationId: 'c1', messageId: 'm2' }, 'whatsapp'),
  track('Message Received', { conversationId: 'c1', messageId: 'm3', role: 'assistant' }, 'whatsapp'),
  track('customer_signal.detected', { org_id: 'o', workspace_id: 'w', user_id: 'u1', channel_type: 'voice' }),
  track('customer_signal.made_up', { org_id: 'o', workspace_id: 'w', user_id: 'u1' }),
  {
    type: 'identify',
    messageId: 'figures-identify',
    timestamp: '2026-11-02T10:00:00.000Z',
    userId: 'u1',
    traits: {},
  },
];

const sorted = <T extends { attributes: Attributes }>(points: T[]) =>
  [...points].sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));

describe('MetricsSink', () => {
  it('records the exact figures of a known workload, and delivers every message', async () => {
    const { provider, read } = memoryMetrics();
    const inner = new MemorySink();
    const sink = new MetricsSink(inner, { meter: provider.getMeter('test') });
    const result = await sink.send(WORKLOAD);
    expect(result).toEqual({ delivered: WORKLOAD.length, failed: 0, errors: [] });
    expect(inner.messages).toHaveLength(WORKLOAD.length);

    expect(sorted(await read('spantrack.ai.requests'))).toEqual([
      { attributes: { event: 'classification', channel: 'web_widget' }, value: 2 },
      { attributes: { event: 'classification', channel: 'whatsapp' }, value: 2 },
      { attributes: { event: 'error', channel: 'whatsapp' }, value: 2 },
      { attributes: { event: 'generation', channel: 'whatsapp' }, value: 1 },
    ]);
    expect(sorted(await read('spantrack.ai.classifications'))).toEqual([
      { attributes: { intent: 'nil_filing', channel: 'whatsapp' }, value: 2 },
      { attributes: { intent: 'pin_registration', channel: 'web_widget' }, value: 2 },
    ]);
    // `disk_full` is not one of the plan's four error types: it folds into `other`.
    expect(sorted(await read('spantrack.ai.errors'))).toEqual([
      { attributes: { error_type: 'other', channel: 'whatsapp' }, value: 1 },
      { attributes: { error_type: 'timeout', channel: 'whatsapp' }, value: 1 },
    ]);
    // Buckets: <=100, <=250, <=500, <=1000, <=2000, <=5000, <=10000, above.
    expect(sorted(await read('spantrack.ai.latency'))).toEqual([
      {
        attributes: { event: 'classification', channel: 'web_widget' },
        value: { count: 1, sum: 1500, buckets: [0, 0, 0, 0, 1, 0, 0, 0] },
      },
      {
        attributes: { event: 'classification', channel: 'whatsapp' },
        value: { count: 2, sum: 350, buckets: [1, 0, 1, 0, 0, 0, 0, 0] },
      },
      {
        attributes: { event: 'generation', channel: 'whatsapp' },
        value: { count: 1, sum: 800, buckets: [0, 0, 0, 1, 0, 0, 0, 0] },
      },
    ]);
    const confidence = sorted(await read('spantrack.ai.confidence'));
    expect(confidence.map((p) => p.attributes)).toEqual([{ channel: 'web_widget' }, { channel: 'whatsapp' }]);
    const [web, whatsapp] = confidence.map(
      (p) => p.value as { count: number; sum: number; buckets: number[] },
    );
    expect(web).toEqual({ count: 1, sum: 0.85, buckets: [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0] });
    expect(whatsapp?.count).toBe(2);
    expect(whatsapp?.sum).toBeCloseTo(1.5, 12);
    expect(whatsapp?.buckets).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
    expect(await read('spantrack.conversations.started')).toEqual([
      { attributes: { channel: 'whatsapp' }, value: 1 },
    ]);
    expect(sorted(await read('spantrack.conversation.messages'))).toEqual([
      { attributes: { direction: 'agent', channel: 'whatsapp' }, value: 1 },
      { attributes: { direction: 'customer', channel: 'whatsapp' }, value: 2 },
    ]);
    const cost = await read('spantrack.ai.cost');
    expect(cost.map((p) => p.attributes)).toEqual([{ channel: 'whatsapp' }]);
    expect(cost[0]?.value).toBeCloseTo(0.003, 12);
    expect(sorted(await read('spantrack.customer_signals.events'))).toEqual([
      { attributes: { event: 'customer_signal.detected' }, value: 1 },
      { attributes: { event: 'other' }, value: 1 },
    ]);
    await provider.shutdown();
  });

  it('keeps 1,000 distinct intents to the first 50 and folds the other 950 into other', async () => {
    const { provider, read } = memoryMetrics();
    const sink = new MetricsSink(new MemorySink(), { meter: provider.getMeter('test') });
    const intents = Array.from({ length: 1_000 }, (_, i) => `intent_${i}`);
    await sink.send(
      intents.map((intent) => track('ai.classification', { detected_intent: intent }, 'whatsapp')),
    );
    // The same intents again: the 50 kept ones add to their own series, the rest to `other`.
    await sink.send(
      intents.map((intent) => track('ai.classification', { detected_intent: intent }, 'whatsapp')),
    );
    const points = await read('spantrack.ai.classifications');
    expect(points).toHaveLength(51);
    const byIntent = new Map(points.map((p) => [p.attributes.intent, p.value]));
    expect(byIntent.get('other')).toBe(1_900);
    for (const intent of intents.slice(0, 50)) expect(byIntent.get(intent)).toBe(2);
    expect(byIntent.has('intent_50')).toBe(false);
    expect(points.reduce((sum, p) => sum + (p.value as number), 0)).toBe(2_000);
    await provider.shutdown();
  });

  it('refuses a missing meter and a bad cap with a typed error', () => {
    const inner = new MemorySink();
    expect(() => new MetricsSink(inner, {} as never)).toThrow(SpantrackConfigError);
    const meter = memoryMetrics().provider.getMeter('test');
    expect(() => new MetricsSink(inner, { meter, maxIntents: -1 })).toThrow(/maxIntents/);
    expect(() => new MetricsSink(inner, { meter, maxChannels: 1.5 })).toThrow(/maxChannels/);
  });
});

describe('the processor records the figures', () => {
  const classification: Attributes = {
    'spantrack.interaction.kind': 'classification',
    'gen_ai.agent.name': 'bot',
    'user.id': 'u1',
    'spantrack.channel': 'whatsapp',
    'spantrack.intent.name': 'nil_filing',
    'spantrack.intent.confidence': 0.75,
  };
  let tracers: BasicTracerProvider[] = [];
  afterEach(async () => {
    await Promise.all(tracers.map((t) => t.shutdown()));
    tracers = [];
    metrics.disable();
  });

  async function run(options: { meterProvider?: ApiMeterProvider | false }, spans: number) {
    const sink = new MemorySink();
    const processor = new AnalyticsSpanProcessor({ sink, catalogs: ['ai-agent'], ...options });
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] });
    tracers.push(tracer);
    for (let i = 0; i < spans; i++)
      tracer.getTracer('test').startSpan('classify bot', { attributes: classification }).end();
    await processor.forceFlush();
    return sink;
  }

  it('on the meterProvider given, under the processor scope', async () => {
    const { provider, read, scopes } = memoryMetrics();
    const sink = await run({ meterProvider: provider }, 3);
    expect(sink.messages).toHaveLength(3);
    expect(await read('spantrack.ai.classifications')).toEqual([
      { attributes: { intent: 'nil_filing', channel: 'whatsapp' }, value: 3 },
    ]);
    const [confidence] = await read('spantrack.ai.confidence');
    expect(confidence?.value).toMatchObject({ count: 3, sum: 2.25 });
    expect(await scopes()).toEqual([FIGURES_METER_NAME]);
    await provider.shutdown();
  });

  it('on the global MeterProvider when none is given, and nowhere with false', async () => {
    const { provider, read } = memoryMetrics();
    metrics.setGlobalMeterProvider(provider);
    await run({}, 2);
    await run({ meterProvider: false }, 5);
    expect(await read('spantrack.ai.requests')).toEqual([
      { attributes: { event: 'classification', channel: 'whatsapp' }, value: 2 },
    ]);
    await provider.shutdown();
  });

  it('refuses a meterProvider that is not one', () => {
    expect(
      () => new AnalyticsSpanProcessor({ sink: new MemorySink(), meterProvider: {} as ApiMeterProvider }),
    ).toThrow(/meterProvider: must be an OpenTelemetry MeterProvider or false/);
  });
});
