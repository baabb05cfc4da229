import type { AnalyticsMessage } from '../message';
import { type SegmentLibrary, SPANTRACK_LIBRARY, withLibrary } from './library';
import { messageIdOf } from './serialize';
import { InvalidMessageError, MessageTooLargeError } from './sink-errors';

/**
 * Segment's documented HTTP Tracking API limits (segment-docs, "HTTP API Source"): 32 KB per event,
 * 500 KB per batch request, 2,500 events per batch. KB = 1,024 bytes, as Segment's clients read it.
 */
export const SEGMENT_MAX_MESSAGE_BYTES = 32 * 1024;
export const SEGMENT_MAX_BATCH_BYTES = 500 * 1024;
export const SEGMENT_MAX_BATCH_MESSAGES = 2500;
/**
 * What we fill a request body up to: 480 KiB, the margin analytics-node keeps too. It is under
 * 500 KB whether a receiver counts a KB as 1,000 or 1,024 bytes.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 480 * 1024;

const MESSAGE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Why a message cannot go to Segment, or undefined. Ids are held to 64 characters of
 * `[A-Za-z0-9._-]` so every Segment-compatible receiver keeps them (Segment's own limit is < 100).
 */
export function invalidReason(message: AnalyticsMessage): string | undefined {
  if (typeof message.messageId !== 'string' || !MESSAGE_ID.test(message.messageId)) {
    return 'messageId must be 1-64 characters of [A-Za-z0-9._-]';
  }
  if (!message.userId && !message.anonymousId) return 'neither userId nor anonymousId is set';
  if (message.type === 'track' && typeof message.event !== 'string') return 'track without event';
  if (message.type !== 'track' && message.type !== 'identify')
    return `unsupported type ${String((message as { type: unknown }).type)}`;
  return undefined;
}

const METADATA = { nodeVersion: process.version, jsRuntime: 'node' } as const;

/**
 * The event exactly as `@segment/analytics-node` 3.1.0 puts it in `batch[]` for
 * `analytics.track/identify({ ...message })` (same fields, same values, same key order, so
 * `JSON.stringify` of both is byte for byte the same), except that `context.library` names
 * `library` (default spantrack) where the client would name itself.
 */
export function toSegmentEvent(message: AnalyticsMessage, library: SegmentLibrary = SPANTRACK_LIBRARY) {
  const context = withLibrary(message.context, library);
  if (message.type === 'track') {
    return {
      timestamp: message.timestamp,
      integrations: {},
      event: message.event,
      type: 'track' as const,
      properties: message.properties ?? {},
      context,
      userId: message.userId,
      anonymousId: message.anonymousId,
      messageId: message.messageId,
      _metadata: METADATA,
    };
  }
  return {
    timestamp: message.timestamp,
    integrations: {},
    type: 'identify' as const,
    userId: message.userId,
    traits: message.traits ?? {},
    context,
    anonymousId: message.anonymousId,
    messageId: message.messageId,
    _metadata: METADATA,
  };
}

/**
 * Serializes a message as it goes on the wire and checks it against the 32 KB limit with
 * `Buffer.byteLength(JSON.stringify(...))`: analytics-node 3.1's own size function counts
 * `encodeURI(json).split(/%..|i/).length` (escapes and letter i's, not bytes), so it lets
 * oversized events through and Segment's 400 then drops their whole batch. Never throws: a message
 * that cannot be serialized (a BigInt, a cycle) is returned as an `InvalidMessageError`.
 */
export function serializeForSegment(
  message: AnalyticsMessage,
  library: SegmentLibrary = SPANTRACK_LIBRARY,
  maxBytes: number = SEGMENT_MAX_MESSAGE_BYTES,
): { json: string; bytes: number } | { error: Error } {
  let json: string;
  try {
    const reason = invalidReason(message);
    if (reason) return { error: new InvalidMessageError(messageIdOf(message), reason) };
    json = JSON.stringify(toSegmentEvent(message, library));
  } catch (error) {
    // A BigInt, a cycle, a throwing getter or toJSON: this message fails alone.
    const why = error instanceof Error ? error.message : String(error);
    return { error: new InvalidMessageError(messageIdOf(message), `not serializable as JSON: ${why}`) };
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) return { error: new MessageTooLargeError(message.messageId, bytes, maxBytes) };
  return { json, bytes };
}
