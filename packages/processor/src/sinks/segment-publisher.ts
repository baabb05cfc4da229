import { gzip as gzipCallback } from 'node:zlib';
import { context } from '@opentelemetry/api';
import { Deadline } from '../deadline';
import type { AnalyticsMessage } from '../message';
import { type DeliveryCallback, DeliveryTracker, type TrackedMessage } from './delivery-tracker';
import { libraryOption, type SegmentLibrary, SPANTRACK_LIBRARY } from './library';
import { type SegmentBatch, SegmentBatcher } from './segment-batcher';
import {
  NodeHttpTransport,
  type SegmentHttpRequest,
  type SegmentHttpResponse,
  type SegmentHttpTransport,
} from './segment-http-transport';
import {
  DEFAULT_MAX_REQUEST_BYTES,
  SEGMENT_MAX_BATCH_MESSAGES,
  serializeForSegment,
} from './segment-payload';
import { backoffDelay, parseRetryAfter, verdictFor } from './segment-retry-policy';
import { messageIdOf } from './serialize';
import type { DeliveryResult, Sink } from './sink';
import { DeliveryError, SinkClosedError } from './sink-errors';
import { suppressTracing } from './suppress-tracing';

export type { DeliveryCallback } from './delivery-tracker';
export { parseRetryAfter } from './segment-retry-policy';

export interface SegmentPublisherOptions {
  writeKey: string;
  /** Default `https://api.segment.io`; RudderStack's data plane URL or a test server work too. */
  host?: string;
  /** Default `/v1/batch`. */
  path?: string;
  /** Request body cap, envelope included. Default 480 KiB (Segment's limit is 500 KB). */
  maxRequestBytes?: number;
  /** Default 2,500, Segment's documented maximum per batch. */
  maxBatchMessages?: number;
  /** How long a partly filled batch waits for more messages. Default 500 ms. */
  flushInterval?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /**
   * Batches started per second at most (retries aside), to keep within the request rate Segment
   * asks of one source ("a few tens of requests a second"). At 480 KiB batches of ~500-byte events,
   * 50 requests/s carry about 50,000 events/s. Default unlimited.
   */
  maxRequestsPerSecond?: number;
  /**
   * Sends `Content-Encoding: gzip`. Off by default: Segment's HTTP API page does not document it
   * (Segment's own analytics-php/-android/-ios send it). The 500 KB limit is held on the JSON either way.
   */
  gzip?: boolean;
  /** Per attempt. Default 10,000 ms; a timed-out attempt is retried. */
  httpRequestTimeout?: number;
  /** Retries after the first attempt (429 with Retry-After not counted). Default 10. */
  maxRetries?: number;
  /** Total time a batch may spend waiting to retry (backoff and Retry-After). Default 120,000 ms. */
  maxRetryDuration?: number;
  /**
   * The longest `Retry-After` honoured: a longer one (a 429 asking for a day) waits this long, so one
   * answer cannot stall every later batch. Default 60,000 ms.
   */
  maxRetryAfter?: number;
  /** Backoff: full jitter between 0 and min(maxBackoff, minBackoff * 2^retry). Defaults 500 / 30,000 ms. */
  minBackoff?: number;
  maxBackoff?: number;
  /**
   * `context.library` of every event: who produced it. Default `{ name: '@spantrack/processor',
   * version }` at this package's version (`SPANTRACK_LIBRARY`).
   */
  library?: SegmentLibrary;
  /** Default `spantrack-segment-publisher/<version of this package>`. */
  userAgent?: string;
  /**
   * How requests are sent. Default `node:http` / `node:https` over a keep-alive agent; tests inject
   * a scripted one.
   */
  httpTransport?: SegmentHttpTransport;
  onDelivery?: DeliveryCallback;
}

/** A batch on its way: its completion, and how to stop it at shutdown. */
interface Delivery {
  batch: SegmentBatch<TrackedMessage>;
  done: Promise<void>;
  finish: () => void;
  /** Set by shutdown: the batch fails with it instead of being sent (again). */
  abortError?: Error;
  /** Aborts the attempt in progress. */
  abort?: (reason: Error) => void;
}

