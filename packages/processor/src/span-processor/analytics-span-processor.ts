import { diag } from '@opentelemetry/api';
import type { Deadline } from '../deadline';
import type { AnalyticsMessage } from '../message';
import type { ReadableSpanLike } from '../sdk-span';
import type { Sink } from '../sinks/sink';
import { BoundedSinkLifecycle } from './bounded-sink-shutdown';
import { analyticsSink, deliveryFailureCallback, positive } from './options';
import { SpanTranslationStage } from './span-translation-stage';
import type { AnalyticsSpanProcessorOptions, AnalyticsSpanProcessorStats } from './types';

/** Spans translated per turn of the event loop, so a large backlog never blocks the agent for long. */
const SPANS_PER_TICK = 2_048;

/**
 * An OpenTelemetry `SpanProcessor` that turns ended spans into analytics messages and delivers
 * them to a sink. `onEnd` only enqueues; translation and delivery run in batches off the agent's
 * path. Add it to the tracer provider beside the exporter's `BatchSpanProcessor`. Where a
 * `SpanExporter` is expected instead (`NodeSDK`'s `traceExporter`), use `AnalyticsSpanExporter`.
 *
 * Typed structurally: it is a `SpanProcessor` of the 2.x (`sdk-trace-base`) and 3.x (`sdk-trace`)
 * SDK lines alike, and its declarations name neither.
 */
export class AnalyticsSpanProcessor {
  private readonly sink: Sink;
  private readonly stage: SpanTranslationStage;
  private readonly maxQueueSize: number;
  private readonly maxExportBatchSize: number;
  private readonly maxPendingMessages: number;
  private readonly maxConcurrentSends: number;
  private readonly exportTimeoutMillis: number;
  private readonly onDeliveryFailure: ((failed: number, firstError: Error) => void) | undefined;
  /** Flush and shutdown, bounded by `exportTimeoutMillis`. */
  private readonly lifecycle: BoundedSinkLifecycle;

  private queue: ReadableSpanLike[] = [];
  private outbox: AnalyticsMessage[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private inFlightMessages = 0;
  private drainScheduled = false;
  private readonly scheduledDelayMillis: number;
  /** Runs only while work waits (spans queued or held, messages in the outbox): never while idle. */
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly counters = {
    spansSeen: 0,
    spansDropped: 0,
    messagesDelivered: 0,
    messagesFailed: 0,
    messagesDropped: 0,
  };

  constructor(options: AnalyticsSpanProcessorOptions) {
    this.sink = analyticsSink(options);
    this.onDeliveryFailure = deliveryFailureCallback(options.onDeliveryFailure);
    this.stage = new SpanTranslationStage(options, 'AnalyticsSpanProcessor');
    this.maxQueueSize = positive(options.maxQueueSize, 'maxQueueSize') ?? 65_536;
    this.maxExportBatchSize = positive(options.maxExportBatchSize, 'maxExportBatchSize') ?? 2_000;
    this.maxPendingMessages = positive(options.maxPendingMessages, 'maxPendingMessages') ?? 100_000;
    this.maxConcurrentSends = positive(options.maxConcurrentSends, 'maxConcurrentSends') ?? 4;
    this.exportTimeoutMillis = positive(options.exportTimeoutMillis, 'exportTimeoutMillis') ?? 30_000;
    this.scheduledDelayMillis = positive(options.scheduledDelayMillis, 'scheduledDelayMillis') ?? 200;
    this.lifecycle = new BoundedSinkLifecycle('AnalyticsSpanProcessor', this.sink, this.exportTimeoutMillis, {
      flushAll: (deadline) => this.flushAll(deadline),
      stop: () => this.stopTimer(),
    });
  }

  onStart(_span: unknown, _parentContext: unknown): void {}

  onEnd(span: ReadableSpanLike): void {
    this.counters.spansSeen++;
    if (this.lifecycle.shutDown || this.queue.length >= this.maxQueueSize) {
      this.counters.spansDropped++;
      this.warnOnce(
        'queue-full',
        'AnalyticsSpanProcessor: span queue full or shut down; spans are being dropped',
      );
      return;
    }
    this.queue.push(span);
    this.schedule();
    if (this.queue.length >= this.maxExportBatchSize && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => this.drainStep());
    }
  }

  /** Translates and delivers everything queued or held, then flushes the sink, within `exportTimeoutMillis`. */
  forceFlush(): Promise<void> {
    return this.lifecycle.flush();
  }

  /**
   * Flushes, then shuts the sink down, both within one `exportTimeoutMillis`: the sink gets what is
   * left of it (at the deadline, it fails what is still pending). Spans ended afterwards are
   * dropped. Idempotent.
   */
  shutdown(): Promise<void> {
    return this.lifecycle.shutdown();
  }

