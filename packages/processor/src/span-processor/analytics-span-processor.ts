import { type Context, diag } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpantrackConfigError } from '../config-error';
import { DiagnosticCode } from '../diagnostics';
import { fromReadableSpan } from '../from-readable-span';
import type { AnalyticsMessage } from '../message';
import type { Sink } from '../sinks/sink';
import type { SpanLike } from '../span-like';
import { createTranslator, type Translator } from '../translate';
import { TraceContextBuffer } from './trace-context-buffer';
import type { AnalyticsSpanProcessorOptions, AnalyticsSpanProcessorStats } from './types';

/** Spans translated per turn of the event loop, so a large backlog never blocks the agent for long. */
const SPANS_PER_TICK = 2_048;

/**
 * An OpenTelemetry `SpanProcessor` that turns ended spans into analytics messages and delivers
 * them to a sink. `onEnd` only enqueues; translation and delivery run in batches off the agent's
 * path. Add it to the tracer provider beside the exporter's `BatchSpanProcessor`.
 */
export class AnalyticsSpanProcessor implements SpanProcessor {
  private readonly sink: Sink;
  private readonly translate: Translator;
  private readonly buffer: TraceContextBuffer | undefined;
  private readonly maxQueueSize: number;
  private readonly maxExportBatchSize: number;
  private readonly maxPendingMessages: number;
  private readonly maxConcurrentSends: number;
  private readonly exportTimeoutMillis: number;
  private readonly onDeliveryFailure: ((failed: number, firstError: Error) => void) | undefined;

  private queue: ReadableSpan[] = [];
  private outbox: AnalyticsMessage[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private inFlightMessages = 0;
  private drainScheduled = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private shutdownPromise: Promise<void> | undefined;
  private readonly warned = new Set<string>();
  private readonly counters: Omit<
    AnalyticsSpanProcessorStats,
    'queueDepth' | 'heldSpans' | 'pendingMessages' | 'diagnostics'
  > = {
    spansSeen: 0,
    spansDropped: 0,
    spansTranslated: 0,
    spansUnrecognised: 0,
    spansFailed: 0,
    messagesEmitted: 0,
    messagesDelivered: 0,
    messagesFailed: 0,
    messagesDropped: 0,
  };
  private readonly diagnostics: Record<string, number> = {};

  constructor(options: AnalyticsSpanProcessorOptions) {
    if (options === null || typeof options !== 'object' || !isSink(options.sink)) {
      throw new SpantrackConfigError(
        'sink',
        'is required and must have send(), flush() and shutdown() (e.g. new SegmentSink({ writeKey }) or new MemorySink())',
      );
    }
    this.sink = options.sink;
    if (options.onDeliveryFailure !== undefined && typeof options.onDeliveryFailure !== 'function') {
      throw new SpantrackConfigError('onDeliveryFailure', 'must be a function (failed, firstError) => void');
    }
    this.onDeliveryFailure = options.onDeliveryFailure;
    this.translate = createTranslator({
      catalogs: options.catalogs,
      privacy: options.privacy,
      sources: options.sources,
      prices: options.prices,
    });
    this.maxQueueSize = positive(options.maxQueueSize, 'maxQueueSize') ?? 65_536;
    this.maxExportBatchSize = positive(options.maxExportBatchSize, 'maxExportBatchSize') ?? 2_000;
    this.maxPendingMessages = positive(options.maxPendingMessages, 'maxPendingMessages') ?? 100_000;
    this.maxConcurrentSends = positive(options.maxConcurrentSends, 'maxConcurrentSends') ?? 4;
    this.exportTimeoutMillis = positive(options.exportTimeoutMillis, 'exportTimeoutMillis') ?? 30_000;
    const delay = positive(options.scheduledDelayMillis, 'scheduledDelayMillis') ?? 200;
    const hold = options.traceHold;
    this.buffer =
      hold === false
        ? undefined
        : new TraceContextBuffer({
            maxHoldMillis: positive(hold?.maxHoldMillis, 'traceHold.maxHoldMillis') ?? 30_000,
            maxHeldSpans: positive(hold?.maxHeldSpans, 'traceHold.maxHeldSpans') ?? 50_000,
            maxRememberedTraces:
              positive(hold?.maxRememberedTraces, 'traceHold.maxRememberedTraces') ?? 10_000,
          });
    this.timer = setInterval(() => this.tick(), delay);
    this.timer.unref?.();
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    this.counters.spansSeen++;
    if (this.shutdownPromise !== undefined || this.queue.length >= this.maxQueueSize) {
      this.counters.spansDropped++;
      this.warnOnce(
        'queue-full',
        'AnalyticsSpanProcessor: span queue full or shut down; spans are being dropped',
      );
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.maxExportBatchSize && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => this.drainStep());
    }
  }

  /** Translates and delivers everything queued or held, then flushes the sink. */
  forceFlush(): Promise<void> {
    return this.withDeadline(this.flushAll(), 'forceFlush');
  }

