import { context, metrics, trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { AgentTracker } from '@spantrack/instrumentation';
import { MemorySink } from '@spantrack/processor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setup } from '../src/index';
import { resetSetupForTests } from '../src/setup';
import { isolateEnv } from './support/otlp-receiver';

let restoreEnv: () => void;
beforeEach(() => {
  restoreEnv = isolateEnv();
  process.env.SPANTRACK_AUTO_INSTRUMENT = 'false';
});
afterEach(async () => {
  await resetSetupForTests();
  trace.disable();
  context.disable();
  metrics.disable();
  restoreEnv();
});

/** A MeterProvider read back from memory. */
function memoryMetrics() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const points = async (name: string) => {
    exporter.reset();
    await reader.forceFlush();
    const metric = exporter
      .getMetrics()
      .flatMap((r) => r.scopeMetrics)
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === name);
    return (metric?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value }));
  };
  return { provider, points };
}

async function classifyTwice(): Promise<void> {
  const tracker = new AgentTracker({ channel: 'whatsapp' });
  for (const intent of ['greeting', 'nil_filing']) {
    await tracker.withContext({ userId: 'u-1' }, () =>
      tracker.classify({ model: 'gpt-4o-mini' }, () => ({ intent, confidence: 0.5 })),
    );
  }
}

describe('setup({ meterProvider })', () => {
  it('records the dashboards\u2019 figures on the MeterProvider given', async () => {
    const { provider, points } = memoryMetrics();
    const sink = new MemorySink();
    const handle = setup({ sink, tracesExporter: 'none', meterProvider: provider });
    await classifyTwice();
    await handle.flush();
    expect(sink.messages).toHaveLength(2);
    const byIntent = (await points('spantrack.ai.classifications')).map((p) => [
      p.attributes.intent,
      p.value,
    ]);
    expect(byIntent.sort()).toEqual([
      ['greeting', 1],
      ['nil_filing', 1],
    ]);
    const [confidence] = await points('spantrack.ai.confidence');
    expect(confidence?.value).toMatchObject({ count: 2, sum: 1 });
    await provider.shutdown();
  });

  it('uses the global MeterProvider registered before setup, and none with false', async () => {
    const { provider, points } = memoryMetrics();
    metrics.setGlobalMeterProvider(provider);
    const handle = setup({ sink: new MemorySink(), tracesExporter: 'none' });
    await classifyTwice();
    await handle.flush();
    expect(await points('spantrack.ai.requests')).toEqual([
      { attributes: { event: 'classification', channel: 'whatsapp' }, value: 2 },
    ]);
    await resetSetupForTests();
    const off = setup({ sink: new MemorySink(), tracesExporter: 'none', meterProvider: false });
    await classifyTwice();
    await off.flush();
    expect(await points('spantrack.ai.requests')).toEqual([
      { attributes: { event: 'classification', channel: 'whatsapp' }, value: 2 },
    ]);
    await provider.shutdown();
  });
});
