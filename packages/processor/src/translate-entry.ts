// `@spantrack/processor/translate`: spans to analytics messages and nothing else. Its import graph
// holds neither the span processor, the exporter, the sinks nor `@opentelemetry/api`, so a host of
// OTLP data (the collector) loads only the pipeline. The root entry re-exports all of it.
export type { Catalog, CatalogContext, TrackOptions } from './catalogs/catalog';
export { SpantrackConfigError } from './config-error';
export { type Diagnostic, DiagnosticCode, DiagnosticCounter } from './diagnostics';
export { fromReadableSpan } from './from-readable-span';
export type { AnalyticsMessage, IdentifyMessage, JsonObject, JsonValue, TrackMessage } from './message';
export type { Interaction, InteractionError } from './normalize/interaction';
export type { InteractionSource } from './normalize/normalize';
export { type NormalizeOptions, normalize } from './normalize/normalize-span';
export { type NormalizeContext, readSpan, UNUSABLE_SPAN } from './normalize/read-span';
export type { PrivacyPolicy } from './privacy/privacy-policy';
export { pseudonymizeUserId } from './privacy/pseudonymize';
export type {
  ExportResultLike,
  HrTimeLike,
  ReadableSpanLike,
  SdkAttributes,
  SpanContextLike,
  TimedEventLike,
} from './sdk-span';
export type { Attributes, AttributeValue, SpanEventLike, SpanLike } from './span-like';
export { spansByTrace, traceRuns } from './trace-runs';
export {
  BUILTIN_CATALOGS,
  createTranslator,
  MESSAGE_CHANNEL_NAME,
  type ProducedMessageEvent,
  type TranslateResult,
  type Translator,
  type TranslatorOptions,
  translate,
} from './translate';
