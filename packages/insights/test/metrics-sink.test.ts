import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { AnalyticsMessage } from '@spantrack/processor';
import { expect, it } from 'vitest';
import { MetricsSink } from '../src/index';
import { createEventStore } from '../src/store/duckdb-store-sink';
import { WORKLOAD } from './fixtures/workload';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

/** Every data point of a metric as { attributes, value } (histograms: their count and sum). */
async function points(reader: TestReader, name: string) {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value }));
}

it('records the dashboards figures as OpenTelemetry metrics, and still stores every message', async () => {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const store = await createEventStore({ path: ':memory:', retentionDays: 0 });
  const sink = new MetricsSink(store, { meter: provider.getMeter('test') });
  const result = await sink.send(WORKLOAD);
  expect(result.delivered).toBe(WORKLOAD.length);

  // The duplicated classification is counted twice here (metrics count what the pipeline sent);
  // the store keeps it once.
  const requests = await points(reader, 'spantrack.ai.requests');
  const total = requests.reduce((n, p) => n + (p.value as number), 0);
  expect(total).toBe(8);
  expect(await points(reader, 'spantrack.ai.errors')).toEqual([
    { attributes: { error_type: 'timeout', channel: 'whatsapp' }, value: 1 },
  ]);
  const started = await points(reader, 'spantrack.conversations.started');
  expect(started.map((p) => [p.attributes.channel, p.value]).sort()).toEqual([
    ['web_widget', 1],
    ['whatsapp', 1],
  ]);
  const latency = await points(reader, 'spantrack.ai.latency');
  const count = latency.reduce((n, p) => n + (p.value as { count: number }).count, 0);
  expect(count).toBe(7); // 5 classifications (one sent twice) + 2 generations carry a latency
  await sink.shutdown();
  await provider.shutdown();
});

it('folds intents past the cap into other', async () => {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const delivered: AnalyticsMessage[] = [];
  const inner = {
    send: async (m: readonly AnalyticsMessage[]) => {
      delivered.push(...m);
      return { delivered: m.length, failed: 0, errors: [] };
    },
    flush: async () => {},
    shutdown: async () => {},
  };
  const sink = new MetricsSink(inner, { meter: provider.getMeter('test'), maxIntents: 2 });
  const classification = (intent: string, i: number): AnalyticsMessage => ({
    type: 'track',
    event: 'ai.classification',
    messageId: `m${i}`,
    timestamp: '2026-11-02T10:00:00.000Z',
    userId: 'u',
    properties: { detected_intent: intent, confidence: 0.5 },
  });
  await sink.send(['a', 'b', 'c', 'd', 'a', 'c'].map(classification));
  const byIntent = Object.fromEntries(
    (await points(reader, 'spantrack.ai.classifications')).map((p) => [p.attributes.intent, p.value]),
  );
  expect(byIntent).toEqual({ a: 2, b: 1, other: 3 });
  expect(delivered).toHaveLength(6);
  await provider.shutdown();
});
