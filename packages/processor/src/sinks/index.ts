export {
  AnalyticsNodeSink,
  type AnalyticsNodeSinkOptions,
  BatchSplittingHttpClient,
} from './analytics-node-sink';
export { ConsoleSink, type ConsoleSinkOptions } from './console-sink';
export { DeduplicatingSink, type DeduplicationStats } from './deduplicating-sink';
export { DEFAULT_DEDUPE_WINDOW, type DedupeWindowOptions } from './delivered-id-window';
export type { DeliveryTrackerStats } from './delivery-tracker';
export { JsonlFileSink, type JsonlFileSinkOptions } from './jsonl-file-sink';
export { ANALYTICS_NODE_LIBRARY, type SegmentLibrary, SPANTRACK_LIBRARY } from './library';
export { MemorySink } from './memory-sink';
export {
  NodeHttpTransport,
  type SegmentHttpRequest,
  type SegmentHttpResponse,
  type SegmentHttpTransport,
} from './segment-http-transport';
export {
  DEFAULT_MAX_REQUEST_BYTES,
  invalidReason,
  SEGMENT_MAX_BATCH_BYTES,
  SEGMENT_MAX_BATCH_MESSAGES,
  SEGMENT_MAX_MESSAGE_BYTES,
  serializeForSegment,
  toSegmentEvent,
} from './segment-payload';
export {
  type DeliveryCallback,
  type PublisherStats,
  parseRetryAfter,
  SegmentPublisher,
  type SegmentPublisherOptions,
} from './segment-publisher';
export { SegmentSink, type SegmentSinkOptions, type SegmentTransport } from './segment-sink';
export type { DeliveryResult, Sink } from './sink';
export {
  DeliveryError,
  InvalidMessageError,
  MessageTooLargeError,
  SinkClosedError,
  SinkError,
} from './sink-errors';
