import * as crypto from 'node:crypto';

/**
 * Deterministic Segment message ids: at most 64 characters of `[A-Za-z0-9._-]`.
 *
 * Span events: `<traceId><spanId>-<event tag>-<ordinal>`, where the tag is 10 base64url characters
 * of sha256(event name), cached per name. Trace and span ids are already unique hex, so the common
 * case hashes nothing per message. Spans whose ids are not well-formed hex fall back to
 * `h-` + sha256 of everything that identifies the event.
 *
 * Conversation lifecycle events: `c-` + sha256(conversationId, event name), so every span and
 * replica that reports the same conversation's start (or end) produces the same id.
 */
/** Ordinals up to this fit the 64-character budget of the fast form. */
const MAX_FAST_ORDINAL = 999;
const MAX_CACHED_TAGS = 1024;
/**
 * Lifecycle ids remembered: every turn of a conversation reports its start again (the id makes the
 * repeats one event), so the same few thousand conversations are hashed over and over.
 */
const MAX_CACHED_CONVERSATION_IDS = 4096;

/** Every valid message id matches this. */
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

const eventTags = new Map<string, string>();

/** `crypto.hash` (one call, no Hash object) where this Node has it (20.12+). */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string })
  .hash;

function sha256(input: string): string {
  return oneShotHash !== undefined
    ? oneShotHash('sha256', input, 'base64url')
    : crypto.createHash('sha256').update(input).digest('base64url');
}

function eventTag(event: string): string {
  let tag = eventTags.get(event);
  if (tag === undefined) {
    // Bounded: user catalogs could invent event names without end.
    if (eventTags.size >= MAX_CACHED_TAGS) eventTags.clear();
    tag = sha256(event).slice(0, 10);
    eventTags.set(event, tag);
  }
  return tag;
}

/** 1 at the char codes of lowercase hex digits, 0 at every other UTF-16 code unit. */
const HEX_DIGIT = new Uint8Array(65_536);
for (const c of '0123456789abcdef') HEX_DIGIT[c.charCodeAt(0)] = 1;

/**
 * Whether `s` is `length` lowercase hex digits. No branch per character: ids are random, so a
 * digit-or-letter test per character mispredicts about half the time (this is about three times
 * faster than the anchored regular expression it replaces, on fresh 16-digit ids).
 */
function isHex(s: string, length: number): boolean {
  if (s.length !== length) return false;
  let all = 1;
  for (let i = 0; i < length; i++) all &= HEX_DIGIT[s.charCodeAt(i)]!;
  return all === 1;
}

// A span usually yields more than one message, and a trace many spans: each id is checked once.
let lastTraceId = '';
let lastTraceHex = false;
let lastSpanId = '';
let lastSpanHex = false;

/** Whether trace and span ids are the lowercase hex the fast id form needs. */
export function hasHexIds(traceId: string, spanId: string): boolean {
  if (traceId !== lastTraceId) {
    lastTraceId = traceId;
    lastTraceHex = isHex(traceId, 32);
  }
  if (spanId !== lastSpanId) {
    lastSpanId = spanId;
    lastSpanHex = isHex(spanId, 16);
  }
  return lastTraceHex && lastSpanHex;
}

/**
 * Id of the `ordinal`-th event named `event` made from one span. `fallbackKey` identifies the span
 * when its ids are unusable (the translator passes name and start time); a function is called only
 * then, so the common case builds no key.
 */
export function spanMessageId(
  traceId: string,
  spanId: string,
  event: string,
  ordinal: number,
  fallbackKey: string | (() => string) = '',
): string {
  if (
    ordinal >= 0 &&
    ordinal <= MAX_FAST_ORDINAL &&
    Number.isInteger(ordinal) &&
    hasHexIds(traceId, spanId)
  ) {
    return `${traceId}${spanId}-${eventTag(event)}-${ordinal}`;
  }
  const key = typeof fallbackKey === 'function' ? fallbackKey() : fallbackKey;
  return `h-${sha256(`${traceId}\u0000${spanId}\u0000${key}\u0000${event}\u0000${ordinal}`)}`;
}

const conversationIds = new Map<string, Map<string, string>>();

/** Id of a conversation lifecycle event: the same for every span reporting it. */
export function conversationMessageId(conversationId: string, event: string): string {
  // By event, then by conversation: the lookup hashes the id as it came, with no key built.
  let ids = conversationIds.get(event);
  if (ids === undefined) {
    if (conversationIds.size >= MAX_CACHED_TAGS) conversationIds.clear();
    ids = new Map();
    conversationIds.set(event, ids);
  }
  let id = ids.get(conversationId);
  if (id === undefined) {
    // Bounded: cleared whole when full (the next turns refill it with the conversations in flight).
    if (ids.size >= MAX_CACHED_CONVERSATION_IDS) ids.clear();
    id = `c-${sha256(`${conversationId}\u0000${event}`)}`;
    ids.set(conversationId, id);
  }
  return id;
}
