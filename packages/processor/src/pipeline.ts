// The translation pipeline's public API: SpanLike conversion, normalize, catalogs, privacy, translate.
export { aiAgentCatalog } from './catalogs/ai-agent';
export type { Catalog, CatalogContext, TrackOptions } from './catalogs/catalog';
export { customerSignalsCatalog } from './catalogs/customer-signals';
export { segmentCopilotCatalog } from './catalogs/segment-copilot';
export { SpantrackConfigError } from './config-error';
export { type Diagnostic, DiagnosticCode, DiagnosticCounter, NO_DIAGNOSTICS } from './diagnostics';
export { fromReadableSpan, hrTimeToNanos } from './from-readable-span';
export { conversationMessageId, MESSAGE_ID_PATTERN, spanMessageId } from './message-id';
export type { Interaction, InteractionError } from './normalize/interaction';
export {
  BUILTIN_SOURCES,
  type InteractionSource,
  type NormalizeOptions,
  normalize,
} from './normalize/normalize';
export {
  isoFromNanos,
  MAX_ID_LENGTH,
  type NormalizeContext,
  readSpan,
  UNUSABLE_SPAN,
} from './normalize/read-span';
export {
  applyPrivacy,
  CONTENT_PROPERTY_NAMES,
  PrivacyFilter,
  type PrivacyPolicy,
} from './privacy/privacy-policy';
export { Pseudonymizer, pseudonymizeUserId } from './privacy/pseudonymize';
export { DEFAULT_MAX_EVENT_BYTES, SEGMENT_MAX_EVENT_BYTES } from './privacy/size-cap';
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
