import {
  DEFAULT_DEDUPE_WINDOW,
  DeduplicatingSink,
  FIGURES_METER_NAME,
  MetricsSink,
  type Sink,
} from '@spantrack/processor';
import { createTranslator } from '@spantrack/processor/translate';
import { type CollectorOptions, createSink, type ResolvedConfig, resolveConfig } from './config';
import { type ForwardStats, TraceForwarder } from './forward/trace-forwarder';
import { type GrpcReceiver, startGrpcReceiver } from './grpc/grpc-receiver';
import { BearerAuth } from './http/bearer-auth';
import { type HttpReceiver, startHttpReceiver, TRACES_PATH } from './http/http-receiver';
import { CollectorPipeline } from './pipeline/collector-pipeline';
import { MemoryBudget } from './pipeline/memory-budget';
import { type CollectorStore, openCollectorStore, type StoreStats } from './store/collector-store';
import { createCollectorTelemetry } from './telemetry/collector-meter-provider';
import { CollectorMetrics } from './telemetry/collector-metrics';

/** The event store of a collector started with `store`. */
export type CollectorStoreAccess = Pick<CollectorStore, 'insights' | 'flush'>;

/** Running totals of one collector. */
export interface CollectorStats {
  /** Export requests answered (HTTP and gRPC, every outcome but `aborted`). */
  requests: number;
  spansReceived: number;
  /** Spans reported back in `partial_success.rejected_spans`. */
  spansRejected: number;
  messagesTranslated: number;
  messagesDelivered: number;
  messagesFailed: number;
  /** Messages handed to the sink and not yet settled. */
  queueDepth: number;
  /** False after a retryable sink failure, until a delivery succeeds. */
  sinkHealthy: boolean;
  /** The forwarding to the trace backend, when `forwardTraces` is set. */
  forward: ForwardStats | undefined;
  /** The event store beside the sink, when `store` is set. */
  store: StoreStats | undefined;
}