  /** Flushes, then shuts the sink down. Spans ended afterwards are dropped. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      clearInterval(this.timer);
      await this.withDeadline(this.flushAll(), 'shutdown');
      try {
        await this.sink.shutdown(this.exportTimeoutMillis);
      } catch (error) {
        diag.warn('AnalyticsSpanProcessor: sink shutdown failed', error);
      }
    })();
    return this.shutdownPromise;
  }

  /** A snapshot of the counters. */
  stats(): AnalyticsSpanProcessorStats {
    return {
      ...this.counters,
      diagnostics: { ...this.diagnostics },
      queueDepth: this.queue.length,
      heldSpans: this.buffer?.size ?? 0,
      pendingMessages: this.outbox.length + this.inFlightMessages,
    };
  }

  private tick(): void {
    const ready: SpanLike[] = [];
    this.buffer?.expire(Date.now(), ready);
    this.translateAll(ready);
    if (this.queue.length > 0) this.drainStep();
    else this.pump(true);
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
    const ready: SpanLike[] = [];
    const now = Date.now();
    for (const readable of take) {
      let span: SpanLike;
      try {
        span = fromReadableSpan(readable);
      } catch (error) {
        this.counters.spansFailed++;
        this.warnOnce('read-failed', `AnalyticsSpanProcessor: a span could not be read: ${String(error)}`);
        continue;
      }
      if (this.buffer === undefined) ready.push(span);
      else {
        const parent = readable.parentSpanContext;
        this.buffer.add(span, parent === undefined || parent.isRemote === true, now, ready);
      }
    }
    this.translateAll(ready);
  }

  private translateAll(spans: readonly SpanLike[]): void {
    if (spans.length === 0) return;
    // All at once: rules that span a trace (one event per model call, tool and turn; identity and
    // usage across the trace) see every span the buffer released together.
    let results: ReturnType<Translator['many']>;
    try {
      results = this.translate.many(spans);
    } catch (error) {
      // The translator is built never to throw; this guards against a bug all the same.
      this.counters.spansFailed += spans.length;
      this.warnOnce('translate-failed', `AnalyticsSpanProcessor: translation failed: ${String(error)}`);
      return;
    }
    for (const result of results) {
      this.counters.spansTranslated++;
      if (!result.recognised) this.counters.spansUnrecognised++;
      for (const d of result.diagnostics) {
        this.diagnostics[d.code] = (this.diagnostics[d.code] ?? 0) + 1;
        if (d.code !== DiagnosticCode.UNRECOGNISED)
          this.warnOnce(`diag:${d.code}`, `spantrack: ${d.message}`);
      }
      const messages = result.messages;
      if (messages.length === 0) continue;
      this.counters.messagesEmitted += messages.length;
      const room = this.maxPendingMessages - this.outbox.length - this.inFlightMessages;
      if (room >= messages.length) {
        for (const m of messages) this.outbox.push(m);
      } else {
        const kept = Math.max(0, room);
        for (let i = 0; i < kept; i++) this.outbox.push(messages[i]!);
        this.counters.messagesDropped += messages.length - kept;
        this.warnOnce(
          'outbox-full',
          'AnalyticsSpanProcessor: the sink is not keeping up; messages are being dropped',
        );
      }
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

  private async flushAll(): Promise<void> {
    while (this.queue.length > 0) this.processQueued(Number.POSITIVE_INFINITY);
    const ready: SpanLike[] = [];
    this.buffer?.releaseAll(ready);
    this.translateAll(ready);
    this.pump(true);
    while (this.inFlight.size > 0 || this.outbox.length > 0) {
      // Sinks may hold what `send` was given until their own batch fills: ask them to send it now.
      const flushing = this.sink.flush(this.exportTimeoutMillis);
      await Promise.race(this.inFlight);
      await flushing;
      this.pump(true);
    }
    await this.sink.flush(this.exportTimeoutMillis);
  }

  private withDeadline(work: Promise<void>, what: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        diag.warn(`AnalyticsSpanProcessor: ${what} did not finish within ${this.exportTimeoutMillis} ms`);
        resolve();
      }, this.exportTimeoutMillis);
      timer.unref?.();
    });
    const guarded = work.catch((error: unknown) =>
      diag.warn(`AnalyticsSpanProcessor: ${what} failed`, error),
    );
    return Promise.race([guarded, deadline]).finally(() => clearTimeout(timer));
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
    if (this.warned.has(key)) return;
    this.warned.add(key);
    diag.warn(message);
  }
}

function isSink(value: unknown): value is Sink {
  const s = value as Sink | undefined;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.send === 'function' &&
    typeof s.flush === 'function' &&
    typeof s.shutdown === 'function'
  );
}

function positive(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new SpantrackConfigError(name, `must be a positive number, got ${String(value)}`);
  }
  return Math.floor(value);
}
