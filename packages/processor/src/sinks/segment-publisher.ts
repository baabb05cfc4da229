import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { gzip as gzipCallback } from 'node:zlib';
import type { AnalyticsMessage } from '../message';
import { libraryOption, type SegmentLibrary, SPANTRACK_LIBRARY } from './library';
import {
  DEFAULT_MAX_REQUEST_BYTES,
  SEGMENT_MAX_BATCH_MESSAGES,
  SEGMENT_MAX_MESSAGE_BYTES,
  serializeForSegment,
} from './segment-payload';
import { messageIdOf } from './serialize';
import type { DeliveryResult, Sink } from './sink';
import { DeliveryError, SinkClosedError } from './sink-errors';

/** Called once per message: without `error` when the destination accepted it. */
export type DeliveryCallback = (messageId: string, error?: Error) => void;

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
  onDelivery?: DeliveryCallback;
}

interface CallTracker {
  remaining: number;
  result: DeliveryResult;
  resolve: (result: DeliveryResult) => void;
}

interface PendingMessage {
  messageId: string;
  call: CallTracker;
}

interface Batch {
  parts: string[];
  items: PendingMessage[];
  /** Bytes of the events plus the commas between them. */
  eventBytes: number;
  done: Promise<void>;
  finish: () => void;
  /** Set by shutdown: the batch fails with it instead of being sent (again). */
  abortError?: Error;
  /** Set while a request for it is open, to destroy it at shutdown. */
  cancel?: () => void;
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
}

const DEFAULTS = {
  host: 'https://api.segment.io',
  path: '/v1/batch',
  flushInterval: 500,
  concurrency: 4,
  httpRequestTimeout: 10_000,
  maxRetries: 10,
  maxRetryDuration: 120_000,
  minBackoff: 500,
  maxBackoff: 30_000,
  flushTimeout: 30_000,
} as const;

/** Statuses retried besides 5xx (minus 501 / 505) and network errors; the same list analytics-node uses. */
const RETRIED_4XX = new Set([408, 410, 429, 460]);
const SENT_AT_JSON_BYTES = Buffer.byteLength(JSON.stringify(new Date(0)));

class RequestTimeoutError extends Error {}

/**
 * A Segment batch publisher built for throughput: batches filled close to the 500 KB request
 * limit, several requests in flight, optional gzip, `Retry-After` honoured, 400 never retried,
 * bounded backoff. Each request carries exactly what analytics-node 3.1 sends:
 * `{"batch":[...],"writeKey":"...","sentAt":"..."}` with the events of `toSegmentEvent`.
 */
export class SegmentPublisher implements Sink {
  private readonly url: URL;
  private readonly request: typeof httpRequest;
  private readonly agent: HttpAgent;
  private readonly authorization: string;
  private readonly envelopePrefix = '{"batch":[';
  private readonly envelopeMiddle: string;
  private readonly envelopeBytes: number;
  private readonly options: Required<Omit<SegmentPublisherOptions, 'onDelivery' | 'userAgent'>> & {
    onDelivery?: DeliveryCallback;
    userAgent: string;
  };

  private current: Batch | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly ready: Batch[] = [];
  private readonly inFlight = new Set<Batch>();
  private pausedUntil = 0;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Earliest start of the next batch under `maxRequestsPerSecond`. */
  private nextStartAt = 0;
  private closed = false;
  private readonly sleepers = new Set<{ timer: ReturnType<typeof setTimeout>; wake: () => void }>();

