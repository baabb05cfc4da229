import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_TYPE,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_SPANTRACK_ACTION_NAME,
  ATTR_SPANTRACK_ACTION_TYPE,
  ATTR_SPANTRACK_ANONYMOUS_ID,
  ATTR_SPANTRACK_APP_SURFACE,
  ATTR_SPANTRACK_CHANNEL,
  ATTR_SPANTRACK_COMPONENT_TYPE,
  ATTR_SPANTRACK_CONVERSATION_EVENT,
  ATTR_SPANTRACK_CONVERSATION_MESSAGE_COUNT,
  ATTR_SPANTRACK_COST_USD,
  ATTR_SPANTRACK_ERROR_CODE,
  ATTR_SPANTRACK_ERROR_FALLBACK_ACTION,
  ATTR_SPANTRACK_ERROR_RECOVERED,
  ATTR_SPANTRACK_ERROR_RECOVERY_ATTEMPT,
  ATTR_SPANTRACK_EVENT_NAME,
  ATTR_SPANTRACK_FEEDBACK_RATING,
  ATTR_SPANTRACK_INPUT_MESSAGE_ID,
  ATTR_SPANTRACK_INPUT_TEXT,
  ATTR_SPANTRACK_INTENT_CONFIDENCE,
  ATTR_SPANTRACK_INTENT_NAME,
  ATTR_SPANTRACK_MEDIA_SUB_TYPE,
  ATTR_SPANTRACK_MEDIA_TYPE,
  ATTR_SPANTRACK_MESSAGE_ID,
  ATTR_SPANTRACK_MESSAGE_ROLE,
  ATTR_SPANTRACK_ORG_ID,
  ATTR_SPANTRACK_OUTCOME_EVENT,
  ATTR_SPANTRACK_OUTCOME_HANDOFF_TARGET,
  ATTR_SPANTRACK_OUTCOME_PREVIOUS_SIGNAL_TYPE,
  ATTR_SPANTRACK_OUTCOME_RESOLUTION_PATH,
  ATTR_SPANTRACK_OUTCOME_TIME_TO_RESOLUTION_MS,
  ATTR_SPANTRACK_OUTCOME_TYPE,
  ATTR_SPANTRACK_OUTPUT_LENGTH,
  ATTR_SPANTRACK_OUTPUT_MESSAGE_ID,
  ATTR_SPANTRACK_OUTPUT_TEXT,
  ATTR_SPANTRACK_PROMPT_TYPE,
  ATTR_SPANTRACK_REPLY_CONFIDENCE_BAND,
  ATTR_SPANTRACK_REPLY_EVENT,
  ATTR_SPANTRACK_REPLY_KB_GAP_TYPE,
  ATTR_SPANTRACK_REPLY_MODE,
  ATTR_SPANTRACK_RESULT,
  ATTR_SPANTRACK_SIGNAL_EVENT,
  ATTR_SPANTRACK_SIGNAL_SEVERITY,
  ATTR_SPANTRACK_SIGNAL_THEME_ID,
  ATTR_SPANTRACK_SIGNAL_TYPE,
  ATTR_SPANTRACK_SUCCESS,
  ATTR_SPANTRACK_TRIAGE_CONFIDENCE_BAND,
  ATTR_SPANTRACK_TRIAGE_ESCALATION_REASON,
  ATTR_SPANTRACK_TRIAGE_EVENT,
  ATTR_SPANTRACK_TRIAGE_RESULT,
  ATTR_SPANTRACK_WORKSPACE_ID,
  ATTR_USER_ID,
  ConversationEvent,
  ERROR_TYPE_OTHER,
  EXCEPTION_EVENT_NAME,
  type InteractionKind,
  SPANTRACK_PROPERTY_PREFIX,
  SPANTRACK_USER_TRAIT_PREFIX,
} from '@spantrack/conventions';
import { type Diagnostic, DiagnosticCode } from '../diagnostics';
import type { JsonValue } from '../message';
import { CONTENT_PROPERTY_NAMES } from '../privacy/privacy-policy';
import type { AttributeValue, SpanLike } from '../span-like';
import { classifyError, httpStatusOf, isHttpStatus } from './error-taxonomy';
import type { Interaction } from './interaction';

/** Semconv HTTP status of a failed call (some producers put it on the LLM span). */
const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';

