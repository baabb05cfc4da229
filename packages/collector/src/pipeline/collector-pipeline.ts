import {
  type DeliveryResult,
  InvalidMessageError,
  MessageTooLargeError,
  type Sink,
} from '@spantrack/processor';
import { type AnalyticsMessage, DiagnosticCode, type Translator } from '@spantrack/processor/translate';
import type { DecodedTraces } from '../otlp/decoded-traces';
import type { PartialSuccess } from '../otlp/otlp-response';
import { TimeSlice } from '../slicing/time-slice';
import type { CollectorMetrics } from '../telemetry/collector-metrics';
import { sendInParts } from './send-in-parts';
import { translateByTraces } from './sliced-translation';

/**
 * `delivered` (default): a request is answered 200 once the sink accepted its messages, so the
 * sender's retries carry events through sink outages and collector restarts. `received`: answered
 * once translated and handed to the sink; lower latency, but events in flight are lost if the
 * sink then fails or the process dies.
 */
export type AckMode = 'delivered' | 'received';

/** What to answer; the receivers map it to HTTP statuses and gRPC codes. */
export type ExportOutcome =
  | { kind: 'ok'; partial?: PartialSuccess }
  /** 429 / UNAVAILABLE + RetryInfo: the queue is full or the collector is shutting down. */
  | { kind: 'throttled'; retryAfterMs: number; message: string }
  /** 503 / UNAVAILABLE + RetryInfo: the sink failed (retryably) or did not answer in time. */
  | { kind: 'unavailable'; retryAfterMs: number; message: string };

export interface CollectorPipelineOptions {
  translator: Translator;
  sink: Sink;
  metrics: CollectorMetrics;
  ack: AckMode;
  maxQueuedMessages: number;
  deliveryTimeoutMs: number;
  throttleRetryAfterMs: number;
  unavailableRetryAfterMs: number;
  /** Called with each retryable sink failure (first error of a batch), for logs. */
  onSinkError?: (error: Error) => void;
}

/** Diagnostics that mean a recognised span lost an event it should have produced. */
const DROPPING = new Set<string>([
  DiagnosticCode.INVALID_SPAN,
  DiagnosticCode.MISSING_REQUIRED,
  DiagnosticCode.EVENT_TOO_LARGE,
  DiagnosticCode.CATALOG_ERROR,
  DiagnosticCode.SOURCE_ERROR,
  DiagnosticCode.UNKNOWN_KIND,
  DiagnosticCode.UNKNOWN_EVENT,
]);

/** Failures a retry cannot fix: the message itself is unsendable. */
function isPermanent(error: Error): boolean {
  return error instanceof InvalidMessageError || error instanceof MessageTooLargeError;
}

const TIMED_OUT = Symbol('timed out');

/** `partial_success.error_message` is cut to this many UTF-8 bytes: it quotes a diagnostic, and the gRPC answer is capped at 1 MiB. */
export const MAX_ERROR_MESSAGE_BYTES = 1024;

/** `text` cut to at most `maxBytes` of UTF-8, at a character boundary, with `…` when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Every UTF-16 code unit is at most 3 UTF-8 bytes.
  if (text.length * 3 <= maxBytes) return text;
  let prefix = text.length > maxBytes ? text.slice(0, maxBytes) : text;
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) prefix = prefix.slice(0, -1);
  const bytes = Buffer.from(prefix, 'utf8');
  if (prefix === text && bytes.length <= maxBytes) return text;
  let end = maxBytes - 3; // room for the ellipsis
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return `${bytes.toString('utf8', 0, end)}…`;
}

/**
 * The collector's pipeline, shared by the HTTP and gRPC receivers: decoded spans → trace context
 * within the request → translate → sink, with a bounded queue of undelivered messages and the
 * acknowledgement policy.
 */
