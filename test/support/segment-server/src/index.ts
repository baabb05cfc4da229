export { MESSAGE_TYPES, type MessageType, SEGMENT_LIMITS } from './limits';
export type { PlanViolation } from './plan-check';
export {
  type ReceivedMessage,
  type RecordedBatch,
  type RequestLogEntry,
  type SegmentFault,
  type SegmentServer,
  type SegmentServerOptions,
  type SegmentServerStats,
  startSegmentServer,
  VIOLATION_CHANNEL_NAME,
} from './server';