/** What a source needs besides the span: the content switch and where to report problems. */
export interface NormalizeContext {
  /** Read content attributes (input / output text, GenAI messages). Off: they are never read. */
  readonly captureContent: boolean;
  /** Problems found are pushed here. */
  readonly diagnostics: Diagnostic[];
}

/** Ids longer than this are malformed (a runaway attribute), not identifiers: they are dropped. */
export const MAX_ID_LENGTH = 1024;

// One number per attribute we read: a single Map lookup per attribute, then a switch on a small int.
enum F {
  UserId,
  AnonymousId,
  ConversationId,
  OrgId,
  WorkspaceId,
  Channel,
  AppSurface,
  AgentName,
  OperationName,
  RequestModel,
  ResponseModel,
  Provider,
  System,
  InputTokens,
  PromptTokens,
  OutputTokens,
  CompletionTokens,
  CacheReadTokens,
  CacheCreationTokens,
  CacheWriteTokens,
  CostUsd,
  IntentName,
  IntentConfidence,
  PromptType,
  OutputLength,
  OutputType,
  Success,
  ErrorType,
  RecoveryAttempt,
  Recovered,
  FallbackAction,
  ErrorCode,
  Result,
  EventName,
  MessageId,
  MessageRole,
  InputMessageId,
  OutputMessageId,
  ConversationEventF,
  MessageCount,
  ActionType,
  ActionName,
  ToolName,
  ToolCallId,
  MediaType,
  MediaSubType,
  ComponentType,
  FeedbackRating,
  SignalEvent,
  SignalType,
  Severity,
  ThemeId,
  TriageEvent,
  TriageResult,
  TriageConfidenceBand,
  EscalationReason,
  ReplyEvent,
  ReplyMode,
  KbGapType,
  ReplyConfidenceBand,
  OutcomeEvent,
  OutcomeType,
  PreviousSignalType,
  TimeToResolutionMs,
  HandoffTarget,
  ResolutionPath,
  InputText,
  OutputText,
  InputMessages,
  OutputMessages,
}

