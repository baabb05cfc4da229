export { cliEnvironment, FLAGS, type Flag } from './cli-flags';
export { type Collector, type CollectorStats, type CollectorStoreAccess, startCollector } from './collector';
export {
  type CollectorOptions,
  createSink,
  DEFAULTS,
  ENV_PREFIX,
  type ForwardTracesOptions,
  type ListenOptions,
  NullSink,
  type OutputSettings,
  parseHeaderList,
  type ResolvedConfig,
  type ResolvedForwardConfig,
  resolveConfig,
  resolveOutputSettings,
  type SegmentOptions,
  type SinkConfig,
  type SinkName,
} from './config';
export type { ForwardStats } from './forward/trace-forwarder';
export { TRACE_SERVICE_EXPORT_PATH } from './grpc/grpc-receiver';
export { TRACES_PATH } from './http/http-receiver';
export { InflateError, inflateBody } from './http/inflate-body';
export type { LogEvent } from './log/log-event';
export type { DecodedTraces } from './otlp/decoded-traces';
export { decodeJsonTraces, MAX_JSON_DEPTH } from './otlp/otlp-json-decoder';
export { decodeProtobufTraces, decodeProtobufTracesSliced } from './otlp/otlp-protobuf-decoder';
export {
  encodeExportResponse,
  encodeExportResponseJson,
  encodeStatus,
  type PartialSuccess,
} from './otlp/otlp-response';
export { OtlpDecodeError } from './otlp/protobuf-reader';
export type { AckMode } from './pipeline/collector-pipeline';
export { MemoryBudget, Reservation } from './pipeline/memory-budget';
export { translateByTraces } from './pipeline/sliced-translation';
