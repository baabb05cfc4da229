import { diag } from '@opentelemetry/api';
import type { Deadline } from '../deadline';
import type { AnalyticsMessage } from '../message';
import type { ExportResultLike, ReadableSpanLike } from '../sdk-span';
import type { DeliveryResult, Sink } from '../sinks/sink';
import { SinkClosedError } from '../sinks/sink-errors';
import { BoundedSinkLifecycle } from '../span-processor/bounded-sink-shutdown';
import { analyticsSink, deliveryFailureCallback, positive } from '../span-processor/options';
import { SpanTranslationStage } from '../span-processor/span-translation-stage';
import type { AnalyticsSpanExporterOptions, AnalyticsSpanExporterStats } from './types';

/** `ExportResultCode` of `@opentelemetry/core`, restated (see `ExportResultLike`). */
const ExportResultCode = { SUCCESS: 0, FAILED: 1 } as const;

/** How often traces held past `traceHold.maxHoldMillis` are looked for between exports. */
const EXPIRE_INTERVAL_MILLIS = 1_000;

/**
 * An OpenTelemetry `SpanExporter` that turns spans into analytics messages and delivers them to a
 * sink: the same pipeline, sinks and trace holding as the `AnalyticsSpanProcessor`, for wherever
 * exporters go (`NodeSDK`'s `traceExporter`, a `BatchSpanProcessor` next to the OTLP exporter).
 *
 * `export` reports SUCCESS once the sink has delivered every event the batch completed (Segment
 * answered 2xx, the line was written), FAILED with the error when one was not delivered, did not
 * settle within `exportTimeoutMillis`, or the exporter is shut down. It never throws.
 *
 * "Local root ended" in export batches: a span with no parent, or a remote one, completes its
 * trace's hold whichever batch it arrives in. A batch processor exports spans in the order they
 * ended, so a root's local children arrive in its batch or an earlier one; children of an earlier
 * batch are held (bounded by `traceHold`) and delivered with the root's batch, whose result then
 * covers them. Their own batch reports SUCCESS without waiting: waiting would stall a batch
 * processor, which exports one batch at a time, until the hold expired.
 *
 * Typed structurally: it is a `SpanExporter` of the 2.x and 3.x SDK lines alike.
 */
export class AnalyticsSpanExporter {
  private readonly sink: Sink;
  private readonly stage: SpanTranslationStage;
  private readonly exportTimeoutMillis: number;
  private readonly onDeliveryFailure: ((failed: number, firstError: Error) => void) | undefined;
  /** Flush and shutdown, bounded by `exportTimeoutMillis`. */
  private readonly lifecycle: BoundedSinkLifecycle;
  private readonly inFlight = new Set<Promise<DeliveryResult>>();
  /** Looks for expired held traces; runs only while spans are held. */
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly counters = {
    exportsSucceeded: 0,
    exportsFailed: 0,
    spansReceived: 0,
    messagesDelivered: 0,
    messagesFailed: 0,
  };
  private pendingMessages = 0;

  constructor(options: AnalyticsSpanExporterOptions) {
    this.sink = analyticsSink(options);
    this.onDeliveryFailure = deliveryFailureCallback(options.onDeliveryFailure);
    this.stage = new SpanTranslationStage(options, 'AnalyticsSpanExporter');
    this.exportTimeoutMillis = positive(options.exportTimeoutMillis, 'exportTimeoutMillis') ?? 30_000;
    this.lifecycle = new BoundedSinkLifecycle('AnalyticsSpanExporter', this.sink, this.exportTimeoutMillis, {
      flushAll: (deadline) => this.flushAll(deadline),
      stop: () => this.stopTimer(),
    });
  }

