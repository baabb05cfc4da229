import type { Attributes, MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type {
  AnalyticsSpanProcessorOptions,
  AnalyticsSpanProcessorStats,
  PriceTable,
  PrivacyPolicy,
  SegmentTransport,
  Sink,
  TranslatorOptions,
} from '@spantrack/processor';
import type { SpanProcessorLike } from './span-processor-like';

/** OTLP/HTTP wire formats spantrack can send. gRPC is not bundled (use an OpenTelemetry Collector). */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/**
 * What spantrack prints to stderr. `info`: one line at startup (where traces and events go,
 * content capture and pseudonymisation on or off) and one at exit (spans exported, events
 * delivered, failures), plus warnings. `warn`: warnings only. `none`: nothing (warnings still
 * reach the OpenTelemetry `diag` logger).
 */
export type LogLevel = 'info' | 'warn' | 'none';

/** Analytics sinks selectable by name (options or `SPANTRACK_SINK`; `null` is a deprecated spelling of `none`). */
export type SinkName = 'segment' | 'jsonl' | 'console' | 'none';

/**
 * `batch`: spans are exported in batches in the background (long-running services).
 * `immediate`: each span is exported as it ends and analytics are sent in small, quick batches, so
 * `flush()` at the end of a request has little left to do (serverless).
 */
export type SpantrackMode = 'batch' | 'immediate';

/**
 * Where OTLP traces go. Only what is set here is passed to the OTLP exporter, which reads the
 * standard `OTEL_EXPORTER_OTLP_*` env vars itself for the rest.
 */
export interface OtlpOptions {
  /**
   * Full URL of the traces endpoint, used as-is.
   * @default `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as-is, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`,
   * else `http://localhost:4318/v1/traces`
   */
  endpoint?: string;
  /**
   * Headers of every export request (e.g. `authorization`). Merged per key over the env headers
   * (the exporter's merge); entries Node would refuse (CR/LF in a value) are left out with a warning.
   * @default `OTEL_EXPORTER_OTLP_TRACES_HEADERS`, else `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`, URL-encoded), else none
   */
  headers?: Record<string, string>;
  /**
   * @default `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/protobuf`
   */
  protocol?: OtlpProtocol;
  /**
   * @default `OTEL_EXPORTER_OTLP_TRACES_COMPRESSION`, else `OTEL_EXPORTER_OTLP_COMPRESSION`, else `none`
   */
  compression?: 'gzip' | 'none';
  /**
   * Deadline of one export, retries included.
   * @default `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT`, else `OTEL_EXPORTER_OTLP_TIMEOUT`, else 10,000 ms
   */
  timeoutMillis?: number;
}

/** Segment (or a Segment-compatible receiver: RudderStack, the test server). */
export interface SegmentOptions {
  /** Required for the `segment` sink. @default `SPANTRACK_SEGMENT_WRITE_KEY`, else none */
  writeKey?: string;
  /** @default `SPANTRACK_SEGMENT_HOST`, else `https://api.segment.io` */
  host?: string;
  /** @default `SPANTRACK_SEGMENT_PATH`, else `/v1/batch` */
  path?: string;
  /** @default `publisher` (see `SegmentSinkOptions.transport`) */
  transport?: SegmentTransport;
}

/** Tuning of the `AnalyticsSpanProcessor` (queue sizes, delays, deadlines). */
export type AnalyticsTuning = Omit<
  AnalyticsSpanProcessorOptions,
  'sink' | 'catalogs' | 'privacy' | 'sources'
>;

/** Options of {@link setup} and {@link createSpanProcessors}. Each resolves as `option ?? env ?? default`. */
export interface SpantrackNodeOptions {
  /**
   * Turns everything off: `setup` returns a handle that does nothing.
   * @default `OTEL_SDK_DISABLED=true`, else false
   */
  disabled?: boolean;
  /** `service.name` of the resource. @default `OTEL_SERVICE_NAME`, else `unknown_service:node` */
  serviceName?: string;
  /**
   * More resource attributes, merged over `OTEL_RESOURCE_ATTRIBUTES`.
   * @default `OTEL_RESOURCE_ATTRIBUTES` (`k=v,k2=v2`, URL-encoded), else none
   */
  resourceAttributes?: Attributes;
  /**
   * `otlp`: export traces over OTLP/HTTP. `none`: analytics only.
   * @default `SPANTRACK_TRACES_EXPORTER`, else `OTEL_TRACES_EXPORTER`, else `otlp`
   */
  tracesExporter?: 'otlp' | 'none';
  /** The OTLP trace exporter. @default see each field */
  otlp?: OtlpOptions;
  /**
   * Where analytics events go: a name, or any `Sink` object.
   * @default `SPANTRACK_SINK`, else `segment` when a Segment write key is set, else `none`
   * (analytics disabled with one warning; traces still flow)
   */
  sink?: SinkName | Sink;
  /** Options of the `segment` sink. @default see each field */
  segment?: SegmentOptions;
  /**
   * Also keep every analytics event in a DuckDB event store (a file, or `:memory:`) for the
   * insights dashboard and the `spantrack` CLI; needs the optional package `@spantrack/insights`.
   * Delivery to `sink` does not wait for the store; the store's failures are counted, not raised.
   * @default `SPANTRACK_STORE` (`off` for none), else none
   */
  store?: string | false;
  /** File of the `jsonl` sink. @default `SPANTRACK_JSONL_PATH`, else `spantrack-events.jsonl` in the working directory */
  jsonlPath?: string;
  /**
   * Catalogs to run.
   * @default `SPANTRACK_CATALOGS` (comma list), else `ai-agent,segment-copilot,customer-signals`
   */
  catalogs?: TranslatorOptions['catalogs'];
  /**
   * What may leave the process. `captureContent` also turns on content capture of the OpenAI
   * instrumentation.
   * @default `captureContent`: `SPANTRACK_CAPTURE_CONTENT`, else
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`, else false; `pseudonymizeUserIds`:
   * `{ secret: SPANTRACK_PSEUDONYMIZE_SECRET }` when that is set, else off; `maxEventBytes`:
   * `SPANTRACK_MAX_EVENT_BYTES`, else 31744; `redact`: none
   */
  privacy?: PrivacyPolicy;
  /**
   * Model prices (USD per million tokens) over the shipped table, for `cost_usd`: an object, or the
   * path of a JSON file of model → `{ input, output, cachedInput? }`.
   * @default `SPANTRACK_PRICES` (a file path), else the shipped table only
   */
  prices?: PriceTable | string;
  /** @default `SPANTRACK_MODE`, else `batch` */
  mode?: SpantrackMode;
  /**
   * Enable the instrumentations of installed LLM clients (today: `openai`, through
   * `@opentelemetry/instrumentation-openai`).
   * @default `SPANTRACK_AUTO_INSTRUMENT`, else true
   */
  autoInstrument?: boolean;
  /** More instrumentations to enable. @default none */
  instrumentations?: Instrumentation[];
  /** Tuning of the analytics processor. @default the processor's defaults (small delays in `immediate` mode) */
  analytics?: AnalyticsTuning;
  /**
   * Where the dashboards' figures (`spantrack.ai.requests`, `spantrack.ai.latency`, ...) are recorded
   * as OpenTelemetry metrics, one count per analytics event; `false` for nowhere. Register a global
   * MeterProvider before `setup()` to have them there without this option.
   * @default the global MeterProvider at setup time (the API's no-op one when none is registered)
   */
  meterProvider?: MeterProvider | false;
  /**
   * What spantrack prints to stderr (never a write key or header). Under the register entry the
   * startup and exit lines are on by default; `setup()` in code stays quiet unless asked.
   * @default `SPANTRACK_LOG_LEVEL`, else `warn` when `SPANTRACK_QUIET=true`, else `info` under
   * `--import` / `--require @spantrack/node/register` and `warn` for `setup()`
   */
  logLevel?: LogLevel;
  /**
   * Deadline of `flush()` and `shutdown()`, and of the flush on SIGTERM / SIGINT / `beforeExit`.
   * @default `SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS`, else 5,000 ms
   */
  shutdownTimeoutMillis?: number;
}

/** Counters of the OTLP trace export. Totals since setup. */
export interface TraceExportStats {
  /** Export calls (batches) the exporter accepted. */
  exportsSucceeded: number;
  /** Export calls that failed (unreachable endpoint, rejected, timed out). */
  exportsFailed: number;
  /** Spans in successful exports. */
  spansExported: number;
  /** Spans in failed exports. */
  spansFailed: number;
  /** Message of the latest failure. */
  lastError?: string;
}

/** A snapshot of {@link SpantrackHandle.stats}. */
export interface SpantrackStats {
  /** Spans ended since setup (seen by spantrack's processors). */
  spansEnded: number;
  /** Undefined when traces are not exported by spantrack (`tracesExporter: 'none'`, or attached without an endpoint). */
  traces: TraceExportStats | undefined;
  /** Undefined when analytics are disabled (sink `none`). */
  analytics: AnalyticsSpanProcessorStats | undefined;
}

/**
 * How spantrack reached the spans: `registered` its own global `NodeTracerProvider`; `attached`
 * its processors to a provider that was already global; `detached` could not attach (warned);
 * `disabled` by `OTEL_SDK_DISABLED` / `disabled`.
 */
export type SetupState = 'registered' | 'attached' | 'detached' | 'disabled';

/** What {@link setup} returns. The same handle is returned by every later `setup` call. */
export interface SpantrackHandle {
  readonly state: SetupState;
  /** The provider spans go through: spantrack's, or the one it attached to. */
  readonly tracerProvider: TracerProvider;
  /** Sends everything buffered (traces and analytics) within `shutdownTimeoutMillis`. Never rejects. */
  flush(): Promise<void>;
  /** Flushes and shuts spantrack's processors down (and its provider, if it registered one). Idempotent; never rejects. */
  shutdown(): Promise<void>;
  stats(): SpantrackStats;
}

/** What {@link createSpanProcessors} returns: for applications that build their own provider. */
export interface SpantrackSpanProcessors {
  /** In order: context attributes, span counter, OTLP export (if any), analytics (if any). */
  readonly spanProcessors: SpanProcessorLike[];
  stats(): SpantrackStats;
}
