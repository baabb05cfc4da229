export type { AnalyticsMessage, IdentifyMessage, JsonObject, JsonValue, TrackMessage } from './message';
export type {
  ExportResultLike,
  HrTimeLike,
  ReadableSpanLike,
  SdkAttributes,
  SpanContextLike,
  TimedEventLike,
} from './sdk-span';
export * from './sinks/index';
export type { DeliveryResult, Sink } from './sinks/sink';
export * from './span-exporter/index';
export type { Attributes, AttributeValue, SpanEventLike, SpanLike } from './span-like';
export * from './span-processor/index';
// Pipeline exports (SpanLike conversion, normalize, catalogs, privacy, translate) go below.

export * from './pipeline';