  export(spans: ReadableSpanLike[], resultCallback: (result: ExportResultLike) => void): void {
    let reported = false;
    const report = (error?: Error): void => {
      if (reported) return;
      reported = true;
      if (error === undefined) this.counters.exportsSucceeded++;
      else this.counters.exportsFailed++;
      try {
        resultCallback(
          error === undefined ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error },
        );
      } catch (callbackError) {
        diag.warn('AnalyticsSpanExporter: the export result callback threw', callbackError);
      }
    };
    try {
      if (this.lifecycle.shutDown) {
        report(new SinkClosedError('AnalyticsSpanExporter is shut down'));
        return;
      }
      const batch = Array.isArray(spans) ? spans : [];
      this.counters.spansReceived += batch.length;
      const messages: AnalyticsMessage[] = [];
      const now = Date.now();
      this.stage.expire(now, messages);
      this.stage.take(batch, now, messages);
      this.scheduleExpiry();
      if (messages.length === 0) {
        report();
        return;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<Error>((resolve) => {
        timer = setTimeout(
          () =>
            resolve(
              new Error(
                `AnalyticsSpanExporter: ${messages.length} event(s) not delivered within ${this.exportTimeoutMillis} ms; delivery goes on in the background`,
              ),
            ),
          this.exportTimeoutMillis,
        );
        timer.unref?.();
      });
      const delivered = this.deliver(messages).then(
        (result) => (result.failed === 0 ? undefined : failureOf(result)),
        (error: unknown) => toError(error),
      );
      void Promise.race([delivered, timeout]).then((error) => {
        clearTimeout(timer);
        report(error);
      });
    } catch (error) {
      // Nothing above is meant to throw; a bug must still not reach the span processor.
      report(toError(error));
    }
  }

  /** Translates and delivers every held trace, and waits for everything in flight (within `exportTimeoutMillis`). */
  forceFlush(): Promise<void> {
    return this.lifecycle.flush();
  }

  /**
   * Flushes, then shuts the sink down, both within one `exportTimeoutMillis` (the sink gets what
   * is left of it). Later exports report FAILED. Idempotent.
   */
  shutdown(): Promise<void> {
    return this.lifecycle.shutdown();
  }

  /** Its counters now; `pendingMessages` is what the sink has not settled yet. */
  stats(): AnalyticsSpanExporterStats {
    return {
      ...this.counters,
      ...this.stage.snapshot(this.sink),
      heldSpans: this.stage.heldSpans,
      pendingMessages: this.pendingMessages,
    };
  }

  /** Hands messages to the sink and asks it to send them now; resolves with what became of them. */
  private deliver(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    this.pendingMessages += messages.length;
    const sending = this.sink
      .send(messages)
      .catch(
        (error: unknown): DeliveryResult => ({
          // Sinks are built never to reject; count the whole batch as failed if one does.
          delivered: 0,
          failed: messages.length,
          errors: [{ messageId: messages[0]?.messageId ?? '', error: toError(error) }],
        }),
      )
      .then((result) => {
        this.pendingMessages -= messages.length;
        this.counters.messagesDelivered += result.delivered;
        this.counters.messagesFailed += result.failed;
        if (result.failed > 0) this.reportFailure(result);
        return result;
      })
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
    // Sinks may hold what `send` was given until their own batch fills: an export means "now".
    this.sink.flush(this.exportTimeoutMillis).catch((error: unknown) => {
      diag.warn('AnalyticsSpanExporter: sink flush failed', error);
    });
    return sending;
  }

  private scheduleExpiry(): void {
    if (this.timer !== undefined || this.lifecycle.shutDown || this.stage.heldSpans === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.expireHeld();
      this.scheduleExpiry();
    }, EXPIRE_INTERVAL_MILLIS);
    this.timer.unref?.();
  }

  private expireHeld(): void {
    const messages: AnalyticsMessage[] = [];
    this.stage.expire(Date.now(), messages);
    if (messages.length > 0) void this.deliver(messages);
  }

  /** Shutdown begins: nothing is scheduled any more. */
  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async flushAll(deadline: Deadline): Promise<void> {
    const messages: AnalyticsMessage[] = [];
    this.stage.releaseAll(messages);
    if (messages.length > 0) void this.deliver(messages);
    await this.sink.flush(deadline.remaining());
    while (this.inFlight.size > 0 && !deadline.passed) await Promise.all(this.inFlight);
  }

  private reportFailure(result: DeliveryResult): void {
    const first = result.errors[0]?.error ?? new Error('unknown error');
    diag.warn(`AnalyticsSpanExporter: ${result.failed} message(s) not delivered: ${first.message}`);
    if (this.onDeliveryFailure === undefined) return;
    try {
      this.onDeliveryFailure(result.failed, first);
    } catch (error) {
      diag.warn('AnalyticsSpanExporter: onDeliveryFailure threw', error);
    }
  }
}

/** The error an export reports when some of its events were not delivered. */
function failureOf(result: DeliveryResult): Error {
  const first = result.errors[0]?.error;
  return new Error(
    `${result.failed} of ${result.failed + result.delivered} analytics event(s) not delivered${first ? `: ${first.message}` : ''}`,
    { cause: first },
  );
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
