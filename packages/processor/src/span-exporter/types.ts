import type { MeterProvider } from '@opentelemetry/api';
import type { DedupeWindowOptions } from '../sinks/delivered-id-window';
import type { Sink } from '../sinks/sink';
import type { TraceHoldOptions } from '../span-processor/types';
import type { TranslatorOptions } from '../translate';

/** Options of {@link AnalyticsSpanExporter}. */
export interface AnalyticsSpanExporterOptions extends TranslatorOptions {
  /** Where the analytics messages go. Required. */
  sink: Sink;
  /**
   * How long one `export` waits for its events to be delivered before it reports FAILED (the
   * delivery goes on and is counted in `stats()`), and the deadline of `forceFlush` and
   * `shutdown`. Keep it at or under the span processor's own export timeout (the
   * `BatchSpanProcessor`'s is 30,000 ms). Default 30,000 ms.
   */
  exportTimeoutMillis?: number;
  /**
   * Holding a trace's spans until its local root arrives, so ids set on some spans reach every
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
  /**
   * Called after each delivery whose messages were not all delivered, with the number of failed
   * messages and the first error (the export's `resultCallback` reports FAILED as well). Must not
   * throw (exceptions are swallowed).
   */
  onDeliveryFailure?: (failed: number, firstError: Error) => void;
}

/** Counters of {@link AnalyticsSpanExporter.stats}. All are totals since construction. */
export interface AnalyticsSpanExporterStats {
  /** `export` calls reported SUCCESS. */
  exportsSucceeded: number;
  /** `export` calls reported FAILED (delivery failed or timed out, or after shutdown). */
  exportsFailed: number;
  /** Spans handed to `export`. */
  spansReceived: number;
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
  /** Diagnostics of the translation, by code. */
  diagnostics: Record<string, number>;
  /** Spans held for their trace's local root now. */
  heldSpans: number;
  /** Messages handed to the sink and not yet settled. */
  pendingMessages: number;
}