export class CollectorPipeline {
  private queued = 0;
  private active = 0;
  private draining = false;
  private sinkHealthy = true;
  private probing = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: CollectorPipelineOptions) {}

  get queueDepth(): number {
    return this.queued;
  }

  get healthy(): boolean {
    return this.sinkHealthy;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * A cheap check before the body is read: full queue, shutdown, or a failing sink already being
   * probed by another request. Undefined when the request may proceed. With `shutdownOnly`, only
   * the shutdown refuses: when traces are forwarded, the body is read even while the analytics side
   * would refuse it, so that the trace backend still gets it.
   */
  admit(shutdownOnly = false): ExportOutcome | undefined {
    if (this.draining) {
      return {
        kind: 'unavailable',
        retryAfterMs: this.options.unavailableRetryAfterMs,
        message: 'shutting down',
      };
    }
    if (shutdownOnly) return undefined;
    if (this.queued >= this.options.maxQueuedMessages) return this.throttled();
    if (!this.sinkHealthy && this.probing) return this.sinkUnavailable();
    return undefined;
  }

  /** Translates and delivers one request's spans; never rejects. */
  async export(decoded: DecodedTraces): Promise<ExportOutcome> {
    this.active++;
    try {
      return await this.run(decoded);
    } catch (error) {
      // Should not happen (translate and sinks never throw); the sender retries.
      this.options.onSinkError?.(error instanceof Error ? error : new Error(String(error)));
      return this.sinkUnavailable();
    } finally {
      if (--this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async run(decoded: DecodedTraces): Promise<ExportOutcome> {
    const { translator, metrics } = this.options;
    const early = this.admit();
    if (early !== undefined) return early;
    metrics.addSpansReceived(decoded.spans.length + decoded.invalidSpans);

    const spans = decoded.spans;
    const messages: AnalyticsMessage[] = [];
    /** Per message, the index of its span (to count a span rejected when its message is). */
    const spanOf: number[] = [];
    let rejected = decoded.invalidSpans;
    let firstReason = decoded.invalidReason;
    // A few whole traces at a time, yielding in between: a large request does not hold up the others.
    const results = await translateByTraces(translator, spans);
    const slice = new TimeSlice();
    // Counted per request and code: a metric update per diagnostic was 1 % of the thread's time.
    const diagnosed = new Map<string, number>();
    for (let i = 0; i < spans.length; i++) {
      if ((i & 255) === 255 && slice.spent) await slice.yield();
      const result = results[i]!;
      const produced = result.messages;
      for (let m = 0; m < produced.length; m++) {
        messages.push(produced[m]!);
        spanOf.push(i);
      }
      const diagnostics = result.diagnostics;
      let dropping: string | undefined;
      for (let d = 0; d < diagnostics.length; d++) {
        const diagnostic = diagnostics[d]!;
        diagnosed.set(diagnostic.code, (diagnosed.get(diagnostic.code) ?? 0) + 1);
        if (dropping === undefined && DROPPING.has(diagnostic.code)) dropping = diagnostic.message;
      }
      if (dropping !== undefined && produced.length === 0) {
        rejected++;
        firstReason ??= dropping;
      }
    }
    for (const [code, count] of diagnosed) metrics.recordDiagnostic(code, count);
    metrics.addMessagesTranslated(messages.length);

    if (messages.length === 0) return this.ok(rejected, firstReason, spans.length + decoded.invalidSpans);

    // A request bigger than the whole queue still goes through when the queue is empty.
    if (this.queued > 0 && this.queued + messages.length > this.options.maxQueuedMessages) {
      return this.throttled();
    }
    const probe = !this.sinkHealthy;
    if (probe) {
      if (this.probing) return this.sinkUnavailable();
      this.probing = true;
    }
    const count = messages.length;
    this.queued += count;
    const delivery = sendInParts(this.options.sink, messages).then(
      (result) => this.settle(count, result, probe),
      (error: unknown) =>
        this.settle(
          count,
          {
            delivered: 0,
            failed: count,
            errors: messages.map((m) => ({
              messageId: m.messageId,
              error: error instanceof Error ? error : new Error(String(error)),
            })),
          },
          probe,
        ),
    );

    if (this.options.ack === 'received')
      return this.ok(rejected, firstReason, spans.length + decoded.invalidSpans);

    let timer: ReturnType<typeof setTimeout> | undefined;
    const result = await Promise.race([
      delivery,
      new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), this.options.deliveryTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (result === TIMED_OUT) {
      // The messages stay with the sink and may still arrive; the retry carries the same ids.
      return {
        kind: 'unavailable',
        retryAfterMs: this.options.unavailableRetryAfterMs,
        message: `sink did not confirm delivery within ${this.options.deliveryTimeoutMs} ms`,
      };
    }
    if (result.failed === 0) return this.ok(rejected, firstReason, spans.length + decoded.invalidSpans);

    const retryable = result.errors.find((e) => !isPermanent(e.error));
    if (retryable !== undefined) {
      return {
        kind: 'unavailable',
        retryAfterMs: this.options.unavailableRetryAfterMs,
        message: `sink failed: ${retryable.error.message}`,
      };
    }
    // Only unsendable messages failed: their spans are rejected, the rest is delivered.
    const index = new Map<string, number>();
    for (let m = 0; m < messages.length; m++) index.set(messages[m]!.messageId, spanOf[m]!);
    const rejectedSpans = new Set<number>();
    for (const e of result.errors) {
      const span = index.get(e.messageId);
      if (span !== undefined) rejectedSpans.add(span);
    }
    return this.ok(
      rejected + rejectedSpans.size,
      firstReason ?? result.errors[0]?.error.message,
      spans.length + decoded.invalidSpans,
    );
  }

  private settle(count: number, result: DeliveryResult, probe: boolean): DeliveryResult {
    const { metrics } = this.options;
    this.queued -= count;
    metrics.addDelivery(result.delivered, result.failed);
    const retryable = result.errors.find((e) => !isPermanent(e.error));
    if (retryable !== undefined) {
      if (this.sinkHealthy) this.options.onSinkError?.(retryable.error);
      this.sinkHealthy = false;
    } else if (result.delivered > 0) {
      this.sinkHealthy = true;
    }
    if (probe) this.probing = false;
    return result;
  }

  private ok(rejected: number, reason: string | undefined, total: number): ExportOutcome {
    if (rejected === 0) return { kind: 'ok' };
    this.options.metrics.addSpansRejected(rejected);
    return {
      kind: 'ok',
      partial: {
        rejectedSpans: rejected,
        errorMessage: truncateUtf8(
          `${rejected} of ${total} spans could not be translated or delivered${reason ? `; first: ${reason}` : ''}`,
          MAX_ERROR_MESSAGE_BYTES,
        ),
      },
    };
  }

  private throttled(): ExportOutcome {
    return {
      kind: 'throttled',
      retryAfterMs: this.options.throttleRetryAfterMs,
      message: `queue full (${this.queued} of ${this.options.maxQueuedMessages} messages awaiting delivery)`,
    };
  }

  private sinkUnavailable(): ExportOutcome {
    return {
      kind: 'unavailable',
      retryAfterMs: this.options.unavailableRetryAfterMs,
      message: 'sink is failing; retry later',
    };
  }

  /** Refuses new requests from now on (503), for shutdown. */
  startDraining(): void {
    this.draining = true;
  }

  /** Resolves once no request is being exported, or after `timeoutMs`. */
  waitIdle(timeoutMs: number): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