  readonly stats: PublisherStats = {
    requests: 0,
    deliveredRequestBytes: 0,
    deliveredRequests: 0,
    retries: 0,
    delivered: 0,
    failed: 0,
  };

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
      minBackoff: options.minBackoff ?? DEFAULTS.minBackoff,
      maxBackoff: options.maxBackoff ?? DEFAULTS.maxBackoff,
      library: libraryOption(options.library),
      userAgent: options.userAgent ?? `spantrack-segment-publisher/${SPANTRACK_LIBRARY.version}`,
      ...(options.onDelivery ? { onDelivery: options.onDelivery } : {}),
    };
    // The same resolution as analytics-node's tryCreateFormattedUrl.
    this.url = new URL(new URL(this.options.path, this.options.host).href.replace(/\/$/, ''));
    const https = this.url.protocol === 'https:';
    this.request = (https ? httpsRequest : httpRequest) as typeof httpRequest;
    this.agent = new (https ? HttpsAgent : HttpAgent)({
      keepAlive: true,
      maxSockets: this.options.concurrency,
    });
    this.authorization = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;
    this.envelopeMiddle = `],"writeKey":${JSON.stringify(options.writeKey)},"sentAt":`;
    this.envelopeBytes =
      Buffer.byteLength(this.envelopePrefix) +
      Buffer.byteLength(this.envelopeMiddle) +
      SENT_AT_JSON_BYTES +
      1;
    if (this.envelopeBytes + SEGMENT_MAX_MESSAGE_BYTES > this.options.maxRequestBytes) {
      throw new TypeError('SegmentPublisher: maxRequestBytes must leave room for one 32 KB message');
    }
  }

  send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    const result: DeliveryResult = { delivered: 0, failed: 0, errors: [] };
    if (messages.length === 0) return Promise.resolve(result);
    return new Promise<DeliveryResult>((resolve) => {
      const call: CallTracker = { remaining: messages.length, result, resolve };
      for (const message of messages) {
        const messageId = messageIdOf(message);
        if (this.closed) {
          this.settle({ messageId, call }, new SinkClosedError());
          continue;
        }
        // Never throws: a message that cannot be serialized fails alone, its batch goes on.
        const serialized = serializeForSegment(message, this.options.library);
        if ('error' in serialized) {
          this.settle({ messageId, call }, serialized.error);
          continue;
        }
        this.add(serialized.json, serialized.bytes, { messageId, call });
      }
    });
  }

  /** Sends what is buffered and waits for every batch started so far, up to `timeoutMs` (default 30 s). */
  async flush(timeoutMs: number = DEFAULTS.flushTimeout): Promise<void> {
    this.seal();
    const pending = [...this.ready, ...this.inFlight].map((b) => b.done);
    if (pending.length === 0) return;
    await withDeadline(Promise.all(pending), timeoutMs);
  }

  /**
   * Flushes within `timeoutMs`, then fails whatever is still pending with `SinkClosedError` and
   * closes the connections. Later `send` calls fail every message.
   */
  async shutdown(timeoutMs: number = DEFAULTS.flushTimeout): Promise<void> {
    this.closed = true;
    await this.flush(timeoutMs);
    const error = new SinkClosedError('shutdown deadline passed before delivery');
    for (const batch of this.ready.splice(0)) this.finishBatch(batch, error);
    for (const batch of [...this.inFlight]) {
      batch.abortError = error;
      batch.cancel?.();
    }
    for (const sleeper of this.sleepers) sleeper.wake();
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.agent.destroy();
  }

  private newBatch(): Batch {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    return { parts: [], items: [], eventBytes: 0, done, finish };
  }

  private add(json: string, bytes: number, item: PendingMessage) {
    let batch = this.current;
    if (batch) {
      const next = this.envelopeBytes + batch.eventBytes + bytes + 1;
      if (next > this.options.maxRequestBytes || batch.items.length >= this.options.maxBatchMessages) {
        this.seal();
        batch = undefined;
      }
    }
    if (!batch) {
      batch = this.newBatch();
      this.current = batch;
      this.flushTimer = setTimeout(() => this.seal(), this.options.flushInterval);
    }
    batch.eventBytes += batch.parts.length ? bytes + 1 : bytes;
    batch.parts.push(json);
    batch.items.push(item);
  }

  /** Moves the open batch to the send queue. */
  private seal() {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.current;
    this.current = undefined;
    if (!batch || batch.items.length === 0) return;
    this.ready.push(batch);
    this.pump();
  }

  private pump() {
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
      const batch = this.ready.shift()!;
      this.inFlight.add(batch);
      this.deliver(batch).then(
        () => this.afterBatch(batch),
        (error: unknown) => {
          this.finishBatch(batch, error instanceof Error ? error : new Error(String(error)));
          this.afterBatch(batch);
        },
      );
    }
  }

  /** Calls `pump` again in `ms` (once, however often asked). */
  private resumeAt(ms: number) {
    if (this.resumeTimer) return;
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      this.pump();
    }, ms);
    // Waiting to resume never holds a process open by itself: `flush` waits for it when asked.
    this.resumeTimer.unref?.();
  }

  private afterBatch(batch: Batch) {
    this.inFlight.delete(batch);
    this.pump();
  }

  private async deliver(batch: Batch): Promise<void> {
    const inner = batch.parts.join(',');
    batch.parts = [];
    const started = Date.now();
    let attempts = 0;
    let counted = 0;
    for (;;) {
      if (batch.abortError) return this.finishBatch(batch, batch.abortError);
      const waitForPause = this.pausedUntil - Date.now();
      if (waitForPause > 0) await this.sleep(waitForPause);
      if (batch.abortError) return this.finishBatch(batch, batch.abortError);

      attempts += 1;
      const body = `${this.envelopePrefix}${inner}${this.envelopeMiddle}${JSON.stringify(new Date())}}`;
      let status: number | undefined;
      let retryAfterMs: number | undefined;
      let failure: Error;
      try {
        const response = await this.post(body, attempts, batch);
        status = response.status;
        if (status >= 200 && status < 400) {
          this.stats.deliveredRequests += 1;
          this.stats.deliveredRequestBytes += Buffer.byteLength(body);
          return this.finishBatch(batch);
        }
        failure = new DeliveryError(
          `Segment answered ${status}${response.text ? `: ${response.text}` : ''}`,
          status,
          attempts,
        );
        if (
          status === 400 ||
          !(status >= 500 || RETRIED_4XX.has(status)) ||
          status === 501 ||
          status === 505
        ) {
          // 400: malformed or over a size limit; Segment drops the whole batch and a retry cannot help.
          return this.finishBatch(batch, failure);
        }
        retryAfterMs = parseRetryAfter(response.retryAfter);
      } catch (error) {
        if (batch.abortError) return this.finishBatch(batch, batch.abortError);
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
        if (counted > this.options.maxRetries) return this.finishBatch(batch, failure);
        const ceiling = Math.min(this.options.maxBackoff, this.options.minBackoff * 2 ** (counted - 1));
        delay = retryAfterMs ?? Math.random() * ceiling;
      }
      if (Date.now() - started + delay > this.options.maxRetryDuration) {
        return this.finishBatch(batch, failure);
      }
      this.stats.retries += 1;
      await this.sleep(delay);
    }
  }

  private async post(
    body: string,
    attempt: number,
    batch: Batch,
  ): Promise<{ status: number; retryAfter?: string; text: string }> {
    const payload = this.options.gzip ? await gzipAsync(body) : body;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(payload)),
      'User-Agent': this.options.userAgent,
      Authorization: this.authorization,
    };
    if (this.options.gzip) headers['Content-Encoding'] = 'gzip';
    if (attempt > 1) headers['X-Retry-Count'] = String(attempt - 1);
    this.stats.requests += 1;

    return new Promise((resolve, reject) => {
      const req = this.request(this.url, { method: 'POST', agent: this.agent, headers });
      const timer = setTimeout(() => {
        req.destroy(new RequestTimeoutError(`no response within ${this.options.httpRequestTimeout} ms`));
      }, this.options.httpRequestTimeout);
      batch.cancel = () => req.destroy(new SinkClosedError('request aborted at shutdown'));
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          if (chunks.length < 4) chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          batch.cancel = undefined;
          const status = res.statusCode ?? 0;
          const retryAfter = res.headers['retry-after'];
          resolve({
            status,
            ...(retryAfter !== undefined ? { retryAfter } : {}),
            text: status >= 300 ? Buffer.concat(chunks).toString('utf8').slice(0, 200) : '',
          });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(payload);
    });
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

  private finishBatch(batch: Batch, error?: Error) {
    const items = batch.items;
    batch.items = [];
    for (const item of items) this.settle(item, error);
    batch.finish();
  }

  private settle(item: PendingMessage, error?: Error) {
    const { call } = item;
    if (error) {
      call.result.failed += 1;
      call.result.errors.push({ messageId: item.messageId, error });
      this.stats.failed += 1;
    } else {
      call.result.delivered += 1;
      this.stats.delivered += 1;
    }
    this.options.onDelivery?.(item.messageId, error);
    call.remaining -= 1;
    if (call.remaining === 0) call.resolve(call.result);
  }
}

function gzipAsync(body: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gzipCallback(body, { level: 1 }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function withDeadline(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
