import { context } from '@opentelemetry/api';
import {
  Analytics,
  type HTTPClient,
  type HTTPClientRequest,
  type HTTPResponse,
  type IdentifyParams,
  type TrackParams,
} from '@segment/analytics-node';
import { Deadline } from '../deadline';
import type { AnalyticsMessage, JsonObject } from '../message';
import { type DeliveryCallback, DeliveryTracker, type DeliveryTrackerStats } from './delivery-tracker';
import { libraryOption, type SegmentLibrary, withLibrary } from './library';
import { DEFAULT_MAX_REQUEST_BYTES, serializeForSegment } from './segment-payload';
import { messageIdOf } from './serialize';
import type { DeliveryResult, Sink } from './sink';
import { DeliveryError, SinkClosedError } from './sink-errors';
import { suppressTracing } from './suppress-tracing';

export interface AnalyticsNodeSinkOptions {
  writeKey: string;
  /** Default `https://api.segment.io`. */
  host?: string;
  /** Default `/v1/batch`. */
  path?: string;
  /**
   * Events per request. Default 1,000 instead of the client's 15: at ~0.5 KB per event that fills a
   * request close to the 480 KiB the client allows, and full requests are what decide throughput
   * (Segment asks for a few tens of requests per second per source). Oversized requests are split
   * before sending (see BatchSplittingHttpClient), so a large flushAt cannot produce a 400.
   */
  flushAt?: number;
  /** How long a partly filled batch waits. Default 1,000 ms instead of the client's 10 s. */
  flushInterval?: number;
  /** Default 10 (the client's). */
  maxRetries?: number;
  /** Default 10,000 ms (the client's). */
  httpRequestTimeout?: number;
  /** Seconds a batch may spend retrying. Default 120 (the client's is 12 hours). */
  maxTotalBackoffDuration?: number;
  /**
   * `context.library` of every event. Default `{ name: '@spantrack/processor', version }`
   * (`SPANTRACK_LIBRARY`): the client names itself there, and the sink's HTTP client writes this
   * over it in every request.
   */
  library?: SegmentLibrary;
  onDelivery?: DeliveryCallback;
}

/**
 * A sink on the real `@segment/analytics-node` client: each message becomes `analytics.track` /
 * `analytics.identify` with its own `messageId` and `timestamp`, and the per-call callback settles it.
 * Before handing a message over it checks what the client does not check correctly (the 32 KB limit,
 * measured as the serialized event's UTF-8 bytes) and what would make it throw (identity, id format).
 */
export class AnalyticsNodeSink implements Sink {
  readonly client: Analytics;
  private readonly library: SegmentLibrary;
  private readonly tracker: DeliveryTracker;
  private clientFlush: Promise<void> | undefined;
  private closed = false;

  constructor(options: AnalyticsNodeSinkOptions) {
    this.tracker = new DeliveryTracker(options.onDelivery);
    this.library = libraryOption(options.library);
    this.client = new Analytics({
      writeKey: options.writeKey,
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.path !== undefined ? { path: options.path } : {}),
      flushAt: options.flushAt ?? 1000,
      flushInterval: options.flushInterval ?? 1000,
      maxRetries: options.maxRetries ?? 10,
      httpRequestTimeout: options.httpRequestTimeout ?? 10_000,
      maxTotalBackoffDuration: options.maxTotalBackoffDuration ?? 120,
      httpClient: new BatchSplittingHttpClient(DEFAULT_MAX_REQUEST_BYTES, this.library),
    });
    // Failures reach us through the per-call callbacks; the listener keeps them off any default handler.
    this.client.on('error', () => {});
  }

  /** Counters of the per-message bookkeeping. */
  get stats(): DeliveryTrackerStats {
    return { ...this.tracker.stats };
  }

  send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    const { call, done } = this.tracker.open(messages.length);
    for (const message of messages) {
      const messageId = messageIdOf(message);
      if (this.closed) {
        this.tracker.reject(call, messageId, new SinkClosedError());
        continue;
      }
      const checked = serializeForSegment(message, this.library);
      if ('error' in checked) {
        this.tracker.reject(call, messageId, checked.error);
        continue;
      }
      const tracked = this.tracker.admit(call, messageId);
      const callback = (error?: unknown) =>
        this.tracker.settle(tracked, error === undefined ? undefined : toDeliveryError(error));
      try {
        this.dispatch(message, callback);
      } catch (error) {
        this.tracker.settle(tracked, toDeliveryError(error));
      }
    }
    return done;
  }

  /** Waits until the client has delivered everything queued, up to `timeoutMs` (default 30 s); never aborts. */
  async flush(timeoutMs = 30_000): Promise<void> {
    if (this.tracker.pendingCount === 0) return;
    // The client ignores (with a console warning) a flush while another runs: share one.
    this.clientFlush ??= this.client.flush().finally(() => {
      this.clientFlush = undefined;
    });
    await Deadline.in(timeoutMs).race(this.clientFlush, { ref: true });
  }

  /**
   * `closeAndFlush({ timeout })` within `timeoutMs` in total; whatever is still pending at the
   * deadline fails with `SinkClosedError`.
   */
  async shutdown(timeoutMs = 30_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const deadline = Deadline.in(timeoutMs);
    if (this.clientFlush) await deadline.race(this.clientFlush, { ref: true });
    if (!this.clientFlush && !deadline.passed) {
      await deadline.race(this.client.closeAndFlush({ timeout: deadline.remaining() }), { ref: true });
    }
    for (const item of this.tracker.unsettled())
      this.tracker.settle(item, new SinkClosedError('shutdown deadline passed before delivery'));
  }

  private dispatch(message: AnalyticsMessage, callback: (error?: unknown) => void) {
    // The client writes context.library into the context object it gets: hand it a copy.
    const context = copyContext(message.context);
    const identity = { userId: message.userId, anonymousId: message.anonymousId } as
      | { userId: string; anonymousId?: string }
      | { userId?: string; anonymousId: string };
    if (message.type === 'track') {
      const params: TrackParams = {
        ...identity,
        event: message.event,
        properties: message.properties,
        timestamp: message.timestamp,
        messageId: message.messageId,
        ...(context ? { context } : {}),
      };
      this.client.track(params, callback);
    } else {
      const params: IdentifyParams = {
        ...identity,
        traits: message.traits,
        timestamp: message.timestamp,
        messageId: message.messageId,
        ...(context ? { context } : {}),
      };
      this.client.identify(params, callback);
    }
  }
}