/** Counters for benchmarks and diagnostics. */
export interface PublisherStats {
  requests: number;
  /** Body bytes of requests answered 2xx (before gzip). */
  deliveredRequestBytes: number;
  deliveredRequests: number;
  retries: number;
  delivered: number;
  failed: number;
  /** `onDelivery` calls that threw (caught). */
  callbackErrors: number;
}

const DEFAULTS = {
  host: 'https://api.segment.io',
  path: '/v1/batch',
  flushInterval: 500,
  concurrency: 4,
  httpRequestTimeout: 10_000,
  maxRetries: 10,
  maxRetryDuration: 120_000,
  maxRetryAfter: 60_000,
  minBackoff: 500,
  maxBackoff: 30_000,
  flushTimeout: 30_000,
} as const;

class RequestTimeoutError extends Error {}

type ResolvedOptions = Required<
  Omit<SegmentPublisherOptions, 'onDelivery' | 'userAgent' | 'httpTransport'>
> & { userAgent: string };

/**
 * A Segment batch publisher built for throughput: batches filled close to the 500 KB request
 * limit, several requests in flight, optional gzip, `Retry-After` honoured up to `maxRetryAfter`,
 * 400 never retried, bounded backoff. Each request carries exactly what analytics-node 3.1 sends:
 * `{"batch":[...],"writeKey":"...","sentAt":"..."}` with the events of `toSegmentEvent`.
 *
 * In parts: `SegmentBatcher` (size-capped batches), `SegmentHttpTransport` (the requests),
 * `DeliveryTracker` (per-message bookkeeping); this class schedules,
 * retries and keeps the deadlines. Timers run only while work waits.
 */
export class SegmentPublisher implements Sink {
  private readonly url: URL;
  private readonly transport: SegmentHttpTransport;
  private readonly authorization: string;
  private readonly options: ResolvedOptions;
  private readonly batcher: SegmentBatcher<TrackedMessage>;
  private readonly tracker: DeliveryTracker;

  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly ready: Delivery[] = [];
  private readonly inFlight = new Set<Delivery>();
  private pausedUntil = 0;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Earliest start of the next batch under `maxRequestsPerSecond`. */
  private nextStartAt = 0;
  private closed = false;
  private readonly sleepers = new Set<{ timer: ReturnType<typeof setTimeout>; wake: () => void }>();
  private readonly counters = { requests: 0, deliveredRequestBytes: 0, deliveredRequests: 0, retries: 0 };

  constructor(options: SegmentPublisherOptions) {
    if (!options.writeKey) throw new TypeError('SegmentPublisher: writeKey is required');
    this.options = {
      writeKey: options.writeKey,
      host: options.host ?? DEFAULTS.host,
      path: options.path ?? DEFAULTS.path,
      maxRequestBytes: options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
      maxBatchMessages: Math.min(
        options.maxBatchMessages ?? SEGMENT_MAX_BATCH_MESSAGES,
        SEGMENT_MAX_BATCH_MESSAGES,
      ),
      flushInterval: options.flushInterval ?? DEFAULTS.flushInterval,
      concurrency: Math.max(1, options.concurrency ?? DEFAULTS.concurrency),
      maxRequestsPerSecond: options.maxRequestsPerSecond ?? Number.POSITIVE_INFINITY,
      gzip: options.gzip ?? false,
      httpRequestTimeout: options.httpRequestTimeout ?? DEFAULTS.httpRequestTimeout,
      maxRetries: options.maxRetries ?? DEFAULTS.maxRetries,
      maxRetryDuration: options.maxRetryDuration ?? DEFAULTS.maxRetryDuration,
      maxRetryAfter: options.maxRetryAfter ?? DEFAULTS.maxRetryAfter,
      minBackoff: options.minBackoff ?? DEFAULTS.minBackoff,
      maxBackoff: options.maxBackoff ?? DEFAULTS.maxBackoff,
      library: libraryOption(options.library),
      userAgent: options.userAgent ?? `spantrack-segment-publisher/${SPANTRACK_LIBRARY.version}`,
    };
    // The same resolution as analytics-node's tryCreateFormattedUrl.
    this.url = new URL(new URL(this.options.path, this.options.host).href.replace(/\/$/, ''));
    this.transport =
      options.httpTransport ??
      new NodeHttpTransport(this.url.protocol === 'https:', this.options.concurrency);
    this.authorization = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;
    this.batcher = new SegmentBatcher(
      options.writeKey,
      this.options.maxRequestBytes,
      this.options.maxBatchMessages,
    );
    this.tracker = new DeliveryTracker(options.onDelivery);
  }

