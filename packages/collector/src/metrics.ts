/** Which receiver answered. */
export type Transport = 'http' | 'grpc';

/** How a request was answered, for `spantrack_collector_requests_total{outcome}`. */
export type RequestOutcome =
  | 'ok'
  | 'partial'
  | 'invalid'
  | 'unauthorized'
  | 'too_large'
  | 'unsupported'
  | 'throttled'
  | 'unavailable'
  /** The client disconnected before its body was read: no answer was sent. */
  | 'aborted';

/** Request latency buckets, seconds (ack after delivery includes the sink's batching wait). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]!) {
        this.counts[i]!++;
        break;
      }
    }
  }
}

/** Counters and gauges of one collector, exposed in the Prometheus text format on `/metrics`. */
export class CollectorMetrics {
  readonly requests = new Map<string, number>();
  spansReceived = 0;
  /** Spans counted in `partial_success.rejected_spans`. */
  spansRejected = 0;
  messagesTranslated = 0;
  messagesDelivered = 0;
  /** Messages the sink failed (retryable failures are retried by the sender: the same ids come back). */
  messagesFailed = 0;
  readonly diagnostics = new Map<string, number>();
  private readonly latency = new Map<Transport, Histogram>();

  recordRequest(transport: Transport, outcome: RequestOutcome, seconds: number): void {
    const key = `${transport}\u0000${outcome}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let h = this.latency.get(transport);
    if (h === undefined) {
      h = new Histogram();
      this.latency.set(transport, h);
    }
    h.observe(seconds);
  }

  recordDiagnostic(code: string): void {
    this.diagnostics.set(code, (this.diagnostics.get(code) ?? 0) + 1);
  }

  /** Requests answered, over every transport and outcome (`aborted` ones were not answered). */
  totalRequests(): number {
    let n = 0;
    for (const [key, v] of this.requests) if (!key.endsWith('\u0000aborted')) n += v;
    return n;
  }

  /** The exposition text; `gauges` are read at scrape time. */
  render(gauges: {
    queueDepth: number;
    queueCapacity: number;
    sinkHealthy: boolean;
    draining: boolean;
    /** Messages not sent again: their messageId was delivered within the window or in flight. */
    messagesDeduplicated?: number;
  }): string {
    const lines: string[] = [];
    const counter = (name: string, help: string, value: number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
    };
    const gauge = (name: string, help: string, value: number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`);
    };
    lines.push(
      '# HELP spantrack_collector_requests_total OTLP export requests, by transport and outcome (aborted: the client left before the answer).',
      '# TYPE spantrack_collector_requests_total counter',
    );
    for (const [key, value] of [...this.requests].sort()) {
      const [transport, outcome] = key.split('\u0000');
      lines.push(
        `spantrack_collector_requests_total{transport="${transport}",outcome="${outcome}"} ${value}`,
      );
    }
    counter(
      'spantrack_collector_spans_received_total',
      'Spans received in decodable requests.',
      this.spansReceived,
    );
    counter(
      'spantrack_collector_spans_rejected_total',
      'Spans reported in partial_success.rejected_spans (could not be translated or delivered).',
      this.spansRejected,
    );
    counter(
      'spantrack_collector_messages_translated_total',
      'Analytics messages produced by translation.',
      this.messagesTranslated,
    );
    counter(
      'spantrack_collector_messages_delivered_total',
      'Analytics messages the sink accepted.',
      this.messagesDelivered,
    );
    counter(
      'spantrack_collector_messages_failed_total',
      'Analytics messages the sink failed (the sender is asked to retry retryable failures).',
      this.messagesFailed,
    );
    lines.push(
      '# HELP spantrack_collector_diagnostics_total Translation diagnostics, by code.',
      '# TYPE spantrack_collector_diagnostics_total counter',
    );
    for (const [code, value] of [...this.diagnostics].sort()) {
      lines.push(`spantrack_collector_diagnostics_total{code="${code}"} ${value}`);
    }
    counter(
      'spantrack_collector_messages_deduplicated_total',
      'Messages not sent again: their messageId was delivered within the window, or was in flight.',
      gauges.messagesDeduplicated ?? 0,
    );
    gauge(
      'spantrack_collector_queue_depth',
      'Messages handed to the sink and not yet settled.',
      gauges.queueDepth,
    );
    gauge(
      'spantrack_collector_queue_capacity',
      'Queue depth past which requests are answered 429 / UNAVAILABLE.',
      gauges.queueCapacity,
    );
    gauge(
      'spantrack_collector_sink_healthy',
      '1 unless the last delivery failed retryably.',
      gauges.sinkHealthy ? 1 : 0,
    );
    gauge('spantrack_collector_draining', '1 while shutting down.', gauges.draining ? 1 : 0);
    lines.push(
      '# HELP spantrack_collector_request_duration_seconds Time from request start to answer.',
      '# TYPE spantrack_collector_request_duration_seconds histogram',
    );
    for (const [transport, h] of this.latency) {
      let cumulative = 0;
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        cumulative += h.counts[i]!;
        lines.push(
          `spantrack_collector_request_duration_seconds_bucket{transport="${transport}",le="${LATENCY_BUCKETS[i]}"} ${cumulative}`,
        );
      }
      lines.push(
        `spantrack_collector_request_duration_seconds_bucket{transport="${transport}",le="+Inf"} ${h.count}`,
        `spantrack_collector_request_duration_seconds_sum{transport="${transport}"} ${h.sum}`,
        `spantrack_collector_request_duration_seconds_count{transport="${transport}"} ${h.count}`,
      );
    }
    const memory = process.memoryUsage();
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', memory.rss);
    gauge('process_heap_bytes', 'V8 heap used, in bytes.', memory.heapUsed);
    return `${lines.join('\n')}\n`;
  }
}
