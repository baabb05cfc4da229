export { BoundedLabel, OTHER } from './figures/bounded-label';
export { FIGURES_METER_NAME } from './figures/figures-sink';
export {
  DEFAULT_MAX_CHANNELS,
  DEFAULT_MAX_INTENTS,
  MetricsSink,
  type MetricsSinkOptions,
} from './figures/metrics-sink';
export type { AnalyticsMessage, IdentifyMessage, JsonObject, JsonValue, TrackMessage } from './message';
export * from './settings/index';
export * from './sinks/index';
export type { DeliveryResult, Sink } from './sinks/sink';
export * from './span-exporter/index';
export type { Attributes, AttributeValue, SpanEventLike, SpanLike } from './span-like';
export * from './span-processor/index';
// Pipeline exports (SpanLike conversion, normalize, catalogs, privacy, translate) go below.

export * from './pipeline';
