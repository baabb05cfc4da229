/** A JSON value as it may appear in a Segment message. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

interface AnalyticsMessageBase {
  /**
   * Deterministic: at most 64 characters of `[A-Za-z0-9._-]`, derived from (traceId, spanId,
   * event name, ordinal), or (conversationId, event name) for conversation lifecycle events.
   */
  messageId: string;
  /** ISO 8601: the span's end time. */
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  context?: JsonObject;
}

/** A Segment `track` call. */
export interface TrackMessage extends AnalyticsMessageBase {
  type: 'track';
  event: string;
  properties: JsonObject;
}

/** A Segment `identify` call. */
export interface IdentifyMessage extends AnalyticsMessageBase {
  type: 'identify';
  traits: JsonObject;
}

/** A Segment message, as the HTTP API's `/v1/batch` takes it (one of `batch[]`). */
export type AnalyticsMessage = TrackMessage | IdentifyMessage;