const FIELDS = new Map<string, F>([
  [ATTR_USER_ID, F.UserId],
  [ATTR_SPANTRACK_ANONYMOUS_ID, F.AnonymousId],
  [ATTR_GEN_AI_CONVERSATION_ID, F.ConversationId],
  [ATTR_SPANTRACK_ORG_ID, F.OrgId],
  [ATTR_SPANTRACK_WORKSPACE_ID, F.WorkspaceId],
  [ATTR_SPANTRACK_CHANNEL, F.Channel],
  [ATTR_SPANTRACK_APP_SURFACE, F.AppSurface],
  [ATTR_GEN_AI_AGENT_NAME, F.AgentName],
  [ATTR_GEN_AI_OPERATION_NAME, F.OperationName],
  [ATTR_GEN_AI_REQUEST_MODEL, F.RequestModel],
  [ATTR_GEN_AI_RESPONSE_MODEL, F.ResponseModel],
  [ATTR_GEN_AI_PROVIDER_NAME, F.Provider],
  [ATTR_GEN_AI_SYSTEM, F.System],
  [ATTR_GEN_AI_USAGE_INPUT_TOKENS, F.InputTokens],
  [ATTR_GEN_AI_USAGE_PROMPT_TOKENS, F.PromptTokens],
  [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, F.OutputTokens],
  [ATTR_GEN_AI_USAGE_COMPLETION_TOKENS, F.CompletionTokens],
  [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, F.CacheReadTokens],
  [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, F.CacheCreationTokens],
  [ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS, F.CacheWriteTokens],
  [ATTR_SPANTRACK_COST_USD, F.CostUsd],
  [ATTR_SPANTRACK_INTENT_NAME, F.IntentName],
  [ATTR_SPANTRACK_INTENT_CONFIDENCE, F.IntentConfidence],
  [ATTR_SPANTRACK_PROMPT_TYPE, F.PromptType],
  [ATTR_SPANTRACK_OUTPUT_LENGTH, F.OutputLength],
  [ATTR_GEN_AI_OUTPUT_TYPE, F.OutputType],
  [ATTR_SPANTRACK_SUCCESS, F.Success],
  [ATTR_ERROR_TYPE, F.ErrorType],
  [ATTR_SPANTRACK_ERROR_RECOVERY_ATTEMPT, F.RecoveryAttempt],
  [ATTR_SPANTRACK_ERROR_RECOVERED, F.Recovered],
  [ATTR_SPANTRACK_ERROR_FALLBACK_ACTION, F.FallbackAction],
  [ATTR_SPANTRACK_ERROR_CODE, F.ErrorCode],
  [ATTR_SPANTRACK_RESULT, F.Result],
  [ATTR_SPANTRACK_EVENT_NAME, F.EventName],
  [ATTR_SPANTRACK_MESSAGE_ID, F.MessageId],
  [ATTR_SPANTRACK_MESSAGE_ROLE, F.MessageRole],
  [ATTR_SPANTRACK_INPUT_MESSAGE_ID, F.InputMessageId],
  [ATTR_SPANTRACK_OUTPUT_MESSAGE_ID, F.OutputMessageId],
  [ATTR_SPANTRACK_CONVERSATION_EVENT, F.ConversationEventF],
  [ATTR_SPANTRACK_CONVERSATION_MESSAGE_COUNT, F.MessageCount],
  [ATTR_SPANTRACK_ACTION_TYPE, F.ActionType],
  [ATTR_SPANTRACK_ACTION_NAME, F.ActionName],
  [ATTR_GEN_AI_TOOL_NAME, F.ToolName],
  [ATTR_GEN_AI_TOOL_CALL_ID, F.ToolCallId],
  [ATTR_SPANTRACK_MEDIA_TYPE, F.MediaType],
  [ATTR_SPANTRACK_MEDIA_SUB_TYPE, F.MediaSubType],
  [ATTR_SPANTRACK_COMPONENT_TYPE, F.ComponentType],
  [ATTR_SPANTRACK_FEEDBACK_RATING, F.FeedbackRating],
  [ATTR_SPANTRACK_SIGNAL_EVENT, F.SignalEvent],
  [ATTR_SPANTRACK_SIGNAL_TYPE, F.SignalType],
  [ATTR_SPANTRACK_SIGNAL_SEVERITY, F.Severity],
  [ATTR_SPANTRACK_SIGNAL_THEME_ID, F.ThemeId],
  [ATTR_SPANTRACK_TRIAGE_EVENT, F.TriageEvent],
  [ATTR_SPANTRACK_TRIAGE_RESULT, F.TriageResult],
  [ATTR_SPANTRACK_TRIAGE_CONFIDENCE_BAND, F.TriageConfidenceBand],
  [ATTR_SPANTRACK_TRIAGE_ESCALATION_REASON, F.EscalationReason],
  [ATTR_SPANTRACK_REPLY_EVENT, F.ReplyEvent],
  [ATTR_SPANTRACK_REPLY_MODE, F.ReplyMode],
  [ATTR_SPANTRACK_REPLY_KB_GAP_TYPE, F.KbGapType],
  [ATTR_SPANTRACK_REPLY_CONFIDENCE_BAND, F.ReplyConfidenceBand],
  [ATTR_SPANTRACK_OUTCOME_EVENT, F.OutcomeEvent],
  [ATTR_SPANTRACK_OUTCOME_TYPE, F.OutcomeType],
  [ATTR_SPANTRACK_OUTCOME_PREVIOUS_SIGNAL_TYPE, F.PreviousSignalType],
  [ATTR_SPANTRACK_OUTCOME_TIME_TO_RESOLUTION_MS, F.TimeToResolutionMs],
  [ATTR_SPANTRACK_OUTCOME_HANDOFF_TARGET, F.HandoffTarget],
  [ATTR_SPANTRACK_OUTCOME_RESOLUTION_PATH, F.ResolutionPath],
  [ATTR_SPANTRACK_INPUT_TEXT, F.InputText],
  [ATTR_SPANTRACK_OUTPUT_TEXT, F.OutputText],
  [ATTR_GEN_AI_INPUT_MESSAGES, F.InputMessages],
  [ATTR_GEN_AI_OUTPUT_MESSAGES, F.OutputMessages],
]);

const NS_PER_MS = 1_000_000n;
/** 2^62: below it, a nanosecond time converted to a double is off by at most 512 ns. */
const FAST_NANOS_LIMIT = 2 ** 62;
/**
 * Latest usable time: 9999-12-31T23:59:59.999Z. Later years have a signed six-digit ISO form
 * (`+010000-01-01T...`) that Segment cannot parse.
 */
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * What a source returns for a span that is its own but cannot become an event (its times are
 * unusable): `normalize` stops there, and the span counts as recognised, not as someone else's.
 */
