import { BatchSpanProcessor, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ContextAttributesSpanProcessor } from '@spantrack/instrumentation';
import {
  AnalyticsSpanProcessor,
  ConsoleSink,
  JsonlFileSink,
  SegmentSink,
  type Sink,
  SpantrackConfigError,
} from '@spantrack/processor';
import { CountingSpanExporter } from './counting-span-exporter';
import { EndedSpanCounter } from './ended-span-counter';
import { createOtlpTraceExporter } from './otlp-trace-exporter';
import { type ResolvedConfig, resolveConfig } from './resolve-config';
import { describeSink, printableUrl } from './status-lines';
import { createStoreSink, withStore } from './store-sink';
import type { SpantrackNodeOptions, SpantrackSpanProcessors, SpantrackStats } from './types';
import { createLogger } from './warn';

/** Delays of `immediate` mode: short enough that a request's events are out before its response. */
const IMMEDIATE_ANALYTICS_DELAY_MILLIS = 20;
const IMMEDIATE_SEGMENT_FLUSH_INTERVAL_MILLIS = 20;

/** The processors of one setup, and the parts `setup` needs to flush and count. */
export interface BuiltSpanProcessors {
  readonly context: ContextAttributesSpanProcessor;
  readonly counter: EndedSpanCounter;
  readonly exporter: CountingSpanExporter | undefined;
  /** Where the exporter sends traces, as the exporter resolved it (options, then its env vars). */
  readonly tracesUrl: string | undefined;
  readonly analytics: AnalyticsSpanProcessor | undefined;
  /** The analytics sink, to abort it when an exit flush runs out of time. */
  readonly sink: Sink | undefined;
  /** While true, analytics delivery failures are not printed (the exit path prints its own summary). */
  muteDeliveryWarning: boolean;
  /** Run before every other processor (adds scope attributes at `onStart`). */
  readonly first: SpanProcessor[];
  /** Run after the provider's own processors. */
  readonly last: SpanProcessor[];
  stats(): SpantrackStats;
}

/** Builds spantrack's processors from a resolved configuration. */
export function buildSpanProcessors(config: ResolvedConfig, exportTraces: boolean): BuiltSpanProcessors {
  const { warn } = createLogger(config.logLevel);
  const context = new ContextAttributesSpanProcessor();
  const counter = new EndedSpanCounter();
  const last: SpanProcessor[] = [counter];

  let exporter: CountingSpanExporter | undefined;
  let tracesUrl: string | undefined;
  if (exportTraces) {
    const otlp = createOtlpTraceExporter(config.otlp.protocol, config.otlp.explicit);
    tracesUrl = otlp.url;
    exporter = new CountingSpanExporter(otlp.exporter, (message) =>
      warn(
        `OTLP trace export to ${printableUrl(otlp.url)} failed: ${message}. The application keeps running; failed exports are counted in stats().traces.`,
      ),
    );
    last.push(
      config.mode === 'immediate' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter),
    );
  }

  let analytics: AnalyticsSpanProcessor | undefined;
  const sink = withStore(
    createSink(config),
    config.store !== false ? createStoreSink(config.store, config.storeSource) : undefined,
  );
  let warnedDelivery = false;
  const state = { muteDeliveryWarning: false };
  if (sink !== undefined) {
    const immediate = config.mode === 'immediate';
    const userCallback = config.analytics.onDeliveryFailure;
    analytics = new AnalyticsSpanProcessor({
      exportTimeoutMillis: config.shutdownTimeoutMillis,
      ...(immediate && { scheduledDelayMillis: IMMEDIATE_ANALYTICS_DELAY_MILLIS }),
      ...config.analytics,
      // Like OTLP failures: printed once, counted in stats().analytics.
      onDeliveryFailure: (failed, firstError) => {
        userCallback?.(failed, firstError);
        if (warnedDelivery || state.muteDeliveryWarning) return;
        warnedDelivery = true;
        warn(
          `analytics delivery to ${describeSink(config)} failed: ${firstError.message}. ${failed} event(s) not delivered; the application keeps running; failed events are counted in stats().analytics.`,
        );
      },
      sink,
      catalogs: config.catalogs,
      privacy: config.privacy,
      ...(config.meterProvider !== undefined && { meterProvider: config.meterProvider }),
      ...(config.prices !== undefined && { prices: config.prices }),
    });
    last.push(analytics);
  }

  return {
    context,
    counter,
    exporter,
    tracesUrl,
    analytics,
    sink,
    get muteDeliveryWarning() {
      return state.muteDeliveryWarning;
    },
    set muteDeliveryWarning(value: boolean) {
      state.muteDeliveryWarning = value;
    },
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
  for (const w of config.warnings) createLogger(config.logLevel).warn(w);
  const built = buildSpanProcessors(config, !config.disabled && config.tracesExporter === 'otlp');
  return { spanProcessors: [...built.first, ...built.last], stats: built.stats };
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
      try {
        return new JsonlFileSink({ path: config.jsonlPath });
      } catch (error) {
        // e.g. EEXIST / ENOTDIR when a parent of the path is a regular file.
        const source = config.jsonlPathSource === 'default' ? 'jsonlPath' : config.jsonlPathSource;
        throw new SpantrackConfigError(
          source,
          `cannot create the JSONL file ${JSON.stringify(config.jsonlPath)}: ${error instanceof Error ? error.message : String(error)}. Set it to a writable file path.`,
        );
      }
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
