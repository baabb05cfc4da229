import {
  ConsoleSink,
  deprecatedOnce,
  JsonlFileSink,
  type PriceTable,
  priceTableOf,
  readSetting,
  SHARED_SETTINGS as S,
  SegmentSink,
  type SharedLogLevel,
  type SharedSetting,
  type SharedSinkName,
  SINK_NAMES,
  type Sink,
} from '@spantrack/processor';
import {
  createTranslator,
  type PrivacyPolicy,
  SpantrackConfigError,
  type TranslatorOptions,
} from '@spantrack/processor/translate';
import type { LogEvent } from './log/log-event';
import type { AckMode } from './pipeline/collector-pipeline';
import { resolveStoreSetting } from './store/store-setting';
import type { MetricsExportConfig } from './telemetry/collector-meter-provider';
import { resolveMetricsOtlpUrl } from './telemetry/metrics-otlp-url';

/** A listener address; `port` 0 picks a free port. */
export interface ListenOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 4318 for HTTP, 4317 for gRPC */
  port?: number;
}

/** A sink the collector builds itself (the CLI's choices). */
export type SinkConfig =
  | {
      type: 'segment';
      writeKey: string;
      /** @default 'https://api.segment.io' */
      host?: string;
      /** @default '/v1/batch' */
      path?: string;
      /** How long a partly filled Segment batch waits for more messages. @default 100 */
      flushIntervalMs?: number;
    }
  | { type: 'jsonl'; path: string }
  | { type: 'console'; pretty?: boolean }
  | { type: 'none' }
  /** @deprecated spelled `none` now (one warning) */
  | { type: 'null' };

/** A sink by name (`null`: deprecated spelling of `none`), as `@spantrack/node` takes it. */
export type SinkName = SharedSinkName | 'null';

/** Segment (or a Segment-compatible receiver), as `@spantrack/node` takes it. */
export interface SegmentOptions {
  /** Env `SPANTRACK_SEGMENT_WRITE_KEY`. @default none */
  writeKey?: string;
  /** Env `SPANTRACK_SEGMENT_HOST`. @default 'https://api.segment.io' */
  host?: string;
  /** Env `SPANTRACK_SEGMENT_PATH`. @default '/v1/batch' */
  path?: string;
}

