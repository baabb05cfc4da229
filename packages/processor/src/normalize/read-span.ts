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

/** An identifier: a non-empty string (or a finite number, stringified) of at most MAX_ID_LENGTH, else undefined. */
export function idValue(value: AttributeValue | undefined): string | undefined {
  if (typeof value === 'string') return value.length > 0 && value.length <= MAX_ID_LENGTH ? value : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/** `idValue`, reporting a value that is not an id. */
export function readId(
  ctx: NormalizeContext,
  span: SpanLike,
  key: string,
  value: AttributeValue,
): string | undefined {
  const id = idValue(value);
  if (id !== undefined) return id;
  return badValue(
    ctx,
    span,
    key,
    value,
    typeof value === 'string' ? `an id of 1 to ${MAX_ID_LENGTH} characters` : 'a string id',
  );
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
 * Values held until every attribute is read: older spellings (they fill in only what the current
 * spelling left empty), the error details (they go into `error` when the span failed) and the
 * GenAI message lists (read for text only when no plain text was given).
 */
interface Held {
  requestModel: string | undefined;
  system: string | undefined;
  promptTokens: number | undefined;
  completionTokens: number | undefined;
  cacheWriteTokens: number | undefined;
  errorType: string | undefined;
  recoveryAttempt: number | undefined;
  recovered: boolean | undefined;
  fallbackAction: string | undefined;
  inputMessages: string | undefined;
  outputMessages: string | undefined;
}

const HELD: Held = {
  requestModel: undefined,
  system: undefined,
  promptTokens: undefined,
  completionTokens: undefined,
  cacheWriteTokens: undefined,
  errorType: undefined,
  recoveryAttempt: undefined,
  recovered: undefined,
  fallbackAction: undefined,
  inputMessages: undefined,
  outputMessages: undefined,
};

/** Checks one attribute value: the value, or undefined with a diagnostic. */
type Read<T> = (ctx: NormalizeContext, span: SpanLike, key: string, value: AttributeValue) => T | undefined;

const readNonNegative: Read<number> = (ctx, span, key, value) => {
  const n = readNumber(ctx, span, key, value);
  return n !== undefined && n < 0 ? badValue(ctx, span, key, value, 'a non-negative number') : n;
};

const readConfidence: Read<number> = (ctx, span, key, value) =>
  typeof value === 'number' && value >= 0 && value <= 1
    ? value
    : badValue(ctx, span, key, value, 'a number in 0..1');

/** A code or level that producers send as a number or a string: as a string. */
const readCode: Read<string> = (ctx, span, key, value) =>
  typeof value === 'number' ? String(value) : readText(ctx, span, key, value);

const readConversationEvent: Read<ConversationEvent> = (ctx, span, key, value) =>
  value === ConversationEvent.STARTED || value === ConversationEvent.ENDED
    ? value
    : badValue(ctx, span, key, value, '"started" or "ended"');

/** A GenAI message list (semconv JSON), kept as it is when it is a string; anything else is ignored. */
const readMessages: Read<string> = (_ctx, _span, _key, value) =>
  typeof value === 'string' ? value : undefined;

/**
 * The attributes we read, in the order of the cases of the switch in `readSpan`: a key's position
 * here is its case there, where its checked value is stored. (A switch with direct stores, not a
 * function per key: each store then has one object shape and one reader the compiler can inline.)
 */
const SPAN_FIELD_KEYS: readonly string[] = [
  ATTR_USER_ID,
  ATTR_SPANTRACK_ANONYMOUS_ID,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_SPANTRACK_ORG_ID,
  ATTR_SPANTRACK_WORKSPACE_ID,
  ATTR_SPANTRACK_CHANNEL,
  ATTR_SPANTRACK_APP_SURFACE,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  ATTR_SPANTRACK_COST_USD,
  ATTR_SPANTRACK_INTENT_NAME,
  ATTR_SPANTRACK_INTENT_CONFIDENCE,
  ATTR_SPANTRACK_PROMPT_TYPE,
  ATTR_SPANTRACK_OUTPUT_LENGTH,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_SPANTRACK_SUCCESS,
  ATTR_ERROR_TYPE,
  ATTR_SPANTRACK_ERROR_RECOVERY_ATTEMPT,
  ATTR_SPANTRACK_ERROR_RECOVERED,
  ATTR_SPANTRACK_ERROR_FALLBACK_ACTION,
  ATTR_SPANTRACK_ERROR_CODE,
  ATTR_SPANTRACK_RESULT,
  ATTR_SPANTRACK_EVENT_NAME,
  ATTR_SPANTRACK_MESSAGE_ID,
  ATTR_SPANTRACK_MESSAGE_ROLE,
  ATTR_SPANTRACK_INPUT_MESSAGE_ID,
  ATTR_SPANTRACK_OUTPUT_MESSAGE_ID,
  ATTR_SPANTRACK_CONVERSATION_EVENT,
  ATTR_SPANTRACK_CONVERSATION_MESSAGE_COUNT,
  ATTR_SPANTRACK_ACTION_TYPE,
  ATTR_SPANTRACK_ACTION_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_SPANTRACK_MEDIA_TYPE,
  ATTR_SPANTRACK_MEDIA_SUB_TYPE,
  ATTR_SPANTRACK_COMPONENT_TYPE,
  ATTR_SPANTRACK_FEEDBACK_RATING,
  ATTR_SPANTRACK_SIGNAL_EVENT,
  ATTR_SPANTRACK_SIGNAL_TYPE,
  ATTR_SPANTRACK_SIGNAL_SEVERITY,
  ATTR_SPANTRACK_SIGNAL_THEME_ID,
  ATTR_SPANTRACK_TRIAGE_EVENT,
  ATTR_SPANTRACK_TRIAGE_RESULT,
  ATTR_SPANTRACK_TRIAGE_CONFIDENCE_BAND,
  ATTR_SPANTRACK_TRIAGE_ESCALATION_REASON,
  ATTR_SPANTRACK_REPLY_EVENT,
  ATTR_SPANTRACK_REPLY_MODE,
  ATTR_SPANTRACK_REPLY_KB_GAP_TYPE,
  ATTR_SPANTRACK_REPLY_CONFIDENCE_BAND,
  ATTR_SPANTRACK_OUTCOME_EVENT,
  ATTR_SPANTRACK_OUTCOME_TYPE,
  ATTR_SPANTRACK_OUTCOME_PREVIOUS_SIGNAL_TYPE,
  ATTR_SPANTRACK_OUTCOME_TIME_TO_RESOLUTION_MS,
  ATTR_SPANTRACK_OUTCOME_HANDOFF_TARGET,
  ATTR_SPANTRACK_OUTCOME_RESOLUTION_PATH,
  ATTR_SPANTRACK_INPUT_TEXT,
  ATTR_SPANTRACK_OUTPUT_TEXT,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
];
/** One Map lookup per attribute of a span: the attribute's case in `readSpan`. */
const FIELD_BY_KEY = new Map(SPAN_FIELD_KEYS.map((key, i) => [key, i]));

/** What a key that is not one of the fields above is: nothing of ours, a user property, a user trait. */
const OTHER_KEY = -1;
const PROPERTY_KEY = -2;
const TRAIT_KEY = -3;
/**
 * Other keys met, remembered with what they are (in `FIELD_BY_KEY` itself, so each attribute costs
 * one lookup): keys repeat from span to span. Bounded, since keys come from the spans.
 */
const MAX_REMEMBERED_OTHER_KEYS = 4096;
let rememberedOtherKeys = 0;

function classifyOtherKey(key: string): number {
  const kind = key.startsWith(SPANTRACK_PROPERTY_PREFIX)
    ? PROPERTY_KEY
    : key.startsWith(SPANTRACK_USER_TRAIT_PREFIX)
      ? TRAIT_KEY
      : OTHER_KEY;
  if (rememberedOtherKeys < MAX_REMEMBERED_OTHER_KEYS) {
    rememberedOtherKeys++;
    FIELD_BY_KEY.set(key, kind);
  }
  return kind;
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

const MS_PER_DAY = 86_400_000;
/** `00`..`99`. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
/** `.000Z`..`.999Z`: the end of every ISO time. */
const MILLIS_SUFFIX = Array.from({ length: 1000 }, (_, i) => `.${String(i).padStart(3, '0')}Z`);

// Spans arrive close together in time: the `YYYY-MM-DDT` of the last day, and the
// `YYYY-MM-DDTHH:MM:SS` of the last few seconds (a span's start and end are often in different
// seconds, and a trace's spans alternate between them), are reused.
let cachedDay = Number.NaN;
let cachedDayPrefix = '';
const SECOND_SLOTS = 8;
const cachedSeconds = new Float64Array(SECOND_SLOTS).fill(Number.NaN);
const cachedSecondPrefixes: string[] = new Array<string>(SECOND_SLOTS).fill('');

/** `YYYY-MM-DDTHH:MM:SS` of a whole second (in ms since the epoch, within 0001..9999). */
function secondPrefix(secondMs: number): string {
  const day = Math.floor(secondMs / MS_PER_DAY);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * MS_PER_DAY).toISOString().slice(0, 11);
  }
  const inDay = (secondMs - day * MS_PER_DAY) / 1000;
  const hours = Math.floor(inDay / 3600);
  const minutes = Math.floor((inDay - hours * 3600) / 60);
  const seconds = inDay - hours * 3600 - minutes * 60;
  return `${cachedDayPrefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}`;
}

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
  const slot = second & (SECOND_SLOTS - 1);
  let prefix: string;
  if (cachedSeconds[slot] === second) prefix = cachedSecondPrefixes[slot]!;
  else {
    prefix = secondPrefix(second * 1000);
    cachedSeconds[slot] = second;
    cachedSecondPrefixes[slot] = prefix;
  }
  return prefix + MILLIS_SUFFIX[ms - second * 1000]!;
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

  // One held-values object for every call (reading a span calls out to nothing that could re-enter).
  const h = HELD;
  h.requestModel = undefined;
  h.system = undefined;
  h.promptTokens = undefined;
  h.completionTokens = undefined;
  h.cacheWriteTokens = undefined;
  h.errorType = undefined;
  h.recoveryAttempt = undefined;
  h.recovered = undefined;
  h.fallbackAction = undefined;
  h.inputMessages = undefined;
  h.outputMessages = undefined;
  const capture = ctx.captureContent;

  const attrs = span.attributes;
  for (const key in attrs) {
    const v = attrs[key];
    if (v === undefined || v === null) continue;
    const field = FIELD_BY_KEY.get(key) ?? classifyOtherKey(key);
    if (field < 0) {
      if (field === PROPERTY_KEY) {
        const name = userFieldName(ctx, span, key, SPANTRACK_PROPERTY_PREFIX.length);
        if (name !== undefined) {
          const json = toJson(v);
          if (json === undefined) badValue(ctx, span, key, v, 'a finite number');
          else {
            it.properties ??= {};
            it.properties[name] = json;
          }
        }
      } else if (field === TRAIT_KEY) {
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
      case 0:
        it.userId = readId(ctx, span, key, v);
        break;
      case 1:
        it.anonymousId = readId(ctx, span, key, v);
        break;
      case 2:
        it.conversationId = readId(ctx, span, key, v);
        break;
      case 3:
        it.orgId = readId(ctx, span, key, v);
        break;
      case 4:
        it.workspaceId = readId(ctx, span, key, v);
        break;
      case 5:
        it.channel = readId(ctx, span, key, v);
        break;
      case 6:
        it.appSurface = readId(ctx, span, key, v);
        break;
      case 7:
        it.agentName = readText(ctx, span, key, v);
        break;
      case 8:
        it.operationName = readText(ctx, span, key, v);
        break;
      case 9:
        h.requestModel = readText(ctx, span, key, v);
        break;
      case 10:
        it.model = readText(ctx, span, key, v);
        break;
      case 11:
        it.provider = readText(ctx, span, key, v);
        break;
      case 12:
        h.system = readText(ctx, span, key, v);
        break;
      case 13:
        it.inputTokens = readCount(ctx, span, key, v);
        break;
      case 14:
        h.promptTokens = readCount(ctx, span, key, v);
        break;
      case 15:
        it.outputTokens = readCount(ctx, span, key, v);
        break;
      case 16:
        h.completionTokens = readCount(ctx, span, key, v);
        break;
      case 17:
        it.cacheReadTokens = readCount(ctx, span, key, v);
        break;
      case 18:
        it.cacheCreationTokens = readCount(ctx, span, key, v);
        break;
      case 19:
        h.cacheWriteTokens = readCount(ctx, span, key, v);
        break;
      case 20:
        it.costUsd = readNonNegative(ctx, span, key, v);
        break;
      case 21:
        it.intent = readText(ctx, span, key, v);
        break;
      case 22:
        it.confidence = readConfidence(ctx, span, key, v);
        break;
      case 23:
        it.promptType = readText(ctx, span, key, v);
        break;
      case 24:
        it.outputLength = readCount(ctx, span, key, v);
        break;
      case 25:
        it.outputType = readText(ctx, span, key, v);
        break;
      case 26:
        it.success = readBoolean(ctx, span, key, v);
        break;
      case 27:
        h.errorType = readText(ctx, span, key, v);
        break;
      case 28:
        h.recoveryAttempt = readCount(ctx, span, key, v);
        break;
      case 29:
        h.recovered = readBoolean(ctx, span, key, v);
        break;
      case 30:
        h.fallbackAction = readText(ctx, span, key, v);
        break;
      case 31:
        it.errorCode = readCode(ctx, span, key, v);
        break;
      case 32:
        it.result = readText(ctx, span, key, v);
        break;
      case 33:
        it.eventName = readId(ctx, span, key, v);
        break;
      case 34:
        it.messageId = readId(ctx, span, key, v);
        break;
      case 35:
        it.role = readText(ctx, span, key, v);
        break;
      case 36:
        it.inputMessageId = readId(ctx, span, key, v);
        break;
      case 37:
        it.outputMessageId = readId(ctx, span, key, v);
        break;
      case 38:
        it.conversationEvent = readConversationEvent(ctx, span, key, v);
        break;
      case 39:
        it.messageCount = readCount(ctx, span, key, v);
        break;
      case 40:
        it.actionType = readText(ctx, span, key, v);
        break;
      case 41:
        it.actionName = readText(ctx, span, key, v);
        break;
      case 42:
        it.toolName = readText(ctx, span, key, v);
        break;
      case 43:
        it.toolCallId = readId(ctx, span, key, v);
        break;
      case 44:
        it.mediaType = readText(ctx, span, key, v);
        break;
      case 45:
        it.mediaSubType = readText(ctx, span, key, v);
        break;
      case 46:
        it.componentType = readText(ctx, span, key, v);
        break;
      case 47:
        it.feedbackRating = readNumber(ctx, span, key, v);
        break;
      case 48:
        it.signalEvent = readText(ctx, span, key, v);
        break;
      case 49:
        it.signalType = readText(ctx, span, key, v);
        break;
      case 50:
        it.severity = readCode(ctx, span, key, v);
        break;
      case 51:
        it.themeId = readId(ctx, span, key, v);
        break;
      case 52:
        it.triageEvent = readText(ctx, span, key, v);
        break;
      case 53:
        it.triageResult = readText(ctx, span, key, v);
        break;
      case 54:
        it.confidenceBand = readText(ctx, span, key, v);
        break;
      case 55:
        it.escalationReason = readText(ctx, span, key, v);
        break;
      case 56:
        it.replyEvent = readText(ctx, span, key, v);
        break;
      case 57:
        it.replyMode = readText(ctx, span, key, v);
        break;
      case 58:
        it.kbGapType = readText(ctx, span, key, v);
        break;
      case 59:
        it.confidenceBand = readText(ctx, span, key, v);
        break;
      case 60:
        it.outcomeEvent = readText(ctx, span, key, v);
        break;
      case 61:
        it.outcomeType = readText(ctx, span, key, v);
        break;
      case 62:
        it.previousSignalType = readText(ctx, span, key, v);
        break;
      case 63:
        it.timeToResolutionMs = readNonNegative(ctx, span, key, v);
        break;
      case 64:
        it.handoffTarget = readText(ctx, span, key, v);
        break;
      case 65:
        it.resolutionPath = readText(ctx, span, key, v);
        break;
      case 66:
        if (capture) it.inputText = readText(ctx, span, key, v);
        break;
      case 67:
        if (capture) it.outputText = readText(ctx, span, key, v);
        break;
      case 68:
        if (capture) h.inputMessages = readMessages(ctx, span, key, v);
        break;
      case 69:
        if (capture) h.outputMessages = readMessages(ctx, span, key, v);
        break;
    }
  }

  // Older spellings only fill in what the current spelling left empty.
  it.model ??= h.requestModel;
  it.provider ??= h.system;
  it.inputTokens ??= h.promptTokens;
  it.outputTokens ??= h.completionTokens;
  it.cacheCreationTokens ??= h.cacheWriteTokens;
  if (capture) {
    if (it.inputText === undefined && h.inputMessages !== undefined)
      it.inputText = textOfMessages(h.inputMessages, true);
    if (it.outputText === undefined && h.outputMessages !== undefined)
      it.outputText = textOfMessages(h.outputMessages, false);
    // Content is not kept past the span that carried it.
    h.inputMessages = undefined;
    h.outputMessages = undefined;
  }
  const { errorType, recoveryAttempt, recovered, fallbackAction } = h;

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
