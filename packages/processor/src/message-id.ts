import { createHash } from 'node:crypto';

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

/** Every valid message id matches this. */
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

const eventTags = new Map<string, string>();

function sha256(input: string): string {
  return createHash('sha256').update(input).digest('base64url');
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

function isLowerHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

// A span usually yields more than one message: its ids are checked once.
let lastTraceId = '';
let lastSpanId = '';
let lastHex = false;

/** Whether trace and span ids are the lowercase hex the fast id form needs. */
export function hasHexIds(traceId: string, spanId: string): boolean {
  if (traceId === lastTraceId && spanId === lastSpanId) return lastHex;
  lastTraceId = traceId;
  lastSpanId = spanId;
  lastHex = traceId.length === 32 && spanId.length === 16 && isLowerHex(traceId) && isLowerHex(spanId);
  return lastHex;
}

/**
 * Id of the `ordinal`-th event named `event` made from one span. `fallbackKey` identifies the span
 * when its ids are unusable (the translator passes name and start time).
 */
export function spanMessageId(
  traceId: string,
  spanId: string,
  event: string,
  ordinal: number,
  fallbackKey = '',
): string {
  if (
    ordinal >= 0 &&
    ordinal <= MAX_FAST_ORDINAL &&
    Number.isInteger(ordinal) &&
    hasHexIds(traceId, spanId)
  ) {
    return `${traceId}${spanId}-${eventTag(event)}-${ordinal}`;
  }
  return `h-${sha256(`${traceId}\u0000${spanId}\u0000${fallbackKey}\u0000${event}\u0000${ordinal}`)}`;
}

/** Id of a conversation lifecycle event: the same for every span reporting it. */
export function conversationMessageId(conversationId: string, event: string): string {
  return `c-${sha256(`${conversationId}\u0000${event}`)}`;
}