export interface Collector {
  /** `http://host:port` of the OTLP/HTTP receiver (traces at `${httpUrl}/v1/traces`), when enabled. */
  readonly httpUrl: string | undefined;
  /** `http://host:port` of the OTLP/gRPC receiver, when enabled. */
  readonly grpcUrl: string | undefined;
  /** `${httpUrl}/v1/traces`, what an OTLP/HTTP exporter's `url` takes. */
  readonly tracesUrl: string | undefined;
  /** The trace backend's URL the received requests are forwarded to, when set. */
  readonly forwardUrl: string | undefined;
  /** `${httpUrl}/`, the insights dashboard, when `store` is set and HTTP listens. */
  readonly dashboardUrl: string | undefined;
  /** The event store's queries and its flush, when `store` is set. */
  readonly store: CollectorStoreAccess | undefined;
  /** The resolved settings (sink config included; a `Sink` object when one was passed). */
  readonly config: ResolvedConfig;
  stats(): CollectorStats;
  /** The `/metrics` text: this process's instruments, in the Prometheus text format. */
  metrics(): Promise<string>;
  /** Why `/readyz` answers 503 (`shutting down`, `queue full`, `sink failing`), or undefined when ready. */
  notReady(): string | undefined;
  /**
   * Graceful stop: refuses new requests (503), lets open ones finish (their deliveries included),
   * flushes and shuts the sink down and sends what waits for the trace backend, all within
   * `shutdownTimeoutMs`. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * How `/metrics`, `/healthz` and `/readyz` answer for every worker of a collector started with
 * `--workers N` rather than for the one process that got the request (cluster/cluster-worker.ts).
 */
export interface WholeCollectorView {
  metrics(): Promise<string>;
  notReady(): Promise<string | undefined>;
  health(): Promise<string>;
}

/**
 * Starts the OTLP receivers (HTTP and gRPC) in front of the translation pipeline and a sink.
 * `view`: set by a cluster worker, so its HTTP endpoints answer for the whole collector.
 * @throws SpantrackConfigError when an option or environment variable is invalid
 */
export async function startCollector(
  options: CollectorOptions = {},
  view?: WholeCollectorView,
): Promise<Collector> {
  const config = resolveConfig(options);
  const given = options.log;
  const log: NonNullable<CollectorOptions['log']> =
    given === undefined
      ? () => {}
      : (line, event) => {
          if (event.level === 'info' && config.logLevel !== 'info') return;
          if (event.level === 'warn' && config.logLevel === 'none') return;
          given(line, event);
        };
  // Said once per process (deprecated spellings...): through the log, else as a process warning.
  for (const warning of config.warnings) {
    if (given) log(warning, { level: 'warn', msg: 'configuration warning', warning });
    else process.emitWarning(warning, 'SpantrackWarning');
  }
  const forwarder =
    config.forwardTraces !== false ? new TraceForwarder(config.forwardTraces, log) : undefined;
  const forward = forwarder
    ? (body: Buffer, contentType: string, encoding: string | undefined, identity: Uint8Array) => {
        forwarder.offer(body, contentType, encoding, identity);
      }
    : undefined;
  const ownsSink = !('send' in config.sink);
  const primarySink: Sink =
    'send' in config.sink ? config.sink : createSink(config.sink, config.deliveryTimeoutMs);
  let store: CollectorStore | undefined;
  if (config.store !== false) {
    try {
      store = await openCollectorStore(config.store, primarySink, config.bearerToken, log);
    } catch (error) {
      if (ownsSink) await primarySink.shutdown(0);
      throw error;
    }
  }
  // With a store, the fan-out owns both sinks: the caller's own sink is flushed, not shut down.
  const sink: Sink = store?.sink ?? primarySink;
  const translator = createTranslator(config.translator);
  const telemetry = await createCollectorTelemetry(config.metricsExport, log);
  const metrics = new CollectorMetrics(telemetry.meter);
  // The dashboards' figures, on the same MeterProvider: at `/metrics` and over OTLP beside the rest.
  const figures = new MetricsSink(sink, { meter: telemetry.provider.getMeter(FIGURES_METER_NAME) });
  // A sender's retry after a 503 (its delivery deadline passed while the sink kept trying) carries
  // the same messageIds: remembered ones are not sent again (nor counted again in the figures), and
  // one still in flight is joined.
  const deduplicated = new DeduplicatingSink(figures, DEFAULT_DEDUPE_WINDOW);
  const pipeline = new CollectorPipeline({
    translator,
    sink: deduplicated,
    metrics,
    ack: config.ack,
    maxQueuedMessages: config.maxQueuedMessages,
    deliveryTimeoutMs: config.deliveryTimeoutMs,
    throttleRetryAfterMs: config.throttleRetryAfterSeconds * 1000,
    unavailableRetryAfterMs: config.unavailableRetryAfterSeconds * 1000,
    onSinkError: (error) =>
      log(`sink failing: ${error.message}`, { level: 'warn', msg: 'sink failing', error: error.message }),
  });
  const auth = config.bearerToken !== undefined ? new BearerAuth(config.bearerToken) : undefined;
  const metricsToken = config.metricsToken ?? config.bearerToken;
  const metricsAuth = metricsToken !== undefined ? new BearerAuth(metricsToken) : undefined;
  // One memory budget for both receivers: requests over HTTP and gRPC draw on the same bytes, except
  // the room for one gRPC message being inflated (grpc-js inflates before a handler can count it),
  // which is set apart from it so that the total stays maxBufferedBytes.
  const inflation = config.grpc !== false ? config.maxDecompressedBytes : 0;
  const budget = new MemoryBudget(Math.max(config.maxBufferedBytes - inflation, config.maxDecompressedBytes));
  metrics.observe(() => ({
    queueDepth: pipeline.queueDepth,
    queueCapacity: config.maxQueuedMessages,
    sinkHealthy: pipeline.healthy,
    draining: pipeline.isDraining,
    messagesDeduplicated: deduplicated.stats.deduplicated,
  }));
  store?.observe(telemetry.meter);
  forwarder?.observe(telemetry.meter);
  const renderMetrics = () => telemetry.renderPrometheus();

  const notReady = () => {
    if (pipeline.isDraining) return 'shutting down';
    if (pipeline.queueDepth >= config.maxQueuedMessages) return 'queue full';
    if (!pipeline.healthy) return 'sink failing';
    return undefined;
  };

  let http: HttpReceiver | undefined;
  let grpc: GrpcReceiver | undefined;
  try {
    if (config.http !== false) {
      http = await startHttpReceiver({
        host: config.http.host,
        port: config.http.port,
        pipeline,
        metrics,
        auth,
        maxRequestBytes: config.maxRequestBytes,
        maxDecompressedBytes: config.maxDecompressedBytes,
        budget,
        maxSpansPerRequest: config.maxSpansPerRequest,
        lingerMs: config.errorLingerMs,
        metricsAuth,
        busyRetryAfterSeconds: config.throttleRetryAfterSeconds,
        unavailableRetryAfterSeconds: config.unavailableRetryAfterSeconds,
        notReady: view ? () => view.notReady() : notReady,
        renderMetrics: view ? () => view.metrics() : renderMetrics,
        ...(view ? { health: () => view.health() } : {}),
        ...(forward ? { forward } : {}),
        ...(store ? { routes: store.dashboard } : {}),
      });
    }
    if (config.grpc !== false) {
      grpc = await startGrpcReceiver({
        host: config.grpc.host,
        port: config.grpc.port,
        pipeline,
        metrics,
        auth,
        maxMessageBytes: config.maxDecompressedBytes,
        budget,
        // grpc-js inflates a message before the handler sees it: calls wait here for room for their
        // largest message, one such message at a time.
        inflationBudget: new MemoryBudget(inflation),
        maxSpansPerRequest: config.maxSpansPerRequest,
        busyRetryAfterMs: config.throttleRetryAfterSeconds * 1000,
        ...(forward ? { forward } : {}),
      });
    }
  } catch (error) {
    await http?.close(0);
    await grpc?.close(0);
    if (ownsSink) await sink.shutdown(0);
    else if (store) await store.closeStore();
    await forwarder?.close(0);
    await telemetry.shutdown(0);
    throw error;
  }

  let closing: Promise<void> | undefined;
  async function shutdown(): Promise<void> {
    const deadline = Date.now() + config.shutdownTimeoutMs;
    const left = () => Math.max(0, deadline - Date.now());
    pipeline.startDraining();
    http?.stopAccepting();
    const grpcClosed = grpc?.close(left());
    await pipeline.waitIdle(left());
    await Promise.all([http?.close(left()), grpcClosed]);
    // The two halves drain side by side: a hanging trace backend does not hold the sink's flush.
    await Promise.all([
      ownsSink ? sink.shutdown(left()) : sink.flush(left()).then(() => store?.closeStore()),
      forwarder?.close(left()),
    ]);
    // Last, so the final OTLP export carries every delivery.
    await telemetry.shutdown(left());
  }

  return {
    httpUrl: http?.url,
    grpcUrl: grpc?.url,
    tracesUrl: http ? `${http.url}${TRACES_PATH}` : undefined,
    forwardUrl: forwarder?.url,
    dashboardUrl: store && http ? `${http.url}/` : undefined,
    store: store ? { insights: store.insights, flush: () => store!.flush() } : undefined,
    config,
    stats: () => ({
      requests: metrics.totalRequests(),
      spansReceived: metrics.spansReceived,
      spansRejected: metrics.spansRejected,
      messagesTranslated: metrics.messagesTranslated,
      messagesDelivered: metrics.messagesDelivered,
      messagesFailed: metrics.messagesFailed,
      queueDepth: pipeline.queueDepth,
      sinkHealthy: pipeline.healthy,
      forward: forwarder?.stats(),
      store: store?.stats(),
    }),
    metrics: renderMetrics,
    notReady,
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}