export interface CollectorOptions {
  /** OTLP/HTTP listener, or `false` for none. Env `SPANTRACK_COLLECTOR_HTTP_HOST` / `_HTTP_PORT`. @default 127.0.0.1:4318 */
  http?: ListenOptions | false;
  /** OTLP/gRPC listener, or `false` for none. Env `SPANTRACK_COLLECTOR_GRPC_HOST` / `_GRPC_PORT`. @default 127.0.0.1:4317 */
  grpc?: ListenOptions | false;
  /**
   * Where messages go: a name (`segment` | `jsonl` | `console` | `none`), a `Sink` you built, or a
   * `SinkConfig`. Env `SPANTRACK_SINK`, with `SPANTRACK_SEGMENT_WRITE_KEY`, `SPANTRACK_SEGMENT_HOST`,
   * `SPANTRACK_SEGMENT_PATH`, `SPANTRACK_JSONL_PATH` (the settings shared with `@spantrack/node`,
   * docs/configuration.md).
   * @default segment when a write key is set, console otherwise
   */
  sink?: Sink | SinkConfig | SinkName;
  /** The `segment` sink (when `sink` is a name or unset). @default see each field */
  segment?: SegmentOptions;
  /** File of the `jsonl` sink. Env `SPANTRACK_JSONL_PATH`. @default none: required by the `jsonl` sink */
  jsonlPath?: string;
  /** Catalogs to run. Env `SPANTRACK_CATALOGS` (comma list). @default all built-in catalogs */
  catalogs?: TranslatorOptions['catalogs'];
  /**
   * What may leave: content capture (env `SPANTRACK_CAPTURE_CONTENT`, else
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`), user-id pseudonymisation (env
   * `SPANTRACK_PSEUDONYMIZE_SECRET`), size cap (env `SPANTRACK_MAX_EVENT_BYTES`), `redact`.
   * @default content off, user ids as sent, 31744 bytes, no redact
   */
  privacy?: PrivacyPolicy;
  /** Model prices over the shipped table: an object or a JSON file path. Env `SPANTRACK_PRICES`. @default the shipped table */
  prices?: PriceTable | string;
  /** The translation's options as one object; `catalogs`, `privacy` and `prices` above win over its fields. @default none */
  translator?: TranslatorOptions;
  /** When a request is acknowledged. Env `SPANTRACK_COLLECTOR_ACK`. @default 'delivered' */
  ack?: AckMode;
  /** Requests must carry `Authorization: Bearer <token>` (HTTP header or gRPC metadata). Env `SPANTRACK_COLLECTOR_BEARER_TOKEN`. @default none */
  bearerToken?: string;
  /** Request body limit as received (compressed). Env `SPANTRACK_COLLECTOR_MAX_REQUEST_BYTES`. @default 20 MiB */
  maxRequestBytes?: number;
  /** Request body limit after gunzip, enforced while inflating. Env `SPANTRACK_COLLECTOR_MAX_DECOMPRESSED_BYTES`. @default 32 MiB (so that the largest requests in flight stay within the 512 MiB memory ceiling) */
  maxDecompressedBytes?: number;
  /**
   * Request body bytes held at once over all HTTP requests (received plus decompressed); a request
   * that would pass it gets 429 (a request alone is never refused by it). Env
   * `SPANTRACK_COLLECTOR_MAX_BUFFERED_BYTES`. @default 2 × maxDecompressedBytes
   */
  maxBufferedBytes?: number;
  /**
   * Spans one request (HTTP body or gRPC message) may hold; a request with more is refused with 413
   * (gRPC RESOURCE_EXHAUSTED) naming the limit, before its spans are translated. Env
   * `SPANTRACK_COLLECTOR_MAX_SPANS_PER_REQUEST`. @default 10,000
   */
  maxSpansPerRequest?: number;
  /** After an error answer, how long the unread rest of a request body may keep its connection. Env `SPANTRACK_COLLECTOR_ERROR_LINGER_MS`. @default 10,000 */
  errorLingerMs?: number;
  /** `/metrics` requires `Authorization: Bearer <token>`. Env `SPANTRACK_COLLECTOR_METRICS_TOKEN`. @default the bearer token, when one is set; otherwise open */
  metricsToken?: string;
  /** Messages handed to the sink and not yet settled, past which requests get 429. Env `SPANTRACK_COLLECTOR_MAX_QUEUED_MESSAGES`. @default 20,000 */
  maxQueuedMessages?: number;
  /** With ack `delivered`, how long a request waits for the sink before 503. Env `SPANTRACK_COLLECTOR_DELIVERY_TIMEOUT_MS`. @default 5,000 */
  deliveryTimeoutMs?: number;
  /** `Retry-After` of 429 (queue full). @default 1 */
  throttleRetryAfterSeconds?: number;
  /** `Retry-After` of 503 (sink failing, timeout, shutdown). @default 2 */
  unavailableRetryAfterSeconds?: number;
  /** How long `close()` waits for in-flight requests and the sink's flush. Env `SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS`. @default 10,000 */
  shutdownTimeoutMillis?: number;
  /** @deprecated spelled `shutdownTimeoutMillis` now, as in `@spantrack/node` */
  shutdownTimeoutMs?: number;
  /**
   * Also send every accepted OTLP request, byte for byte, to an OTLP/HTTP trace backend; `false` for
   * none. Env `SPANTRACK_COLLECTOR_FORWARD_TRACES` (URL) and the `_FORWARD_*` variables below.
   * @default not forwarded
   */
  forwardTraces?: ForwardTracesOptions | false;
  /**
   * Also write every message to the DuckDB event store of `@spantrack/insights` (a file or
   * `:memory:`), and serve its dashboard at `/`; `false` for none. Requests are still acknowledged
   * on the sink alone: the store is best-effort, its failures counted. Env `SPANTRACK_STORE`
   * (`off` for none). @default false
   */
  store?: string | false;
  /** Log lines (sink and backend failures), with the same event as structured fields. @default none */
  log?: (line: string, event: LogEvent) => void;
  /**
   * Which lines reach `log`: `info` all, `warn` warnings and errors, `none` errors only. Env
   * `SPANTRACK_LOG_LEVEL`, else `warn` when `SPANTRACK_QUIET=true`. @default 'info'
   */
  logLevel?: SharedLogLevel;
  /** Environment to read settings from. @default process.env */
  env?: Record<string, string | undefined>;
  /**
   * Also export the collector's metrics (those of `/metrics`, the dashboards' figures included) over
   * OTLP/HTTP to this URL; a bare origin gets `/v1/metrics`. Env
   * `SPANTRACK_COLLECTOR_METRICS_OTLP_ENDPOINT`. @default not exported (only `/metrics`)
   */
  metricsOtlpEndpoint?: string;
  /** How often metrics are exported over OTLP. Env `SPANTRACK_COLLECTOR_METRICS_EXPORT_INTERVAL_MS`. @default 60,000 */
  metricsExportIntervalMs?: number;
}