export const UNUSABLE_SPAN: unique symbol = Symbol('spantrack.unusable_span');

function report(
  ctx: NormalizeContext,
  span: SpanLike,
  code: Diagnostic['code'],
  attribute: string,
  message: string,
) {
  ctx.diagnostics.push({ code, message, traceId: span.traceId, spanId: span.spanId, attribute });
}

/**
 * A rejected value, for a diagnostic that may end up in logs: strings are never repeated (they may
 * be content or PII), only their length; numbers and booleans are.
 */
function describe(value: unknown): string {
  if (typeof value === 'string')
    return value.length === 0 ? 'an empty string' : `a string of ${value.length} characters`;
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return value === null ? 'null' : `a ${typeof value}`;
}

export function badValue(
  ctx: NormalizeContext,
  span: SpanLike,
  key: string,
  value: unknown,
  expected: string,
): undefined {
  report(
    ctx,
    span,
    DiagnosticCode.INVALID_ATTRIBUTE,
    key,
    `${key} is ${describe(value)}, expected ${expected}: dropped`,
  );
  return undefined;
}

/** An identifier: a non-empty string (or a finite number, stringified) of at most MAX_ID_LENGTH. */
export function readId(
  ctx: NormalizeContext,
  span: SpanLike,
  key: string,
  value: AttributeValue,
): string | undefined {
  if (typeof value === 'string') {
    if (value.length > 0 && value.length <= MAX_ID_LENGTH) return value;
    return badValue(ctx, span, key, value, `an id of 1 to ${MAX_ID_LENGTH} characters`);
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return badValue(ctx, span, key, value, 'a string id');
}

/** A free-form string (size is the size cap's business). */
export function readText(
  ctx: NormalizeContext,
  span: SpanLike,
  key: string,
  value: AttributeValue,
): string | undefined {
  if (typeof value === 'string') return value;
  return badValue(ctx, span, key, value, 'a string');
}

/** A count: a non-negative integer. */
export function readCount(
  ctx: NormalizeContext,
  span: SpanLike,
  key: string,
  value: AttributeValue,
): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  return badValue(ctx, span, key, value, 'a non-negative integer');
}

export function readNumber(
  ctx: NormalizeContext,
  span: SpanLike,
  key: string,
  value: AttributeValue,
): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return badValue(ctx, span, key, value, 'a finite number');
}

export function readBoolean(
  ctx: NormalizeContext,
  span: SpanLike,
  key: string,
  value: AttributeValue,
): boolean | undefined {
  if (typeof value === 'boolean') return value;
  return badValue(ctx, span, key, value, 'a boolean');
}

/**
 * The name of a user property or trait (`spantrack.property.<name>`), or undefined (reported) when
 * it cannot be one: empty, `__proto__` (assigning it would replace the object's prototype), or,
 * with content capture off, the name of a content property (`input_text`, `message_body`, ...):
 * content must not leave through a user property either.
 */
function userFieldName(
  ctx: NormalizeContext,
  span: SpanLike,
  key: string,
  prefixLength: number,
): string | undefined {
  const name = key.slice(prefixLength);
  let why: string | undefined;
  if (name.length === 0) why = 'names no property';
  else if (name === '__proto__') why = 'is not a usable property name';
  else if (!ctx.captureContent && CONTENT_PROPERTY_NAMES.has(name)) {
    why = 'is named like a content property and content capture is off';
  }
  if (why === undefined) return name;
  report(ctx, span, DiagnosticCode.INVALID_ATTRIBUTE, key, `${key} ${why}: dropped`);
  return undefined;
}

/** A user property or trait value, as JSON. Undefined when it cannot be represented. */
function toJson(value: AttributeValue): JsonValue | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const out: JsonValue[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    out[i] =
      item === undefined || item === null || (typeof item === 'number' && !Number.isFinite(item))
        ? null
        : item;
  }
  return out;
}