  /** A snapshot of the counters, with the queue, held spans and pending messages as they are now. */
  stats(): AnalyticsSpanProcessorStats {
    return {
      ...this.counters,
      ...this.stage.snapshot(this.sink),
      queueDepth: this.queue.length,
      heldSpans: this.stage.heldSpans,
      pendingMessages: this.outbox.length + this.inFlightMessages,
    };
  }

  private schedule(): void {
    if (this.timer !== undefined || this.lifecycle.shutDown) return;
    this.timer = setTimeout(() => this.tick(), this.scheduledDelayMillis);
    this.timer.unref?.();
  }

  private tick(): void {
    this.timer = undefined;
    const ready: AnalyticsMessage[] = [];
    this.stage.expire(Date.now(), ready);
    this.admit(ready);
    if (this.queue.length > 0) this.drainStep();
    else this.pump(true);
    if (this.queue.length > 0 || this.stage.heldSpans > 0 || this.outbox.length > 0) this.schedule();
  }

  private drainStep(): void {
    this.drainScheduled = false;
    this.processQueued(SPANS_PER_TICK);
    this.pump(this.queue.length === 0);
    if (this.queue.length > 0 && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => this.drainStep());
    }
  }

  /** Reads, holds and translates up to `limit` queued spans. */
  private processQueued(limit: number): void {
    const take = this.queue.length <= limit ? this.queue : this.queue.slice(0, limit);
    this.queue = take === this.queue ? [] : this.queue.slice(limit);
    const ready: AnalyticsMessage[] = [];
    this.stage.take(take, Date.now(), ready);
    this.admit(ready);
  }

  /** Moves messages to the outbox, dropping (and counting) what does not fit under `maxPendingMessages`. */
  private admit(messages: readonly AnalyticsMessage[]): void {
    if (messages.length === 0) return;
    const room = this.maxPendingMessages - this.outbox.length - this.inFlightMessages;
    const kept = Math.min(messages.length, Math.max(0, room));
    for (let i = 0; i < kept; i++) this.outbox.push(messages[i]!);
    if (kept < messages.length) {
      this.counters.messagesDropped += messages.length - kept;
      this.warnOnce(
        'outbox-full',
        'AnalyticsSpanProcessor: the sink is not keeping up; messages are being dropped',
      );
    }
  }

  /** Hands full batches (and, when `all`, the partial last one) to the sink, within the concurrency limit. */
  private pump(all: boolean): void {
    while (
      this.inFlight.size < this.maxConcurrentSends &&
      (this.outbox.length >= this.maxExportBatchSize || (all && this.outbox.length > 0))
    ) {
      const batch =
        this.outbox.length <= this.maxExportBatchSize
          ? this.outbox
          : this.outbox.slice(0, this.maxExportBatchSize);
      this.outbox = batch === this.outbox ? [] : this.outbox.slice(this.maxExportBatchSize);
      this.inFlightMessages += batch.length;
      const sending: Promise<void> = this.sink
        .send(batch)
        .then(
          (result) => {
            this.counters.messagesDelivered += result.delivered;
            this.counters.messagesFailed += result.failed;
            if (result.failed > 0) {
              const first = result.errors[0]?.error ?? new Error('unknown error');
              diag.warn(
                `AnalyticsSpanProcessor: ${result.failed} message(s) not delivered: ${first.message}`,
              );
              this.reportFailure(result.failed, first);
            }
          },
          (error: unknown) => {
            // Sinks are built never to reject; count the whole batch as failed if one does.
            this.counters.messagesFailed += batch.length;
            diag.warn('AnalyticsSpanProcessor: sink.send rejected', error);
            this.reportFailure(batch.length, error instanceof Error ? error : new Error(String(error)));
          },
        )
        .finally(() => {
          this.inFlightMessages -= batch.length;
          this.inFlight.delete(sending);
          this.pump(this.queue.length === 0);
        });
      this.inFlight.add(sending);
    }
  }

  /** Shutdown begins: nothing is scheduled any more. */
  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async flushAll(deadline: Deadline): Promise<void> {
    while (this.queue.length > 0) this.processQueued(Number.POSITIVE_INFINITY);
    const ready: AnalyticsMessage[] = [];
    this.stage.releaseAll(ready);
    this.admit(ready);
    this.pump(true);
    while ((this.inFlight.size > 0 || this.outbox.length > 0) && !deadline.passed) {
      // Sinks may hold what `send` was given until their own batch fills: ask them to send it now.
      const flushing = this.sink.flush(deadline.remaining());
      await Promise.race(this.inFlight);
      await flushing;
      this.pump(true);
    }
    if (!deadline.passed) await this.sink.flush(deadline.remaining());
  }

  private reportFailure(failed: number, firstError: Error): void {
    if (this.onDeliveryFailure === undefined) return;
    try {
      this.onDeliveryFailure(failed, firstError);
    } catch (error) {
      diag.warn('AnalyticsSpanProcessor: onDeliveryFailure threw', error);
    }
  }

  private warnOnce(key: string, message: string): void {
    this.stage.warnOnce(key, message);
  }
}