  /** A snapshot of the counters. */
  get stats(): PublisherStats {
    const t = this.tracker.stats;
    return {
      ...this.counters,
      delivered: t.delivered,
      failed: t.failed,
      callbackErrors: t.callbackErrors,
    };
  }

  send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    const { call, done } = this.tracker.open(messages.length);
    for (const message of messages) {
      const messageId = messageIdOf(message);
      if (this.closed) {
        this.tracker.reject(call, messageId, new SinkClosedError());
        continue;
      }
      // Never throws: a message that cannot be serialized fails alone, its batch goes on.
      const serialized = serializeForSegment(message, this.options.library);
      if ('error' in serialized) {
        this.tracker.reject(call, messageId, serialized.error);
        continue;
      }
      this.add(serialized.json, serialized.bytes, this.tracker.admit(call, messageId));
    }
    return done;
  }

  /** Sends what is buffered and waits for every batch started so far, up to `timeoutMs` (default 30 s). */
  async flush(timeoutMs: number = DEFAULTS.flushTimeout): Promise<void> {
    this.seal();
    const pending = [...this.ready, ...this.inFlight].map((d) => d.done);
    if (pending.length === 0) return;
    // Ref'd: backoff sleeps are not, and a flush asked for must be waited for, up to its deadline.
    await Deadline.in(timeoutMs).race(Promise.all(pending), { ref: true });
  }

  /**
   * Flushes within `timeoutMs` (the whole of it: shutdown adds no second wait), then fails whatever
   * is still pending with `SinkClosedError` and closes the connections. Later `send` calls fail
   * every message.
   */
  async shutdown(timeoutMs: number = DEFAULTS.flushTimeout): Promise<void> {
    this.closed = true;
    await this.flush(timeoutMs);
    const error = new SinkClosedError('shutdown deadline passed before delivery');
    for (const delivery of this.ready.splice(0)) this.finish(delivery, error);
    for (const delivery of [...this.inFlight]) {
      delivery.abortError = error;
      delivery.abort?.(error);
    }
    for (const sleeper of [...this.sleepers]) sleeper.wake();
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
    this.transport.close?.();
  }

  private add(json: string, bytes: number, item: TrackedMessage): void {
    const { closed, opened } = this.batcher.add(json, bytes, item);
    if (closed) {
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      this.enqueue(closed);
    }
    if (opened) {
      // Ref'd on purpose: a partial batch is work waiting, and a script must not exit before it goes.
      this.flushTimer = setTimeout(() => this.seal(), this.options.flushInterval);
    }
  }

  /** Moves the open batch to the send queue. */
  private seal(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.batcher.seal();
    if (batch) this.enqueue(batch);
  }

  private enqueue(batch: SegmentBatch<TrackedMessage>): void {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.ready.push({ batch, done, finish });
    this.pump();
  }

  private pump(): void {
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) {
      this.resumeAt(wait);
      return;
    }
    const interval = 1000 / this.options.maxRequestsPerSecond;
    while (this.inFlight.size < this.options.concurrency && this.ready.length > 0) {
      if (interval > 0) {
        const now = Date.now();
        if (now < this.nextStartAt) {
          this.resumeAt(this.nextStartAt - now);
          return;
        }
        this.nextStartAt = Math.max(now, this.nextStartAt) + interval;
      }
      const delivery = this.ready.shift()!;
      this.inFlight.add(delivery);
      this.deliver(delivery)
        .catch((error: unknown) => {
          this.finish(delivery, error instanceof Error ? error : new Error(String(error)));
        })
        .finally(() => {
          this.inFlight.delete(delivery);
          this.pump();
        });
    }
  }

  /** Calls `pump` again in `ms` (once, however often asked). */
  private resumeAt(ms: number): void {
    if (this.resumeTimer) return;
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      this.pump();
    }, ms);
    // Waiting to resume never holds a process open by itself: `flush` waits for it when asked.
    this.resumeTimer.unref?.();
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const inner = SegmentBatcher.join(delivery.batch);
    const started = Date.now();
    let attempts = 0;
    let counted = 0;
    for (;;) {
      if (delivery.abortError) return this.finish(delivery, delivery.abortError);
      const waitForPause = this.pausedUntil - Date.now();
      if (waitForPause > 0) await this.sleep(waitForPause);
      if (delivery.abortError) return this.finish(delivery, delivery.abortError);

      attempts += 1;
      const body = this.batcher.body(inner, new Date());
      let status: number | undefined;
      let retryAfterMs: number | undefined;
      let failure: Error;
      try {
        const response = await this.attempt(body, attempts, delivery);
        status = response.status;
        const verdict = verdictFor(status);
        if (verdict === 'delivered') {
          this.counters.deliveredRequests += 1;
          this.counters.deliveredRequestBytes += Buffer.byteLength(body);
          return this.finish(delivery);
        }
        failure = new DeliveryError(
          `Segment answered ${status}${response.text ? `: ${response.text}` : ''}`,
          status,
          attempts,
        );
        if (verdict === 'fail') return this.finish(delivery, failure);
        const asked = parseRetryAfter(response.retryAfter);
        retryAfterMs = asked === undefined ? undefined : Math.min(asked, this.options.maxRetryAfter);
      } catch (error) {
        if (delivery.abortError) return this.finish(delivery, delivery.abortError);
        failure = new DeliveryError(
          error instanceof RequestTimeoutError ? error.message : `request failed: ${String(error)}`,
          undefined,
          attempts,
          { cause: error },
        );
      }

      let delay: number;
      if (status === 429 && retryAfterMs !== undefined) {
        // Rate limited: everything waits, and the wait is not counted as a retry (as analytics-node does).
        delay = Math.max(retryAfterMs, 0);
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delay);
      } else {
        counted += 1;
        if (counted > this.options.maxRetries) return this.finish(delivery, failure);
        delay = retryAfterMs ?? backoffDelay(counted, this.options.minBackoff, this.options.maxBackoff);
      }
      if (Date.now() - started + delay > this.options.maxRetryDuration) {
        return this.finish(delivery, failure);
      }
      this.counters.retries += 1;
      await this.sleep(delay);
    }
  }

  /** One request, under `suppressTracing`, aborted at `httpRequestTimeout` or at shutdown. */
  private async attempt(body: string, attempt: number, delivery: Delivery): Promise<SegmentHttpResponse> {
    const payload = this.options.gzip ? await gzipAsync(body) : body;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(payload)),
      'User-Agent': this.options.userAgent,
      Authorization: this.authorization,
    };
    if (this.options.gzip) headers['Content-Encoding'] = 'gzip';
    if (attempt > 1) headers['X-Retry-Count'] = String(attempt - 1);
    this.counters.requests += 1;

    const controller = new AbortController();
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    const timer = setTimeout(() => {
      controller.abort(new RequestTimeoutError(`no response within ${this.options.httpRequestTimeout} ms`));
    }, this.options.httpRequestTimeout);
    delivery.abort = (reason) => controller.abort(reason);
    const request: SegmentHttpRequest = { url: this.url, headers, body: payload, signal: controller.signal };
    try {
      // Our own requests must never become spans of the application (or feed back into this pipeline).
      const sending = context.with(suppressTracing(context.active()), () => this.transport.send(request));
      // Also settles when a transport ignores the signal.
      return await Promise.race([sending, aborted]);
    } finally {
      clearTimeout(timer);
      delivery.abort = undefined;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
        wake: () => {
          clearTimeout(sleeper.timer);
          this.sleepers.delete(sleeper);
          resolve();
        },
      };
      // Backoff and Retry-After waits never hold a process open by themselves (a script would
      // otherwise wait up to maxRetryDuration to exit); `flush` keeps it open while it waits.
      sleeper.timer.unref?.();
      this.sleepers.add(sleeper);
    });
  }

  private finish(delivery: Delivery, error?: Error): void {
    const items = delivery.batch.items;
    delivery.batch.items = [];
    for (const item of items) this.tracker.settle(item, error);
    delivery.finish();
  }
}

function gzipAsync(body: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gzipCallback(body, { level: 1 }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}