/** Forwarding of the received OTLP requests to a trace backend. */
export interface ForwardTracesOptions {
  /**
   * The backend's OTLP/HTTP traces URL. A bare origin (`http://host:4318`) gets `/v1/traces`
   * appended; any other path is used as given. Env `SPANTRACK_COLLECTOR_FORWARD_TRACES`.
   */
  url: string;
  /** Headers sent with every forwarded request (auth, tenant). Env `SPANTRACK_COLLECTOR_FORWARD_TRACES_HEADERS` (`k=v,k2=v2`). @default none */
  headers?: Record<string, string>;
  /** One attempt's time limit; a timed-out attempt is retried. Env `SPANTRACK_COLLECTOR_FORWARD_TRACES_TIMEOUT_MS`. @default 10,000 */
  timeoutMs?: number;
  /** Request bytes (as received) waiting or in flight, past which new requests are dropped (counted). Env `SPANTRACK_COLLECTOR_FORWARD_QUEUE_BYTES`. @default 64 MiB */
  maxQueueBytes?: number;
  /** Requests waiting or in flight, past which new requests are dropped (counted). Env `SPANTRACK_COLLECTOR_FORWARD_QUEUE_REQUESTS`. @default 1,000 */
  maxQueueRequests?: number;
  /** How long one request is retried before it counts as failed. Env `SPANTRACK_COLLECTOR_FORWARD_MAX_RETRY_MS`. @default 300,000 */
  maxRetryMs?: number;
  /** Requests sent to the backend at once. @default 4 */
  concurrency?: number;
  /** First retry delay, doubled per attempt (with jitter). @default 500 */
  initialBackoffMs?: number;
  /** Longest retry delay, and the cap on a backend's `Retry-After`. @default 30,000 */
  maxBackoffMs?: number;
  /** How many recently forwarded request digests are kept, so a sender's retry is not forwarded twice. @default 10,000 */
  rememberedRequests?: number;
}

/** `ForwardTracesOptions` resolved and validated; `url` is the full traces URL. */
export type ResolvedForwardConfig = Required<ForwardTracesOptions>;

export const DEFAULTS = {
  httpHost: '127.0.0.1',
  httpPort: 4318,
  grpcHost: '127.0.0.1',
  grpcPort: 4317,
  maxRequestBytes: 20 * 1024 * 1024,
  maxDecompressedBytes: 32 * 1024 * 1024,
  maxQueuedMessages: 20_000,
  maxSpansPerRequest: 10_000,
  errorLingerMs: 10_000,
  deliveryTimeoutMs: 5_000,
  throttleRetryAfterSeconds: 1,
  unavailableRetryAfterSeconds: 2,
  shutdownTimeoutMs: 10_000,
  segmentFlushIntervalMs: 100,
  forwardTimeoutMs: 10_000,
  forwardMaxQueueBytes: 64 * 1024 * 1024,
  forwardMaxQueueRequests: 1_000,
  forwardMaxRetryMs: 300_000,
  forwardConcurrency: 4,
  forwardInitialBackoffMs: 500,
  forwardMaxBackoffMs: 30_000,
  forwardRememberedRequests: 10_000,
  summaryIntervalMs: 10_000,
  metricsExportIntervalMs: 60_000,
} as const;

