import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import type { RequestOutcome } from '../otlp/outcome-status';

/** Which receiver answered. */
export type Transport = 'http' | 'grpc';

/** Request latency buckets, seconds (ack after delivery includes the sink's batching wait). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What the collector's gauges read at collection time. */
export interface CollectorGauges {
  queueDepth: number;
  queueCapacity: number;
  sinkHealthy: boolean;
  draining: boolean;
  /** Messages not sent again: their messageId was delivered within the window or in flight. */
  messagesDeduplicated: number;
}

/**
 * The collector's counters, gauges and latency histogram as OpenTelemetry instruments. Instrument
 * names are the Prometheus names without `_total` (which the Prometheus exporter appends to
 * counters); the duration keeps its `_seconds` in the name, so the series is named the same whether
 * or not a Prometheus translation appends units. Running totals are kept beside the instruments for
 * `stats()`, which answers at once (the SDK's figures are read asynchronously).
 */
export class CollectorMetrics {
  private readonly requests: Counter;
  private readonly duration: Histogram;
  private readonly diagnostics: Counter;
  private readonly spansReceivedCounter: Counter;
  private readonly spansRejectedCounter: Counter;
  private readonly messagesTranslatedCounter: Counter;
  private readonly messagesDeliveredCounter: Counter;
  private readonly messagesFailedCounter: Counter;
  private answered = 0;
  private readonly totals = {
    spansReceived: 0,
    spansRejected: 0,
    messagesTranslated: 0,
    messagesDelivered: 0,
    messagesFailed: 0,
  };

  constructor(private readonly meter: Meter) {
    const counter = (name: string, description: string) =>
      meter.createCounter(`spantrack.collector.${name}`, { description });
    this.requests = counter(
      'requests',
      'OTLP export requests, by transport and outcome (aborted: the client left before the answer).',
    );
    this.duration = meter.createHistogram('spantrack.collector.request_duration_seconds', {
      description: 'Time from request start to answer.',
      unit: 's',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS },
    });
    this.diagnostics = counter('diagnostics', 'Translation diagnostics, by code.');
    this.spansReceivedCounter = counter('spans_received', 'Spans received in decodable requests.');
    this.spansRejectedCounter = counter(
      'spans_rejected',
      'Spans reported in partial_success.rejected_spans (could not be translated or delivered).',
    );
    this.messagesTranslatedCounter = counter(
      'messages_translated',
      'Analytics messages produced by translation.',
    );
    this.messagesDeliveredCounter = counter('messages_delivered', 'Analytics messages the sink accepted.');
    this.messagesFailedCounter = counter(
      'messages_failed',
      'Analytics messages the sink failed (the sender is asked to retry retryable failures).',
    );
    // The SDK exports a series once it is recorded: these start at 0, so a scrape always lists them.
    for (const c of [
      this.spansReceivedCounter,
      this.spansRejectedCounter,
      this.messagesTranslatedCounter,
      this.messagesDeliveredCounter,
      this.messagesFailedCounter,
    ])
      c.add(0);
  }

  recordRequest(transport: Transport, outcome: RequestOutcome, seconds: number): void {
    this.requests.add(1, { transport, outcome });
    this.duration.record(seconds, { transport });
    if (outcome !== 'aborted') this.answered++;
  }

  recordDiagnostic(code: string, count = 1): void {
    this.diagnostics.add(count, { code });
  }

  addSpansReceived(count: number): void {
    this.totals.spansReceived += count;
    this.spansReceivedCounter.add(count);
  }

  addSpansRejected(count: number): void {
    this.totals.spansRejected += count;
    this.spansRejectedCounter.add(count);
  }

  addMessagesTranslated(count: number): void {
    this.totals.messagesTranslated += count;
    this.messagesTranslatedCounter.add(count);
  }

  addDelivery(delivered: number, failed: number): void {
    this.totals.messagesDelivered += delivered;
    this.totals.messagesFailed += failed;
    this.messagesDeliveredCounter.add(delivered);
    this.messagesFailedCounter.add(failed);
  }

  /** Requests answered, over every transport and outcome (`aborted` ones were not answered). */
  totalRequests(): number {
    return this.answered;
  }

  get spansReceived(): number {
    return this.totals.spansReceived;
  }

  /** Spans counted in `partial_success.rejected_spans`. */
  get spansRejected(): number {
    return this.totals.spansRejected;
  }

  get messagesTranslated(): number {
    return this.totals.messagesTranslated;
  }

  get messagesDelivered(): number {
    return this.totals.messagesDelivered;
  }

  /** Messages the sink failed (retryable failures are retried by the sender: the same ids come back). */
  get messagesFailed(): number {
    return this.totals.messagesFailed;
  }

  /** Registers the gauges (and the deduplication count kept by the sink), read by `read` at collection. */
  observe(read: () => CollectorGauges): void {
    const m = this.meter;
    const gauge = (name: string, description: string) =>
      m.createObservableGauge(`spantrack.collector.${name}`, { description });
    const deduplicated = m.createObservableCounter('spantrack.collector.messages_deduplicated', {
      description:
        'Messages not sent again: their messageId was delivered within the window, or was in flight.',
    });
    const depth = gauge('queue_depth', 'Messages handed to the sink and not yet settled.');
    const capacity = gauge(
      'queue_capacity',
      'Queue depth past which requests are answered 429 / UNAVAILABLE.',
    );
    const healthy = gauge('sink_healthy', '1 unless the last delivery failed retryably.');
    const draining = gauge('draining', '1 while shutting down.');
    m.addBatchObservableCallback(
      (result) => {
        const g = read();
        result.observe(deduplicated, g.messagesDeduplicated);
        result.observe(depth, g.queueDepth);
        result.observe(capacity, g.queueCapacity);
        result.observe(healthy, g.sinkHealthy ? 1 : 0);
        result.observe(draining, g.draining ? 1 : 0);
      },
      [deduplicated, depth, capacity, healthy, draining],
    );
  }
}
