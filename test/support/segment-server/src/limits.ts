/**
 * Segment's documented HTTP Tracking API limits (segment-docs, "HTTP API Source": Max request
 * size, Batch, Errors). KB is read as 1,024 bytes, as Segment's own clients do.
 */
export const SEGMENT_LIMITS = {
  /** "32KB per event in the batch", and per request on the single-message endpoints. */
  maxMessageBytes: 32 * 1024,
  /** "The batch API endpoint accepts a maximum of 500KB per request". */
  maxBatchBytes: 500 * 1024,
  /** "Each batch request can only have up to 2500 events"; beyond that Segment answers 200 and drops them. */
  maxBatchMessages: 2500,
  /** "ensure all events have unique messageId values with fewer than 100 characters". */
  maxMessageIdLength: 99,
} as const;

/** The call types `/v1/batch` takes; the single-message endpoints are `/v1/<type>`. */
export const MESSAGE_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