/** Text parts of a GenAI semconv message list: the last `user` message (input) or the first message (output). */
function textOfMessages(json: string, pickLastUser: boolean): string | undefined {
  let messages: unknown;
  try {
    messages = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(messages) || messages.length === 0) return undefined;
  let message: unknown;
  if (pickLastUser) {
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i] as { role?: unknown } | null;
      if (m && typeof m === 'object' && m.role === 'user') {
        message = m;
        break;
      }
    }
  } else {
    message = messages[0];
  }
  if (!message || typeof message !== 'object') return undefined;
  const parts = (message as { parts?: unknown }).parts;
  if (!Array.isArray(parts)) return undefined;
  let text: string | undefined;
  for (const part of parts) {
    if (part && typeof part === 'object' && part.type === 'text' && typeof part.content === 'string') {
      text = text === undefined ? part.content : `${text}\n${part.content}`;
    }
  }
  return text;
}

// Spans arrive in time order, many per second: the ISO text of the last second is reused.
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** Milliseconds since the epoch of a nanosecond time, exactly, mostly without BigInt division. */
function nanosToMillis(nanos: bigint): number {
  const approx = Number(nanos);
  // Below 2^62 ns (year 2116) a double holds the nanoseconds to within 512 ns: only near a ms
  // boundary can the floor be off, and there the exact BigInt division decides. Later times (up to
  // year 9999 they are off by up to 16 µs) always take the exact path.
  const rest = approx % 1e6;
  if (approx < FAST_NANOS_LIMIT && rest > 1000 && rest < 999_000) return Math.floor(approx / 1e6);
  return Number(nanos / NS_PER_MS);
}

/**
 * ISO 8601 with milliseconds, or undefined when the time is unusable: at or before the Unix epoch
 * (0 is an unset time; earlier times are no span's), or after 9999-12-31T23:59:59.999Z.
 */
export function isoFromNanos(nanos: bigint): string | undefined {
  const ms = nanosToMillis(nanos);
  if (!(ms > 0 && ms <= MAX_TIME_MS)) return undefined;
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(second * 1000).toISOString();
    cachedSecond = second;
    cachedPrefix = iso.slice(0, 20);
  }
  const milli = ms - second * 1000;
  return cachedPrefix + (milli < 10 ? `00${milli}` : milli < 100 ? `0${milli}` : milli) + 'Z';
}

/**
 * Reads every attribute a source may need into an `Interaction` of the given kind. Malformed values
 * are dropped with a diagnostic; the rest is kept. `UNUSABLE_SPAN` (reported) only when the span has
 * no usable time (an event needs a timestamp and the pipeline has no clock).
 */
