export type { AnalyticsMessage, IdentifyMessage, JsonObject, JsonValue, TrackMessage } from './message';
export type { DeliveryResult, Sink } from './sinks/sink';
export type { Attributes, AttributeValue, SpanEventLike, SpanLike } from './span-like';