/** Every option resolved (`option ?? env ?? default`) and validated. */
export interface ResolvedConfig {
  http: Required<ListenOptions> | false;
  grpc: Required<ListenOptions> | false;
  sink: Sink | SinkConfig;
  translator: TranslatorOptions;
  ack: AckMode;
  bearerToken: string | undefined;
  maxRequestBytes: number;
  maxDecompressedBytes: number;
  maxBufferedBytes: number;
  maxSpansPerRequest: number;
  errorLingerMs: number;
  metricsToken: string | undefined;
  maxQueuedMessages: number;
  deliveryTimeoutMs: number;
  throttleRetryAfterSeconds: number;
  unavailableRetryAfterSeconds: number;
  shutdownTimeoutMs: number;
  forwardTraces: ResolvedForwardConfig | false;
  store: string | false;
  metricsExport: MetricsExportConfig;
  logLevel: SharedLogLevel;
  /** Problems that do not stop the collector (deprecated spellings...), to log once. */
  warnings: string[];
}

/** Prefix of every environment variable the collector reads. */
export const ENV_PREFIX = 'SPANTRACK_COLLECTOR_';
const ENV = ENV_PREFIX;

type Env = Record<string, string | undefined>;

function envString(env: Env, name: string): string | undefined {
  const raw = env[ENV + name];
  return raw === undefined || raw === '' ? undefined : raw;
}

/**
 * One integer setting, `option ?? env ?? default`. An invalid value is reported under the name
 * the user set: the option path for an option, the variable for the environment (the CLI turns
 * the variable back into its flag).
 */
function intSetting(
  option: string,
  given: number | undefined,
  env: Env,
  name: string,
  fallback: number,
  valid: (n: number) => boolean,
  expected: string,
): number {
  if (given !== undefined) {
    if (!valid(given))
      throw new SpantrackConfigError(option, `expected ${expected}, got ${JSON.stringify(given)}`);
    return given;
  }
  const raw = envString(env, name);
  if (raw === undefined) return fallback;
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!valid(value))
    throw new SpantrackConfigError(ENV + name, `expected ${expected}, got ${JSON.stringify(raw)}`);
  return value;
}

const isPositiveInt = (n: number) => Number.isInteger(n) && n > 0;
const POSITIVE = 'a positive integer';

function positiveInt(option: string, given: number | undefined, env: Env, name: string, fallback: number) {
  return intSetting(option, given, env, name, fallback, isPositiveInt, POSITIVE);
}

const PORT = 'a port 0-65535 or "off"';
const isPort = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535;

function listener(
  option: string,
  given: ListenOptions | false | undefined,
  env: Env,
  prefix: 'HTTP' | 'GRPC',
  defaults: { host: string; port: number },
): Required<ListenOptions> | false {
  if (given === false) return false;
  const envPort = envString(env, `${prefix}_PORT`)?.trim().toLowerCase();
  if (given?.port === undefined && (envPort === 'off' || envPort === 'none')) return false;
  const host = given?.host ?? envString(env, `${prefix}_HOST`) ?? defaults.host;
  const p = intSetting(`${option}.port`, given?.port, env, `${prefix}_PORT`, defaults.port, isPort, PORT);
  return { host, port: p };
}

/** An `http:` or `https:` URL, or a config error naming `setting`. */
function httpUrl(setting: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SpantrackConfigError(
      setting,
      `expected an http:// or https:// URL, got ${JSON.stringify(raw)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SpantrackConfigError(
      setting,
      `expected an http:// or https:// URL, got ${JSON.stringify(raw)}`,
    );
  return url;
}

type Warn = (message: string) => void;

/** A shared setting from the environment: `SPANTRACK_<NAME>`, then the deprecated `SPANTRACK_COLLECTOR_<NAME>`. */
function shared<T>(
  setting: SharedSetting<T>,
  env: Env,
  warn: Warn,
): { value: T; source: string } | undefined {
  return readSetting(setting, env, { deprecatedAliases: true, warn });
}

interface SinkNames {
  writeKey: string;
  host: string;
  path: string;
  type: string;
}

