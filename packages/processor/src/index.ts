// The dashboards' figures as OpenTelemetry metrics.
export { BoundedLabel, OTHER } from './figures/bounded-label';
export { FIGURES_METER_NAME } from './figures/figures-sink';
export {
  DEFAULT_MAX_CHANNELS,
  DEFAULT_MAX_INTENTS,
  MetricsSink,
  type MetricsSinkOptions,
} from './figures/metrics-sink';
// The settings shared by @spantrack/node and the collector (one table).
export * from './settings/index';
// The translation pipeline (also `@spantrack/processor/translate`, which loads nothing else).

// Delivery: where messages go.
export {
  ConsoleSink,
  type ConsoleSinkOptions,
  DEFAULT_DEDUPE_WINDOW,
  type DedupeWindowOptions,
  DeduplicatingSink,
  type DeduplicationStats,
  type DeliveryCallback,
  DeliveryError,
  type DeliveryResult,
  type DeliveryTrackerStats,
  FanOutSink,
  type FanOutSinkOptions,
  type FanOutSinkStats,
  InvalidMessageError,
  JsonlFileSink,
  type JsonlFileSinkOptions,
  MemorySink,
  MessageTooLargeError,
  type NamedSink,
  type SegmentHttpRequest,
  type SegmentHttpResponse,
  type SegmentHttpTransport,
  type SegmentLibrary,
  SegmentSink,
  type SegmentSinkOptions,
  type SegmentTransport,
  type Sink,
  SinkClosedError,
  SinkError,
  SPANTRACK_LIBRARY,
} from './sinks/index';
// The OpenTelemetry SDK side: an in-process span processor, or an exporter.
export { AnalyticsSpanExporter } from './span-exporter/analytics-span-exporter';
export type { AnalyticsSpanExporterOptions, AnalyticsSpanExporterStats } from './span-exporter/types';
export { AnalyticsSpanProcessor } from './span-processor/analytics-span-processor';
export type {
  AnalyticsSpanProcessorOptions,
  AnalyticsSpanProcessorStats,
  TraceHoldOptions,
} from './span-processor/types';
export * from './translate-entry';
