import type { Meter } from '@opentelemetry/api';
import type { ResolvedForwardConfig } from '../config';
import type { LogEvent } from '../log/log-event';
import { type BackendAnswer, BackendClient } from './backend-client';
import { digestOf, RecentDigests } from './recent-digests';
import { backoffDelay, RETRYABLE_STATUSES, retryAfterMs } from './retry-policy';

/** Running totals of the forwarding to the trace backend. */
export interface ForwardStats {
  /** Requests the backend accepted (2xx). */
  forwarded: number;
  /** Attempts repeated after a retryable answer, a connection error or a timeout. */
  retries: number;
  /** Requests not forwarded: the queue was full, or the shutdown deadline came first. */
  dropped: number;
  /** Requests the backend refused for good (other 4xx, 500, 501…) or still failing after `maxRetryMs`. */
  failed: number;
  /** Requests not queued because the same bytes were already taken (a sender's retry). */
  duplicates: number;
  /** Bytes of the requests waiting or in flight. */
  queueBytes: number;
  /** Requests waiting or in flight. */
  queueRequests: number;
}

/** Why `offer` did not queue a request. */
export type OfferResult = 'queued' | 'duplicate' | 'dropped';

interface Item {
  body: Buffer;
  contentType: string;
  contentEncoding: string | undefined;
  digest: string;
}

/**
 * Sends the received OTLP requests, unchanged, to an OTLP/HTTP trace backend: a bounded queue
 * (bytes and requests) in front of `concurrency` senders that retry the retryable answers with
 * backoff. `offer` never waits and never throws, so the backend cannot slow the analytics path.
 */
export class TraceForwarder {
  private readonly client: BackendClient;
  private readonly recent: RecentDigests;
  private readonly waiting: Item[] = [];
  private readonly sleeping = new Set<() => void>();
  private idleWaiters: (() => void)[] = [];
  private workers = 0;
  private closed = false;
  private aborted = false;
  /** False after a failed attempt, until an attempt succeeds (one log line per outage). */
  private healthy = true;
  private readonly totals: ForwardStats = {
    forwarded: 0,
    retries: 0,
    dropped: 0,
    failed: 0,
    duplicates: 0,
    queueBytes: 0,
    queueRequests: 0,
  };

  constructor(
    private readonly config: ResolvedForwardConfig,
    private readonly log: (line: string, event: LogEvent) => void = () => {},
  ) {
    this.client = new BackendClient(config.url, config.headers, config.timeoutMs);
    this.recent = new RecentDigests(config.rememberedRequests);
  }

  get url(): string {
    return this.config.url;
  }

  /**
   * Queues one request for the backend. `identity` is what makes two requests the same (the
   * decompressed body): a request already taken is not queued again.
   */
  offer(
    body: Buffer,
    contentType: string,
    contentEncoding: string | undefined,
    identity: Uint8Array,
  ): OfferResult {
    const t = this.totals;
    const digest = digestOf(identity);
    if (!this.recent.add(digest)) {
      t.duplicates++;
      return 'duplicate';
    }
    // A request bigger than the whole queue still goes through an empty one.
    const full =
      t.queueRequests > 0 &&
      (t.queueRequests + 1 > this.config.maxQueueRequests ||
        t.queueBytes + body.length > this.config.maxQueueBytes);
    if (this.closed || full) {
      this.recent.forget(digest);
      t.dropped++;
      return 'dropped';
    }
    t.queueRequests++;
    t.queueBytes += body.length;
    this.waiting.push({ body, contentType, contentEncoding, digest });
    while (this.workers < this.config.concurrency && this.workers < this.waiting.length) {
      this.workers++;
      void this.work();
    }
    return 'queued';
  }

  stats(): ForwardStats {
    return { ...this.totals };
  }