function resolveSink(options: CollectorOptions, env: Env, warn: Warn): Sink | SinkConfig {
  const given = options.sink;
  if (given !== undefined && typeof given !== 'string') {
    if (given === null || typeof given !== 'object')
      throw new SpantrackConfigError('sink', 'must be a sink name, a Sink or a SinkConfig');
    if ('send' in given && typeof given.send === 'function') return given;
    return validateSinkConfig(
      given as SinkConfig,
      { writeKey: 'sink.writeKey', host: 'sink.host', path: 'sink.path', type: 'sink.type' },
      warn,
    );
  }
  const key = options.segment?.writeKey !== undefined ? undefined : shared(S.segmentWriteKey, env, warn);
  const writeKey = options.segment?.writeKey ?? key?.value;
  const fromEnv = given === undefined ? shared(S.sink, env, warn) : undefined;
  const type: SharedSinkName =
    given !== undefined
      ? S.sink.parse(given, 'sink', warn)
      : (fromEnv?.value ?? (writeKey ? 'segment' : 'console'));
  const host = options.segment?.host !== undefined ? undefined : shared(S.segmentHost, env, warn);
  const path = options.segment?.path !== undefined ? undefined : shared(S.segmentPath, env, warn);
  const jsonl = options.jsonlPath !== undefined ? undefined : shared(S.jsonlPath, env, warn);
  const names: SinkNames = {
    writeKey:
      options.segment?.writeKey !== undefined ? 'segment.writeKey' : (key?.source ?? S.segmentWriteKey.env!),
    host: options.segment?.host !== undefined ? 'segment.host' : (host?.source ?? S.segmentHost.env!),
    path: options.jsonlPath !== undefined ? 'jsonlPath' : (jsonl?.source ?? S.jsonlPath.env!),
    type: given !== undefined ? 'sink' : (fromEnv?.source ?? S.sink.env!),
  };
  switch (type) {
    case 'segment': {
      const h = options.segment?.host ?? host?.value;
      const p = options.segment?.path ?? path?.value;
      return validateSinkConfig(
        { type, writeKey: writeKey ?? '', ...(h ? { host: h } : {}), ...(p ? { path: p } : {}) },
        names,
        warn,
      );
    }
    case 'jsonl':
      return validateSinkConfig({ type, path: options.jsonlPath ?? jsonl?.value ?? '' }, names, warn);
    default:
      return { type };
  }
}

function validateSinkConfig(config: SinkConfig, names: SinkNames, warn: Warn): SinkConfig {
  switch (config.type) {
    case 'segment':
      if (!config.writeKey)
        throw new SpantrackConfigError(
          names.writeKey,
          'a Segment write key is required for the segment sink',
        );
      if (config.host !== undefined) httpUrl(names.host, config.host);
      return config;
    case 'jsonl':
      if (!config.path)
        throw new SpantrackConfigError(names.path, 'a file path is required for the jsonl sink');
      return config;
    case 'null':
      deprecatedOnce(`${names.type}=null`, `${names.type}: "null" is deprecated; use "none"`, warn);
      return { type: 'none' };
    case 'console':
    case 'none':
      return config;
    default:
      throw new SpantrackConfigError(
        names.type,
        `must be one of ${SINK_NAMES.join(', ')}, got ${JSON.stringify((config as { type: unknown }).type)}`,
      );
  }
}

/**
 * The translation's options: `catalogs`, `privacy` and `prices` ?? the `translator` object's ??
 * their environment variables (the settings shared with `@spantrack/node`).
 */
function resolveTranslator(options: CollectorOptions, env: Env, warn: Warn): TranslatorOptions {
  const base = options.translator ?? {};
  const privacy: PrivacyPolicy = { ...base.privacy, ...options.privacy };
  const out: TranslatorOptions = { ...base };
  const catalogs = options.catalogs ?? base.catalogs ?? shared(S.catalogs, env, warn)?.value;
  if (catalogs !== undefined) out.catalogs = catalogs;
  const capture = privacy.captureContent ?? shared(S.captureContent, env, warn)?.value;
  if (capture !== undefined) privacy.captureContent = capture;
  if (privacy.pseudonymizeUserIds === undefined) {
    const secret = shared(S.pseudonymizeSecret, env, warn)?.value;
    if (secret !== undefined) privacy.pseudonymizeUserIds = { secret };
  }
  const maxEventBytes = privacy.maxEventBytes ?? shared(S.maxEventBytes, env, warn)?.value;
  if (maxEventBytes !== undefined) privacy.maxEventBytes = maxEventBytes;
  if (Object.keys(privacy).length > 0) out.privacy = privacy;
  if (options.prices !== undefined) out.prices = priceTableOf(options.prices, 'prices');
  else if (base.prices === undefined) {
    const file = shared(S.prices, env, warn);
    if (file !== undefined) out.prices = priceTableOf(file.value, file.source);
  }
  // Checked now, so that a bad option is a configuration error at start, not at the first span.
  createTranslator(out);
  return out;
}