export function readSpan(
  span: SpanLike,
  kind: InteractionKind,
  source: string,
  ctx: NormalizeContext,
): Interaction | typeof UNUSABLE_SPAN {
  let end = span.endTimeUnixNano;
  let timestamp = isoFromNanos(end);
  const startIso = span.startTimeUnixNano === end ? timestamp : isoFromNanos(span.startTimeUnixNano);
  let durationMs: number | undefined;
  if (timestamp === undefined) {
    if (startIso === undefined) {
      report(
        ctx,
        span,
        DiagnosticCode.INVALID_SPAN,
        'endTimeUnixNano',
        'span has no usable start or end time: no event',
      );
      return UNUSABLE_SPAN;
    }
    // The start stands in for the timestamp; the duration is unknown, so no latency.
    report(
      ctx,
      span,
      DiagnosticCode.INVALID_SPAN,
      'endTimeUnixNano',
      'span has no usable end time: start used, no latency',
    );
    end = span.startTimeUnixNano;
    timestamp = startIso;
  } else if (startIso === undefined) {
    report(
      ctx,
      span,
      DiagnosticCode.INVALID_SPAN,
      'startTimeUnixNano',
      'span has no usable start time: no latency',
    );
  } else if (end >= span.startTimeUnixNano) {
    durationMs = Math.round(Number(end - span.startTimeUnixNano) / 1e6);
  } else {
    report(
      ctx,
      span,
      DiagnosticCode.INVALID_SPAN,
      'startTimeUnixNano',
      'span ends before it starts: no latency',
    );
  }

  const it: Interaction = {
    kind,
    source,
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    spanName: span.name,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: end,
    durationMs,
    timestamp,
    startTimestamp: startIso ?? timestamp,
    userId: undefined,
    anonymousId: undefined,
    conversationId: undefined,
    orgId: undefined,
    workspaceId: undefined,
    channel: undefined,
    appSurface: undefined,
    agentName: undefined,
    operationName: undefined,
    model: undefined,
    provider: undefined,
    inputTokens: undefined,
    outputTokens: undefined,
    cacheReadTokens: undefined,
    cacheCreationTokens: undefined,
    costUsd: undefined,
    intent: undefined,
    confidence: undefined,
    promptType: undefined,
    outputLength: undefined,
    outputType: undefined,
    failed: false,
    success: undefined,
    error: undefined,
    errorCode: undefined,
    result: undefined,
    eventName: undefined,
    messageId: undefined,
    role: undefined,
    inputMessageId: undefined,
    outputMessageId: undefined,
    conversationEvent: undefined,
    messageCount: undefined,
    actionType: undefined,
    actionName: undefined,
    toolName: undefined,
    toolCallId: undefined,
    mediaType: undefined,
    mediaSubType: undefined,
    componentType: undefined,
    feedbackRating: undefined,
    signalEvent: undefined,
    signalType: undefined,
    severity: undefined,
    themeId: undefined,
    triageEvent: undefined,
    triageResult: undefined,
    confidenceBand: undefined,
    escalationReason: undefined,
    replyEvent: undefined,
    replyMode: undefined,
    kbGapType: undefined,
    outcomeEvent: undefined,
    outcomeType: undefined,
    previousSignalType: undefined,
    timeToResolutionMs: undefined,
    handoffTarget: undefined,
    resolutionPath: undefined,
    inputText: undefined,
    outputText: undefined,
    properties: undefined,
    traits: undefined,
  };

  // Older spellings only fill in what the current spelling left empty.
  let requestModel: string | undefined;
  let system: string | undefined;
  let promptTokens: number | undefined;
  let completionTokens: number | undefined;
  let cacheWriteTokens: number | undefined;
  let errorType: string | undefined;
  let recoveryAttempt: number | undefined;
  let recovered: boolean | undefined;
  let fallbackAction: string | undefined;
  let inputMessages: string | undefined;
  let outputMessages: string | undefined;
  const capture = ctx.captureContent;

  const attrs = span.attributes;
  for (const key in attrs) {
    const v = attrs[key];
    if (v === undefined || v === null) continue;
    const field = FIELDS.get(key);
    if (field === undefined) {
      // Prefix checks only for keys that are not ours: user properties and traits.
      if (key.startsWith(SPANTRACK_PROPERTY_PREFIX)) {
        const name = userFieldName(ctx, span, key, SPANTRACK_PROPERTY_PREFIX.length);
        if (name !== undefined) {
          const json = toJson(v);
          if (json === undefined) badValue(ctx, span, key, v, 'a finite number');
          else {
            it.properties ??= {};
            it.properties[name] = json;
          }
        }
      } else if (key.startsWith(SPANTRACK_USER_TRAIT_PREFIX)) {
        const name = userFieldName(ctx, span, key, SPANTRACK_USER_TRAIT_PREFIX.length);
        if (name !== undefined) {
          const json = toJson(v);
          if (json === undefined) badValue(ctx, span, key, v, 'a finite number');
          else {
            it.traits ??= {};
            it.traits[name] = json;
          }
        }
      }
      continue;
    }
    switch (field) {
      case F.UserId:
        it.userId = readId(ctx, span, key, v);
        break;
      case F.AnonymousId:
        it.anonymousId = readId(ctx, span, key, v);
        break;
      case F.ConversationId:
        it.conversationId = readId(ctx, span, key, v);
        break;
      case F.OrgId:
        it.orgId = readId(ctx, span, key, v);
        break;
      case F.WorkspaceId:
        it.workspaceId = readId(ctx, span, key, v);
        break;
      case F.Channel:
        it.channel = readId(ctx, span, key, v);
        break;
      case F.AppSurface:
        it.appSurface = readId(ctx, span, key, v);
        break;
      case F.AgentName:
        it.agentName = readText(ctx, span, key, v);
        break;
      case F.OperationName:
        it.operationName = readText(ctx, span, key, v);
        break;
      case F.RequestModel:
        requestModel = readText(ctx, span, key, v);
        break;
      case F.ResponseModel:
        it.model = readText(ctx, span, key, v);
        break;
      case F.Provider:
        it.provider = readText(ctx, span, key, v);
        break;
      case F.System:
        system = readText(ctx, span, key, v);
        break;
      case F.InputTokens:
        it.inputTokens = readCount(ctx, span, key, v);
        break;
      case F.PromptTokens:
        promptTokens = readCount(ctx, span, key, v);
        break;
      case F.OutputTokens:
        it.outputTokens = readCount(ctx, span, key, v);
        break;
      case F.CompletionTokens:
        completionTokens = readCount(ctx, span, key, v);
        break;
      case F.CacheReadTokens:
        it.cacheReadTokens = readCount(ctx, span, key, v);
        break;
      case F.CacheCreationTokens:
        it.cacheCreationTokens = readCount(ctx, span, key, v);
        break;
      case F.CacheWriteTokens:
        cacheWriteTokens = readCount(ctx, span, key, v);
        break;
      case F.CostUsd: {
        const n = readNumber(ctx, span, key, v);
        it.costUsd = n !== undefined && n < 0 ? badValue(ctx, span, key, v, 'a non-negative number') : n;
        break;
      }
      case F.IntentName:
        it.intent = readText(ctx, span, key, v);
        break;
      case F.IntentConfidence:
        it.confidence =
          typeof v === 'number' && v >= 0 && v <= 1 ? v : badValue(ctx, span, key, v, 'a number in 0..1');
        break;
      case F.PromptType:
        it.promptType = readText(ctx, span, key, v);
        break;
      case F.OutputLength:
        it.outputLength = readCount(ctx, span, key, v);
        break;
      case F.OutputType:
        it.outputType = readText(ctx, span, key, v);
        break;
      case F.Success:
        it.success = readBoolean(ctx, span, key, v);
        break;
      case F.ErrorType:
        errorType = readText(ctx, span, key, v);
        break;
      case F.RecoveryAttempt:
        recoveryAttempt = readCount(ctx, span, key, v);
        break;
      case F.Recovered:
        recovered = readBoolean(ctx, span, key, v);
        break;
      case F.FallbackAction:
        fallbackAction = readText(ctx, span, key, v);
        break;
      case F.ErrorCode:
        it.errorCode = typeof v === 'number' ? String(v) : readText(ctx, span, key, v);
        break;
      case F.Result:
        it.result = readText(ctx, span, key, v);
        break;
      case F.EventName:
        it.eventName = readId(ctx, span, key, v);
        break;
      case F.MessageId:
        it.messageId = readId(ctx, span, key, v);
        break;
      case F.MessageRole:
        it.role = readText(ctx, span, key, v);
        break;
      case F.InputMessageId:
        it.inputMessageId = readId(ctx, span, key, v);
        break;
      case F.OutputMessageId:
        it.outputMessageId = readId(ctx, span, key, v);
        break;
      case F.ConversationEventF:
        it.conversationEvent =
          v === ConversationEvent.STARTED || v === ConversationEvent.ENDED
            ? v
            : badValue(ctx, span, key, v, '"started" or "ended"');
        break;
      case F.MessageCount:
        it.messageCount = readCount(ctx, span, key, v);
        break;
      case F.ActionType:
        it.actionType = readText(ctx, span, key, v);
        break;
      case F.ActionName:
        it.actionName = readText(ctx, span, key, v);
        break;
      case F.ToolName:
        it.toolName = readText(ctx, span, key, v);
        break;
      case F.ToolCallId:
        it.toolCallId = readId(ctx, span, key, v);
        break;
      case F.MediaType:
        it.mediaType = readText(ctx, span, key, v);
        break;
      case F.MediaSubType:
        it.mediaSubType = readText(ctx, span, key, v);
        break;
      case F.ComponentType:
        it.componentType = readText(ctx, span, key, v);
        break;
      case F.FeedbackRating:
        it.feedbackRating = readNumber(ctx, span, key, v);
        break;
      case F.SignalEvent:
        it.signalEvent = readText(ctx, span, key, v);
        break;
      case F.SignalType:
        it.signalType = readText(ctx, span, key, v);
        break;
      case F.Severity:
        it.severity = typeof v === 'number' ? String(v) : readText(ctx, span, key, v);
        break;
      case F.ThemeId:
        it.themeId = readId(ctx, span, key, v);
        break;
      case F.TriageEvent:
        it.triageEvent = readText(ctx, span, key, v);
        break;
      case F.TriageResult:
        it.triageResult = readText(ctx, span, key, v);
        break;
      case F.TriageConfidenceBand:
      case F.ReplyConfidenceBand:
        it.confidenceBand = readText(ctx, span, key, v);
        break;
      case F.EscalationReason:
        it.escalationReason = readText(ctx, span, key, v);
        break;
      case F.ReplyEvent:
        it.replyEvent = readText(ctx, span, key, v);
        break;
      case F.ReplyMode:
        it.replyMode = readText(ctx, span, key, v);
        break;
      case F.KbGapType:
        it.kbGapType = readText(ctx, span, key, v);
        break;
      case F.OutcomeEvent:
        it.outcomeEvent = readText(ctx, span, key, v);
        break;
      case F.OutcomeType:
        it.outcomeType = readText(ctx, span, key, v);
        break;
      case F.PreviousSignalType:
        it.previousSignalType = readText(ctx, span, key, v);
        break;
      case F.TimeToResolutionMs: {
        const n = readNumber(ctx, span, key, v);
        it.timeToResolutionMs =
          n !== undefined && n < 0 ? badValue(ctx, span, key, v, 'a non-negative number') : n;
        break;
      }
      case F.HandoffTarget:
        it.handoffTarget = readText(ctx, span, key, v);
        break;
      case F.ResolutionPath:
        it.resolutionPath = readText(ctx, span, key, v);
        break;
      // Content is not even looked at unless capture is on.
      case F.InputText:
        if (capture) it.inputText = readText(ctx, span, key, v);
        break;
      case F.OutputText:
        if (capture) it.outputText = readText(ctx, span, key, v);
        break;
      case F.InputMessages:
        if (capture && typeof v === 'string') inputMessages = v;
        break;
      case F.OutputMessages:
        if (capture && typeof v === 'string') outputMessages = v;
        break;
    }
  }

  it.model ??= requestModel;
  it.provider ??= system;
  it.inputTokens ??= promptTokens;
  it.outputTokens ??= completionTokens;
  it.cacheCreationTokens ??= cacheWriteTokens;
  if (capture) {
    if (it.inputText === undefined && inputMessages !== undefined)
      it.inputText = textOfMessages(inputMessages, true);
    if (it.outputText === undefined && outputMessages !== undefined)
      it.outputText = textOfMessages(outputMessages, false);
  }

  // Errors: error.type, span status and exception events alike.
  let exceptionType: string | undefined;
  let exceptionMessage: string | undefined;
  const events = span.events;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    if (event.name !== EXCEPTION_EVENT_NAME) continue;
    const t = event.attributes[ATTR_EXCEPTION_TYPE];
    const m = event.attributes[ATTR_EXCEPTION_MESSAGE];
    if (exceptionType === undefined && typeof t === 'string' && t.length > 0) exceptionType = t;
    if (exceptionMessage === undefined && typeof m === 'string' && m.length > 0) exceptionMessage = m;
    if (exceptionType === undefined && exceptionMessage === undefined) exceptionType = ERROR_TYPE_OTHER;
  }
  const statusError = span.status.code === 2;
  if (
    statusError ||
    errorType !== undefined ||
    exceptionType !== undefined ||
    exceptionMessage !== undefined ||
    it.success === false
  ) {
    it.failed = true;
    const statusMessage = statusError && span.status.message ? span.status.message : undefined;
    const message = statusMessage ?? exceptionMessage;
    const raw = errorType ?? exceptionType;
    const known = classifyError(
      raw,
      message ?? exceptionMessage,
      httpStatusOf(attrs[ATTR_HTTP_RESPONSE_STATUS_CODE], raw, message),
    );
    // A producer's class name is not an error type: it is kept apart, and the type is the documented
    // one when the cause is known. spantrack's own `error.type` is the user's choice and stays.
    const type = known ?? (source === 'spantrack' && raw !== undefined ? raw : ERROR_TYPE_OTHER);
    // An `error.type` that is a bare HTTP status names no class: the exception event's type does,
    // unless it is the generic `Error`.
    const cls =
      raw !== undefined && isHttpStatus(raw) && exceptionType !== undefined && exceptionType !== 'Error'
        ? exceptionType
        : raw;
    it.error = {
      type,
      class: cls !== undefined && cls !== type && cls !== ERROR_TYPE_OTHER ? cls : undefined,
      message,
      recoveryAttempt,
      recovered,
      fallbackAction,
    };
  } else if (recoveryAttempt !== undefined || recovered !== undefined || fallbackAction !== undefined) {
    // Recovery details without an error: the error was recovered from; keep them for an `error` kind.
    it.error = {
      type: ERROR_TYPE_OTHER,
      class: undefined,
      message: undefined,
      recoveryAttempt,
      recovered,
      fallbackAction,
    };
  }
  return it;
}
