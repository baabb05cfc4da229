import type { MeterProvider } from '@opentelemetry/api';
import type { DedupeWindowOptions } from '../sinks/delivered-id-window';
import type { Sink } from '../sinks/sink';
import type { TranslatorOptions } from '../translate';

/** Options of {@link AnalyticsSpanProcessor}. */
export interface AnalyticsSpanProcessorOptions extends TranslatorOptions {
  /** Where the analytics messages go. Required. */
  sink: Sink;
  /**
   * Ended spans waiting for translation. When full, further spans are dropped and counted
   * (`spansDropped`): the agent is never blocked. Default 65,536.
   */
  maxQueueSize?: number;
  /**
   * Messages handed to the sink in one `send`. Default 2,000 (the sink batches further by size).
   */
  maxExportBatchSize?: number;
  /** Messages translated but not yet accepted by the sink; past it they are dropped. Default 100,000. */
  maxPendingMessages?: number;
  /** `send` calls in flight at once. Default 4. */
  maxConcurrentSends?: number;
  /** How often queued spans are translated and sent when the queue is not full. Default 200 ms. */
  scheduledDelayMillis?: number;
  /**
   * Called after each `send` whose messages were not all delivered (or that rejected), with the
   * number of failed messages and the first error. Failures otherwise reach only `diag`, which
   * has no logger unless the application installs one. Must not throw (exceptions are swallowed).
   */
  onDeliveryFailure?: (failed: number, firstError: Error) => void;
  /** Deadline of `forceFlush` and `shutdown`. Default 30,000 ms. */
  exportTimeoutMillis?: number;
  /**
   * Holding a trace's spans until its local root ends, so ids set on some spans reach every
   * event of the trace. `false` turns it off (each span is translated on its own).
   * Defaults: hold at most 30,000 ms and 50,000 spans; remember 10,000 released traces.
   */
  traceHold?: false | TraceHoldOptions;
  /**
   * Exactly once within a window, in process: a messageId in flight is not handed to the sink
   * again (a retry after a timeout waits for the delivery under way), and one delivered within
   * the window is not sent again. `false` turns it off.
   * Defaults: 100,000 ids (at least the 50,000 most recent), each for 600,000 ms (10 minutes).
   */
  dedupeWindow?: false | DedupeWindowOptions;
  /**
   * Where the dashboards' figures are recorded as OpenTelemetry metrics (`spantrack.ai.requests`,
   * `spantrack.ai.latency`, ...: see `MetricsSink`), counted per message handed to the sink.
   * `false`: not recorded. Default: the global MeterProvider registered before this was built (the
   * API's no-op one when none is, which records nothing).
   */
  meterProvider?: MeterProvider | false;
}

/** Bounds of the trace holding (see `traceHold`). */
export interface TraceHoldOptions {
  /** A trace whose local root has not arrived after this long is translated as it is. Default 30,000 ms. */
  maxHoldMillis?: number;
  /** Held spans across all traces; past it the oldest trace is translated as it is. Default 50,000. */
  maxHeldSpans?: number;
  /** Released traces whose context is kept for their late spans. Default 10,000. */
  maxRememberedTraces?: number;
}

/** Counters of {@link AnalyticsSpanProcessor.stats}. All are totals since construction. */
export interface AnalyticsSpanProcessorStats {
  /** Spans handed to `onEnd`. */
  spansSeen: number;
  /** Spans dropped because the queue was full or the processor was shut down. */
  spansDropped: number;
  /** Spans translated. */
  spansTranslated: number;
  /** Translated spans that matched no source and yielded nothing (not an error). */
  spansUnrecognised: number;
  /** Spans that could not be read or translated at all. */
  spansFailed: number;
  /** Messages produced by the catalogs. */
  messagesEmitted: number;
  /** Messages the sink accepted. */
  messagesDelivered: number;
  /** Messages the sink rejected or gave up on. */
  messagesFailed: number;
  /** Messages not sent again: their messageId was in flight, or delivered within `dedupeWindow`. */
  messagesDeduplicated: number;
  /** Messages dropped because too many were pending. */
  messagesDropped: number;
  /** Diagnostics of the translation, by code. */
  diagnostics: Record<string, number>;
  /** Spans waiting in the queue now. */
  queueDepth: number;
  /** Spans held for their trace's root now. */
  heldSpans: number;
  /** Messages waiting for the sink now (queued or in flight). */
  pendingMessages: number;
}