/** `k=v,k2=v2` (the `OTEL_EXPORTER_OTLP_HEADERS` format), values percent-decoded. */
export function parseHeaderList(setting: string, raw: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq === -1 ? '' : part.slice(0, eq).trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(key))
      throw new SpantrackConfigError(
        setting,
        `expected name=value header pairs, got ${JSON.stringify(part.trim())}`,
      );
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not percent-encoded: taken as written.
    }
    if (/[\r\n\0]/.test(value))
      throw new SpantrackConfigError(setting, `header ${key} has a line break or NUL in its value`);
    headers[key] = value;
  }
  return headers;
}

/** The OTLP/HTTP traces URL of an endpoint: a bare origin gets `/v1/traces`, any other path is kept. */
function tracesUrlOf(url: URL): string {
  if (url.pathname === '/' || url.pathname === '') return `${url.origin}/v1/traces${url.search}`;
  return url.href;
}

function resolveForward(options: CollectorOptions, env: Env): ResolvedForwardConfig | false {
  const given = options.forwardTraces;
  if (given === false) return false;
  const rawUrl = given?.url ?? envString(env, 'FORWARD_TRACES');
  if (rawUrl === undefined) {
    if (given !== undefined)
      throw new SpantrackConfigError('forwardTraces.url', 'a trace backend URL is required');
    if (envString(env, 'FORWARD_TRACES_HEADERS') !== undefined)
      throw new SpantrackConfigError(
        `${ENV}FORWARD_TRACES_HEADERS`,
        'headers given, but no trace backend to send them to (set --forward-traces)',
      );
    return false;
  }
  const urlSetting = given?.url !== undefined ? 'forwardTraces.url' : `${ENV}FORWARD_TRACES`;
  const url = tracesUrlOf(httpUrl(urlSetting, rawUrl));
  const envHeaders = envString(env, 'FORWARD_TRACES_HEADERS');
  const headers =
    given?.headers !== undefined
      ? Object.fromEntries(Object.entries(given.headers).map(([k, v]) => [k.toLowerCase(), v]))
      : envHeaders !== undefined
        ? parseHeaderList(`${ENV}FORWARD_TRACES_HEADERS`, envHeaders)
        : {};
  const f = 'forwardTraces.';
  return {
    url,
    headers,
    timeoutMs: positiveInt(
      `${f}timeoutMs`,
      given?.timeoutMs,
      env,
      'FORWARD_TRACES_TIMEOUT_MS',
      DEFAULTS.forwardTimeoutMs,
    ),
    maxQueueBytes: positiveInt(
      `${f}maxQueueBytes`,
      given?.maxQueueBytes,
      env,
      'FORWARD_QUEUE_BYTES',
      DEFAULTS.forwardMaxQueueBytes,
    ),
    maxQueueRequests: positiveInt(
      `${f}maxQueueRequests`,
      given?.maxQueueRequests,
      env,
      'FORWARD_QUEUE_REQUESTS',
      DEFAULTS.forwardMaxQueueRequests,
    ),
    maxRetryMs: positiveInt(
      `${f}maxRetryMs`,
      given?.maxRetryMs,
      env,
      'FORWARD_MAX_RETRY_MS',
      DEFAULTS.forwardMaxRetryMs,
    ),
    concurrency: positiveInt(`${f}concurrency`, given?.concurrency, {}, '', DEFAULTS.forwardConcurrency),
    initialBackoffMs: positiveInt(
      `${f}initialBackoffMs`,
      given?.initialBackoffMs,
      {},
      '',
      DEFAULTS.forwardInitialBackoffMs,
    ),
    maxBackoffMs: positiveInt(`${f}maxBackoffMs`, given?.maxBackoffMs, {}, '', DEFAULTS.forwardMaxBackoffMs),
    rememberedRequests: positiveInt(
      `${f}rememberedRequests`,
      given?.rememberedRequests,
      {},
      '',
      DEFAULTS.forwardRememberedRequests,
    ),
  };
}

/**
 * Resolves every setting as `option ?? env ?? default` and validates it.
 * @throws SpantrackConfigError naming the setting at fault: the option path, or the environment
 * variable when the value came from there
 */
