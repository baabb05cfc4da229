import { metrics } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { Instruments } from '../src/model-call/model-call';

/*
 * Test support shared by the LLM-client instrumentation packages (imported by relative path; never
 * published): the real OpenTelemetry SDK with an in-memory span exporter and a metric reader that
 * collects on demand.
 */

/** A metric reader that collects only when asked, cumulatively. */
export class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** Points the instrumentation's spans at an in-memory exporter and its metrics at a collecting reader. */
export function recordTelemetryOf(instrumentation: Instrumentation): {
  exporter: InMemorySpanExporter;
  tracerProvider: BasicTracerProvider;
  reader: CollectingReader;
} {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new CollectingReader();
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.setMeterProvider(new MeterProvider({ readers: [reader] }));
  return { exporter, tracerProvider, reader };
}

/** The data points of one histogram the instrumentation scope `scope` recorded, collected now. */
export async function histogramPoints(
  reader: MetricReader,
  scope: string,
  name: string,
): Promise<DataPoint<Histogram>[]> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .filter((s) => s.scope.name === scope)
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []) as DataPoint<Histogram>[];
}

/** Model-call instruments on a fresh tracer provider with an in-memory exporter (metrics go nowhere). */
export function inMemoryInstruments(): { exporter: InMemorySpanExporter; instruments: Instruments } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const meter = metrics.getMeter('test');
  const instruments = {
    tracer: provider.getTracer('test'),
    duration: meter.createHistogram('d'),
    tokens: meter.createHistogram('t'),
  };
  return { exporter, instruments };
}