function copyContext(context: JsonObject | undefined): JsonObject | undefined {
  if (!context) return undefined;
  const library = context.library;
  if (library !== null && typeof library === 'object' && !Array.isArray(library)) {
    return { ...context, library: { ...library } };
  }
  return { ...context };
}

function toDeliveryError(error: unknown): DeliveryError {
  const message = error instanceof Error ? error.message : String(error);
  const status = /^\[(\d{3})\]/.exec(message)?.[1];
  return new DeliveryError(message, status ? Number(status) : undefined, 0, { cause: error });
}

/**
 * The HTTP client under `AnalyticsNodeSink`, for two things the client cannot be told:
 * - its destination plugin writes `context.library = @segment/analytics-node` into every event, over
 *   whatever it was given; this client writes `library` back (keeping any other `library` keys)
 *   before the request leaves. The sink sized each event with `library` already, so sizes hold.
 * - analytics-node 3.1 batches by count only in practice (its byte check miscounts), so a large
 *   `flushAt` can build a request over 500 KB, which Segment answers 400, dropping every event in it.
 *   Such a request is split into requests under `maxBytes`, sent one after another with the same
 *   headers; the first failure is returned, so the client retries the whole batch and the parts
 *   already accepted arrive again under the same messageIds (Segment dedupes them).
 */
export class BatchSplittingHttpClient implements HTTPClient {
  constructor(
    private readonly maxBytes: number,
    private readonly library?: SegmentLibrary,
  ) {}

  async makeRequest(request: HTTPClientRequest): Promise<HTTPResponse> {
    if (this.library === undefined && Buffer.byteLength(request.body) <= this.maxBytes) {
      return this.post(request, request.body);
    }
    let parsed: { batch: unknown[] } & Record<string, unknown>;
    try {
      parsed = JSON.parse(request.body);
    } catch {
      // Not the client's JSON (never seen): send it as it is rather than lose it.
      return this.post(request, request.body);
    }
    if (this.library !== undefined && Array.isArray(parsed.batch)) {
      parsed.batch = parsed.batch.map((event) => relabel(event, this.library!));
    }
    const body = this.library === undefined ? request.body : JSON.stringify(parsed);
    if (Buffer.byteLength(body) <= this.maxBytes) return this.post(request, body);
    const { batch, ...envelope } = parsed;
    const envelopeBytes = Buffer.byteLength(JSON.stringify({ batch: [], ...envelope }));
    let response: HTTPResponse | undefined;
    let chunk: unknown[] = [];
    let bytes = envelopeBytes;
    const flushChunk = async () => {
      if (chunk.length === 0) return true;
      response = await this.post(request, JSON.stringify({ batch: chunk, ...envelope }));
      chunk = [];
      bytes = envelopeBytes;
      return response.status >= 200 && response.status < 400;
    };
    for (const event of batch) {
      const size = Buffer.byteLength(JSON.stringify(event)) + 1;
      if (bytes + size > this.maxBytes && !(await flushChunk())) return response!;
      chunk.push(event);
      bytes += size;
    }
    await flushChunk();
    return response!;
  }

  private async post(request: HTTPClientRequest, body: string): Promise<HTTPResponse> {
    // Our own requests must never become spans of the application (undici / fetch instrumentations).
    return context.with(suppressTracing(context.active()), () =>
      fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body,
        signal: AbortSignal.timeout(request.httpRequestTimeout),
      }),
    );
  }
}

/** The event with `context.library` naming `library`; anything that is not an event is left as it is. */
function relabel(event: unknown, library: SegmentLibrary): unknown {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return event;
  const e = event as Record<string, unknown>;
  const context = e.context;
  if (context !== undefined && (context === null || typeof context !== 'object' || Array.isArray(context))) {
    return event;
  }
  return { ...e, context: withLibrary(context as JsonObject | undefined, library) };
}