export function resolveConfig(options: CollectorOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  const shutdownOption = options.shutdownTimeoutMillis ?? options.shutdownTimeoutMs;
  const shutdownFromEnv =
    shutdownOption === undefined ? shared(S.shutdownTimeoutMillis, env, warn) : undefined;
  const rawAck = options.ack ?? envString(env, 'ACK') ?? 'delivered';
  if (rawAck !== 'delivered' && rawAck !== 'received') {
    throw new SpantrackConfigError(
      options.ack !== undefined ? 'ack' : `${ENV}ACK`,
      `expected delivered or received, got ${JSON.stringify(rawAck)}`,
    );
  }
  const maxDecompressedBytes = positiveInt(
    'maxDecompressedBytes',
    options.maxDecompressedBytes,
    env,
    'MAX_DECOMPRESSED_BYTES',
    DEFAULTS.maxDecompressedBytes,
  );
  const config: ResolvedConfig = {
    http: listener('http', options.http, env, 'HTTP', { host: DEFAULTS.httpHost, port: DEFAULTS.httpPort }),
    grpc: listener('grpc', options.grpc, env, 'GRPC', { host: DEFAULTS.grpcHost, port: DEFAULTS.grpcPort }),
    sink: resolveSink(options, env, warn),
    translator: resolveTranslator(options, env, warn),
    ack: rawAck,
    bearerToken: options.bearerToken ?? envString(env, 'BEARER_TOKEN'),
    maxRequestBytes: positiveInt(
      'maxRequestBytes',
      options.maxRequestBytes,
      env,
      'MAX_REQUEST_BYTES',
      DEFAULTS.maxRequestBytes,
    ),
    maxDecompressedBytes,
    maxBufferedBytes: positiveInt(
      'maxBufferedBytes',
      options.maxBufferedBytes,
      env,
      'MAX_BUFFERED_BYTES',
      2 * maxDecompressedBytes,
    ),
    maxSpansPerRequest: positiveInt(
      'maxSpansPerRequest',
      options.maxSpansPerRequest,
      env,
      'MAX_SPANS_PER_REQUEST',
      DEFAULTS.maxSpansPerRequest,
    ),
    errorLingerMs: positiveInt(
      'errorLingerMs',
      options.errorLingerMs,
      env,
      'ERROR_LINGER_MS',
      DEFAULTS.errorLingerMs,
    ),
    metricsToken: options.metricsToken ?? envString(env, 'METRICS_TOKEN'),
    maxQueuedMessages: positiveInt(
      'maxQueuedMessages',
      options.maxQueuedMessages,
      env,
      'MAX_QUEUED_MESSAGES',
      DEFAULTS.maxQueuedMessages,
    ),
    deliveryTimeoutMs: positiveInt(
      'deliveryTimeoutMs',
      options.deliveryTimeoutMs,
      env,
      'DELIVERY_TIMEOUT_MS',
      DEFAULTS.deliveryTimeoutMs,
    ),
    throttleRetryAfterSeconds: positiveInt(
      'throttleRetryAfterSeconds',
      options.throttleRetryAfterSeconds,
      {},
      '',
      DEFAULTS.throttleRetryAfterSeconds,
    ),
    unavailableRetryAfterSeconds: positiveInt(
      'unavailableRetryAfterSeconds',
      options.unavailableRetryAfterSeconds,
      {},
      '',
      DEFAULTS.unavailableRetryAfterSeconds,
    ),
    shutdownTimeoutMs:
      shutdownFromEnv?.value ??
      positiveInt(
        options.shutdownTimeoutMillis !== undefined ? 'shutdownTimeoutMillis' : 'shutdownTimeoutMs',
        shutdownOption,
        {},
        '',
        DEFAULTS.shutdownTimeoutMs,
      ),
    forwardTraces: resolveForward(options, env),
    metricsExport: {
      otlpUrl: resolveMetricsOtlpUrl(options.metricsOtlpEndpoint, envString(env, 'METRICS_OTLP_ENDPOINT')),
      intervalMs: positiveInt(
        'metricsExportIntervalMs',
        options.metricsExportIntervalMs,
        env,
        'METRICS_EXPORT_INTERVAL_MS',
        DEFAULTS.metricsExportIntervalMs,
      ),
    },
    store: resolveStoreSetting(options.store, env, warn),
    logLevel:
      options.logLevel !== undefined
        ? S.logLevel.parse(String(options.logLevel), 'logLevel', warn)
        : resolveLogLevel(env, warn),
    warnings,
  };
  if (config.bearerToken === '') throw new SpantrackConfigError('bearerToken', 'must not be empty');
  if (config.metricsToken === '') throw new SpantrackConfigError('metricsToken', 'must not be empty');
  if (config.http === false && config.grpc === false) {
    const fromEnv = options.http === undefined && options.grpc === undefined;
    throw new SpantrackConfigError(
      fromEnv ? `${ENV}HTTP_PORT` : 'http',
      'both receivers are off; at least one of HTTP and gRPC must listen',
    );
  }
  return config;
}