  private async work(): Promise<void> {
    try {
      for (let item = this.waiting.shift(); item !== undefined; item = this.waiting.shift()) {
        await this.deliver(item);
        this.totals.queueRequests--;
        this.totals.queueBytes -= item.body.length;
      }
    } finally {
      this.workers--;
      if (this.workers === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  private async deliver(item: Item): Promise<void> {
    const t = this.totals;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (this.aborted) {
        t.dropped++;
        this.recent.forget(item.digest);
        return;
      }
      let answer: BackendAnswer | undefined;
      let problem: string;
      try {
        answer = await this.client.post(item.body, item.contentType, item.contentEncoding);
        if (answer.status >= 200 && answer.status < 300) {
          t.forwarded++;
          if (!this.healthy) {
            this.healthy = true;
            this.log('trace backend recovered', {
              level: 'info',
              msg: 'forward recovered',
              url: this.config.url,
            });
          }
          return;
        }
        problem = `${answer.status}${answer.snippet ? ` ${answer.snippet.replace(/\s+/g, ' ').trim()}` : ''}`;
      } catch (error) {
        problem = (error as Error).message;
      }
      if (this.aborted) {
        t.dropped++;
        this.recent.forget(item.digest);
        return;
      }
      const retryable = answer === undefined || RETRYABLE_STATUSES.has(answer.status);
      const delay = retryable
        ? (retryAfterMs(answer?.headers['retry-after'], this.config.maxBackoffMs) ??
          backoffDelay(attempt, this.config.initialBackoffMs, this.config.maxBackoffMs))
        : 0;
      if (!retryable || Date.now() + delay - started > this.config.maxRetryMs) {
        t.failed++;
        this.recent.forget(item.digest);
        this.log(
          `trace backend ${retryable ? 'still failing, request given up' : 'refused a request'}: ${problem}`,
          {
            level: 'warn',
            msg: retryable ? 'forward given up' : 'forward refused',
            url: this.config.url,
            error: problem,
          },
        );
        return;
      }
      if (this.healthy) {
        this.healthy = false;
        this.log(`trace backend failing, retrying: ${problem}`, {
          level: 'warn',
          msg: 'forward failing',
          url: this.config.url,
          error: problem,
        });
      }
      t.retries++;
      await this.sleep(delay);
    }
  }

  /** Waits `ms`, or less when the shutdown deadline comes. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeping.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeping.add(wake);
    });
  }

  /**
   * Stops taking requests and sends what is queued, retries included, for at most `timeoutMs`;
   * what is left then is dropped (and counted). Idempotent.
   */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    if (this.workers > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (this.workers > 0 || this.waiting.length > 0) {
      const left = this.totals.queueRequests;
      this.aborted = true;
      this.client.abortAll('collector shutting down');
      for (const wake of [...this.sleeping]) wake();
      await new Promise<void>((resolve) => {
        if (this.workers === 0) resolve();
        else this.idleWaiters.push(resolve);
      });
      this.log(`shutdown deadline: ${left} requests not forwarded to the trace backend`, {
        level: 'warn',
        msg: 'forward dropped at shutdown',
        requests: left,
      });
    } else {
      this.client.abortAll('collector stopped');
    }
  }

  /** Registers the forwarding's counters and gauges on the collector's meter, read at collection. */
  observe(meter: Meter): void {
    const name = (suffix: string) => `spantrack.collector.forward_${suffix}`;
    const requests = meter.createObservableCounter(name('requests'), {
      description: 'OTLP requests for the trace backend, by result (forwarded, failed, dropped, duplicate).',
    });
    const retries = meter.createObservableCounter(name('retries'), {
      description: 'Attempts to the trace backend repeated.',
    });
    const queueBytes = meter.createObservableGauge(name('queue_bytes'), {
      description: 'Bytes of the requests waiting for the trace backend or in flight.',
      unit: 'By',
    });
    const queueRequests = meter.createObservableGauge(name('queue_requests'), {
      description: 'Requests waiting for the trace backend or in flight.',
    });
    const capacity = meter.createObservableGauge(name('queue_capacity_bytes'), {
      description: 'Queue bytes past which new requests are dropped.',
      unit: 'By',
    });
    meter.addBatchObservableCallback(
      (result) => {
        const t = this.totals;
        result.observe(requests, t.forwarded, { result: 'forwarded' });
        result.observe(requests, t.failed, { result: 'failed' });
        result.observe(requests, t.dropped, { result: 'dropped' });
        result.observe(requests, t.duplicates, { result: 'duplicate' });
        result.observe(retries, t.retries);
        result.observe(queueBytes, t.queueBytes);
        result.observe(queueRequests, t.queueRequests);
        result.observe(capacity, this.config.maxQueueBytes);
      },
      [requests, retries, queueBytes, queueRequests, capacity],
    );
  }
}
