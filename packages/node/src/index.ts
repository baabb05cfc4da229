export { SpantrackConfigError } from '@spantrack/processor';
export { attachSpanProcessors, registeredTracerProvider } from './attach-span-processors';
export { createSpanProcessors } from './create-span-processors';
export { isInstalled } from './instrumentations';
export { ENV, parseKeyValueList, type ResolvedConfig, resolveConfig } from './resolve-config';
export { getSetup, setup } from './setup';
export { installSignalHandlers } from './signal-handlers';
export type { SpanProcessorLike } from './span-processor-like';
export type {
  AnalyticsTuning,
  LogLevel,
  OtlpOptions,
  OtlpProtocol,
  SegmentOptions,
  SetupState,
  SinkName,
  SpantrackHandle,
  SpantrackMode,
  SpantrackNodeOptions,
  SpantrackSpanProcessors,
  SpantrackStats,
  TraceExportStats,
} from './types';