/** How the CLI reports what it does. */
export interface OutputSettings {
  /** `text` (one line per event) or `json` (one object per line). Env `SPANTRACK_COLLECTOR_LOG_FORMAT`. @default 'text' */
  logFormat: 'text' | 'json';
  /**
   * `info`: everything; `warn`: warnings and errors; `none`: errors only. Env `SPANTRACK_LOG_LEVEL`,
   * else `warn` when `SPANTRACK_QUIET=true`. @default 'info'
   */
  logLevel: SharedLogLevel;
  /** Only warnings and errors (`logLevel` is not `info`). */
  quiet: boolean;
  /** How often the summary line is considered (printed only when a figure changed). Env `SPANTRACK_COLLECTOR_SUMMARY_INTERVAL_MS`. @default 10,000 */
  summaryIntervalMs: number;
}

/** `SPANTRACK_LOG_LEVEL` ?? (`SPANTRACK_QUIET=true` → `warn`) ?? `info`. */
function resolveLogLevel(env: Env, warn: Warn): SharedLogLevel {
  return (
    shared(S.logLevel, env, warn)?.value ?? (shared(S.quiet, env, warn)?.value === true ? 'warn' : 'info')
  );
}

/** The CLI's output settings, `env ?? default`, validated like the rest. */
export function resolveOutputSettings(env: Env, warn: Warn = () => {}): OutputSettings {
  const format = envString(env, 'LOG_FORMAT') ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new SpantrackConfigError(
      `${ENV}LOG_FORMAT`,
      `expected text or json, got ${JSON.stringify(format)}`,
    );
  const logLevel = resolveLogLevel(env, warn);
  return {
    logFormat: format,
    logLevel,
    quiet: logLevel !== 'info',
    summaryIntervalMs: positiveInt(
      'summaryIntervalMs',
      undefined,
      env,
      'SUMMARY_INTERVAL_MS',
      DEFAULTS.summaryIntervalMs,
    ),
  };
}

/** A sink that accepts everything and keeps nothing (benchmarks, dry runs). */
export class NullSink implements Sink {
  async send(messages: readonly unknown[]) {
    return { delivered: messages.length, failed: 0, errors: [] };
  }
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** Builds the sink a `SinkConfig` names. Segment deliveries give up within the delivery timeout, so the sender retries instead. */
export function createSink(config: SinkConfig, deliveryTimeoutMs: number): Sink {
  switch (config.type) {
    case 'segment':
      return new SegmentSink({
        writeKey: config.writeKey,
        ...(config.host !== undefined ? { host: config.host } : {}),
        ...(config.path !== undefined ? { path: config.path } : {}),
        flushInterval: config.flushIntervalMs ?? DEFAULTS.segmentFlushIntervalMs,
        // Fail fast: the sender's retry (and its persistent queue) is the durable one.
        httpRequestTimeout: Math.max(1_000, deliveryTimeoutMs - 500),
        maxRetries: 2,
        minBackoff: 100,
        maxBackoff: 1_000,
        maxRetryDuration: Math.max(1_000, deliveryTimeoutMs - 1_000),
      });
    case 'jsonl':
      return new JsonlFileSink({ path: config.path });
    case 'console':
      return new ConsoleSink({ pretty: config.pretty ?? false });
    case 'none':
    case 'null':
      return new NullSink();
  }
}

/** One line naming the sink, for the CLI's startup output. */
export function describeSink(sink: Sink | SinkConfig): string {
  if ('send' in sink) return sink.constructor.name;
  switch (sink.type) {
    case 'segment':
      return `segment ${sink.host ?? 'https://api.segment.io'}${sink.path ?? '/v1/batch'}`;
    case 'jsonl':
      return `jsonl ${sink.path}`;
    default:
      return sink.type;
  }
}
