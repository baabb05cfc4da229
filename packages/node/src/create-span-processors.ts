import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ContextAttributesSpanProcessor } from '@spantrack/instrumentation';
import {
  AnalyticsSpanProcessor,
  ConsoleSink,
  JsonlFileSink,
  SegmentSink,
  type Sink,
} from '@spantrack/processor';
import { CountingSpanExporter } from './counting-span-exporter';
import { EndedSpanCounter } from './ended-span-counter';
import { type ResolvedConfig, resolveConfig } from './resolve-config';
import type { SpantrackNodeOptions, SpantrackSpanProcessors, SpantrackStats } from './types';
import { warn } from './warn';

/** Delays of `immediate` mode: short enough that a request's events are out before its response. */
const IMMEDIATE_ANALYTICS_DELAY_MILLIS = 20;
const IMMEDIATE_SEGMENT_FLUSH_INTERVAL_MILLIS = 20;

/** The processors of one setup, and the parts `setup` needs to flush and count. */
export interface BuiltSpanProcessors {
  readonly context: ContextAttributesSpanProcessor;
  readonly counter: EndedSpanCounter;
  readonly exporter: CountingSpanExporter | undefined;
  readonly analytics: AnalyticsSpanProcessor | undefined;
  /** Run before every other processor (adds scope attributes at `onStart`). */
  readonly first: SpanProcessor[];
  /** Run after the provider's own processors. */
  readonly last: SpanProcessor[];
  stats(): SpantrackStats;
}

/** Builds spantrack's processors from a resolved configuration. */
export function buildSpanProcessors(config: ResolvedConfig, exportTraces: boolean): BuiltSpanProcessors {
  const context = new ContextAttributesSpanProcessor();
  const counter = new EndedSpanCounter();
  const last: SpanProcessor[] = [counter];

  let exporter: CountingSpanExporter | undefined;
  if (exportTraces) {
    exporter = new CountingSpanExporter(createOtlpExporter(config), (message) =>
      warn(
        `OTLP trace export to ${config.otlp.endpoint} failed: ${message}. The application keeps running; failed exports are counted in stats().traces.`,
      ),
    );
    last.push(
      config.mode === 'immediate' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter),
    );
  }

  let analytics: AnalyticsSpanProcessor | undefined;
  const sink = createSink(config);
  if (sink !== undefined) {
    const immediate = config.mode === 'immediate';
    analytics = new AnalyticsSpanProcessor({
      exportTimeoutMillis: config.shutdownTimeoutMillis,
      ...(immediate && { scheduledDelayMillis: IMMEDIATE_ANALYTICS_DELAY_MILLIS }),
      ...config.analytics,
      sink,
      catalogs: config.catalogs,
      privacy: config.privacy,
    });
    last.push(analytics);
  }

  return {
    context,
    counter,
    exporter,
    analytics,
    first: [context],
    last,
    stats: () => ({
      spansEnded: counter.ended,
      traces: exporter?.stats(),
      analytics: analytics?.stats(),
    }),
  };
}

/**
 * spantrack's span processors for an application that builds its own tracer provider:
 * `new NodeTracerProvider({ spanProcessors: [...createSpanProcessors().spanProcessors, ...yours] })`.
 * Options resolve as in `setup` (env vars included); no global is touched.
 */
export function createSpanProcessors(options?: SpantrackNodeOptions): SpantrackSpanProcessors {
  const config = resolveConfig(options);
  for (const w of config.warnings) warn(w);
  const built = buildSpanProcessors(config, !config.disabled && config.tracesExporter === 'otlp');
  return { spanProcessors: [...built.first, ...built.last], stats: built.stats };
}

function createOtlpExporter(config: ResolvedConfig): SpanExporter {
  const { endpoint, headers, compression, timeoutMillis, protocol } = config.otlp;
  type ExporterConfig = NonNullable<ConstructorParameters<typeof ProtobufTraceExporter>[0]>;
  const exporterConfig: ExporterConfig = {
    url: endpoint,
    headers,
    timeoutMillis,
    // The exporters type this as an enum whose values are these same two strings.
    compression: compression as ExporterConfig['compression'],
  };
  return protocol === 'http/json'
    ? new JsonTraceExporter(exporterConfig)
    : new ProtobufTraceExporter(exporterConfig);
}

function createSink(config: ResolvedConfig): Sink | undefined {
  const sink = config.sink;
  if (typeof sink === 'object') return sink;
  switch (sink) {
    case 'none':
      return undefined;
    case 'console':
      return new ConsoleSink();
    case 'jsonl':
      return new JsonlFileSink({ path: config.jsonlPath });
    case 'segment': {
      const { writeKey, host, path, transport } = config.segment;
      return new SegmentSink({
        // The resolver turns a `segment` sink without a write key into `none`.
        writeKey: writeKey!,
        ...(host !== undefined && { host }),
        ...(path !== undefined && { path }),
        ...(transport !== undefined && { transport }),
        ...(config.mode === 'immediate' && { flushInterval: IMMEDIATE_SEGMENT_FLUSH_INTERVAL_MILLIS }),
      });
    }
  }
}
