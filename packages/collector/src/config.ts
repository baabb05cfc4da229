import {
  ConsoleSink,
  JsonlFileSink,
  SegmentSink,
  type Sink,
  SpantrackConfigError,
  type TranslatorOptions,
} from '@spantrack/processor';
import type { AckMode } from './pipeline/collector-pipeline';

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
  | { type: 'null' };

export interface CollectorOptions {
  /** OTLP/HTTP listener, or `false` for none. Env `SPANTRACK_COLLECTOR_HTTP_HOST` / `_HTTP_PORT`. @default 127.0.0.1:4318 */
  http?: ListenOptions | false;
  /** OTLP/gRPC listener, or `false` for none. Env `SPANTRACK_COLLECTOR_GRPC_HOST` / `_GRPC_PORT`. @default 127.0.0.1:4317 */
  grpc?: ListenOptions | false;
  /**
   * Where messages go: a `Sink` you built, or a `SinkConfig`. Env `SPANTRACK_COLLECTOR_SINK`
   * (`segment` | `jsonl` | `console` | `null`), with `SPANTRACK_COLLECTOR_SEGMENT_WRITE_KEY`
   * (or `SEGMENT_WRITE_KEY`), `_SEGMENT_HOST`, `_SEGMENT_PATH`, `_JSONL_PATH`.
   * @default segment when a write key is set, console otherwise
   */
  sink?: Sink | SinkConfig;
  /** Catalogs and privacy policy of the translation. Env `SPANTRACK_COLLECTOR_CATALOGS` (comma list), `_CAPTURE_CONTENT`. @default all catalogs, content off */
  translator?: TranslatorOptions;
  /** When a request is acknowledged. Env `SPANTRACK_COLLECTOR_ACK`. @default 'delivered' */
  ack?: AckMode;
  /** Requests must carry `Authorization: Bearer <token>` (HTTP header or gRPC metadata). Env `SPANTRACK_COLLECTOR_BEARER_TOKEN`. @default none */
  bearerToken?: string;
  /** Request body limit as received (compressed). Env `SPANTRACK_COLLECTOR_MAX_REQUEST_BYTES`. @default 20 MiB */
  maxRequestBytes?: number;
  /** Request body limit after gunzip, enforced while inflating. Env `SPANTRACK_COLLECTOR_MAX_DECOMPRESSED_BYTES`. @default 64 MiB */
  maxDecompressedBytes?: number;
  /**
   * Request body bytes held at once over all HTTP requests (received plus decompressed); a request
   * that would pass it gets 429 (a request alone is never refused by it). Env
   * `SPANTRACK_COLLECTOR_MAX_BUFFERED_BYTES`. @default 2 × maxDecompressedBytes
   */
  maxBufferedBytes?: number;
  /** Messages handed to the sink and not yet settled, past which requests get 429. Env `SPANTRACK_COLLECTOR_MAX_QUEUED_MESSAGES`. @default 20,000 */
  maxQueuedMessages?: number;
  /** With ack `delivered`, how long a request waits for the sink before 503. Env `SPANTRACK_COLLECTOR_DELIVERY_TIMEOUT_MS`. @default 5,000 */
  deliveryTimeoutMs?: number;
  /** `Retry-After` of 429 (queue full). @default 1 */
  throttleRetryAfterSeconds?: number;
  /** `Retry-After` of 503 (sink failing, timeout, shutdown). @default 2 */
  unavailableRetryAfterSeconds?: number;
  /** How long `close()` waits for in-flight requests and the sink's flush. Env `SPANTRACK_COLLECTOR_SHUTDOWN_TIMEOUT_MS`. @default 10,000 */
  shutdownTimeoutMs?: number;
  /** Log lines (startup problems, sink failures). @default none */
  log?: (line: string) => void;
  /** Environment to read settings from. @default process.env */
  env?: Record<string, string | undefined>;
}

export const DEFAULTS = {
  httpHost: '127.0.0.1',
  httpPort: 4318,
  grpcHost: '127.0.0.1',
  grpcPort: 4317,
  maxRequestBytes: 20 * 1024 * 1024,
  maxDecompressedBytes: 64 * 1024 * 1024,
  maxQueuedMessages: 20_000,
  deliveryTimeoutMs: 5_000,
  throttleRetryAfterSeconds: 1,
  unavailableRetryAfterSeconds: 2,
  shutdownTimeoutMs: 10_000,
  segmentFlushIntervalMs: 100,
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
  maxQueuedMessages: number;
  deliveryTimeoutMs: number;
  throttleRetryAfterSeconds: number;
  unavailableRetryAfterSeconds: number;
  shutdownTimeoutMs: number;
}

const ENV = 'SPANTRACK_COLLECTOR_';

function envInt(env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[ENV + name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value))
    throw new SpantrackConfigError(ENV + name, `must be a number, not ${JSON.stringify(raw)}`);
  return value;
}

function envString(env: Record<string, string | undefined>, name: string): string | undefined {
  const raw = env[ENV + name];
  return raw === undefined || raw === '' ? undefined : raw;
}

function positiveInt(option: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new SpantrackConfigError(option, 'must be a positive integer');
  return value;
}

function port(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new SpantrackConfigError(option, 'must be an integer from 0 to 65535');
  }
  return value;
}

function listener(
  option: string,
  given: ListenOptions | false | undefined,
  env: Record<string, string | undefined>,
  prefix: 'HTTP' | 'GRPC',
  defaults: { host: string; port: number },
): Required<ListenOptions> | false {
  if (given === false) return false;
  const envPort = envString(env, `${prefix}_PORT`);
  if (given === undefined && (envPort === 'off' || envPort === 'none')) return false;
  const host = given?.host ?? envString(env, `${prefix}_HOST`) ?? defaults.host;
  const p = given?.port ?? envInt(env, `${prefix}_PORT`) ?? defaults.port;
  return { host, port: port(`${option}.port`, p) };
}

function resolveSink(options: CollectorOptions, env: Record<string, string | undefined>): Sink | SinkConfig {
  const given = options.sink;
  if (given !== undefined) {
    if (given === null || typeof given !== 'object')
      throw new SpantrackConfigError('sink', 'must be a Sink or a SinkConfig');
    if ('send' in given && typeof given.send === 'function') return given;
    return validateSinkConfig(given as SinkConfig);
  }
  const writeKey = envString(env, 'SEGMENT_WRITE_KEY') ?? env.SEGMENT_WRITE_KEY;
  const type = envString(env, 'SINK') ?? (writeKey ? 'segment' : 'console');
  switch (type) {
    case 'segment': {
      const host = envString(env, 'SEGMENT_HOST');
      const path = envString(env, 'SEGMENT_PATH');
      return validateSinkConfig({
        type,
        writeKey: writeKey ?? '',
        ...(host ? { host } : {}),
        ...(path ? { path } : {}),
      });
    }
    case 'jsonl':
      return validateSinkConfig({ type, path: envString(env, 'JSONL_PATH') ?? '' });
    case 'console':
      return { type };
    case 'null':
      return { type };
    default:
      throw new SpantrackConfigError(`${ENV}SINK`, 'must be one of segment, jsonl, console, null');
  }
}

function validateSinkConfig(config: SinkConfig): SinkConfig {
  switch (config.type) {
    case 'segment':
      if (!config.writeKey)
        throw new SpantrackConfigError('sink.writeKey', 'a Segment write key is required');
      if (config.host !== undefined) {
        try {
          new URL(config.host);
        } catch {
          throw new SpantrackConfigError('sink.host', `must be a URL, not ${JSON.stringify(config.host)}`);
        }
      }
      return config;
    case 'jsonl':
      if (!config.path) throw new SpantrackConfigError('sink.path', 'a file path is required');
      return config;
    case 'console':
    case 'null':
      return config;
    default:
      throw new SpantrackConfigError('sink.type', 'must be one of segment, jsonl, console, null');
  }
}

function resolveTranslator(
  options: CollectorOptions,
  env: Record<string, string | undefined>,
): TranslatorOptions {
  if (options.translator !== undefined) return options.translator;
  const catalogs = envString(env, 'CATALOGS');
  const capture = envString(env, 'CAPTURE_CONTENT');
  const out: TranslatorOptions = {};
  if (catalogs) out.catalogs = catalogs.split(',').map((c) => c.trim()) as TranslatorOptions['catalogs'];
  if (capture !== undefined) out.privacy = { captureContent: capture === 'true' || capture === '1' };
  return out;
}

/**
 * Resolves every setting as `option ?? env ?? default` and validates it.
 * @throws SpantrackConfigError naming the setting at fault
 */
export function resolveConfig(options: CollectorOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const ack = options.ack ?? (envString(env, 'ACK') as AckMode | undefined) ?? 'delivered';
  if (ack !== 'delivered' && ack !== 'received') {
    throw new SpantrackConfigError('ack', "must be 'delivered' or 'received'");
  }
  const config: ResolvedConfig = {
    http: listener('http', options.http, env, 'HTTP', { host: DEFAULTS.httpHost, port: DEFAULTS.httpPort }),
    grpc: listener('grpc', options.grpc, env, 'GRPC', { host: DEFAULTS.grpcHost, port: DEFAULTS.grpcPort }),
    sink: resolveSink(options, env),
    translator: resolveTranslator(options, env),
    ack,
    bearerToken: options.bearerToken ?? envString(env, 'BEARER_TOKEN'),
    maxRequestBytes: positiveInt(
      'maxRequestBytes',
      options.maxRequestBytes ?? envInt(env, 'MAX_REQUEST_BYTES') ?? DEFAULTS.maxRequestBytes,
    ),
    maxDecompressedBytes: positiveInt(
      'maxDecompressedBytes',
      options.maxDecompressedBytes ?? envInt(env, 'MAX_DECOMPRESSED_BYTES') ?? DEFAULTS.maxDecompressedBytes,
    ),
    maxBufferedBytes: 0,
    maxQueuedMessages: positiveInt(
      'maxQueuedMessages',
      options.maxQueuedMessages ?? envInt(env, 'MAX_QUEUED_MESSAGES') ?? DEFAULTS.maxQueuedMessages,
    ),
    deliveryTimeoutMs: positiveInt(
      'deliveryTimeoutMs',
      options.deliveryTimeoutMs ?? envInt(env, 'DELIVERY_TIMEOUT_MS') ?? DEFAULTS.deliveryTimeoutMs,
    ),
    throttleRetryAfterSeconds: positiveInt(
      'throttleRetryAfterSeconds',
      options.throttleRetryAfterSeconds ?? DEFAULTS.throttleRetryAfterSeconds,
    ),
    unavailableRetryAfterSeconds: positiveInt(
      'unavailableRetryAfterSeconds',
      options.unavailableRetryAfterSeconds ?? DEFAULTS.unavailableRetryAfterSeconds,
    ),
    shutdownTimeoutMs: positiveInt(
      'shutdownTimeoutMs',
      options.shutdownTimeoutMs ?? envInt(env, 'SHUTDOWN_TIMEOUT_MS') ?? DEFAULTS.shutdownTimeoutMs,
    ),
  };
  config.maxBufferedBytes = positiveInt(
    'maxBufferedBytes',
    options.maxBufferedBytes ?? envInt(env, 'MAX_BUFFERED_BYTES') ?? 2 * config.maxDecompressedBytes,
  );
  if (config.bearerToken === '') throw new SpantrackConfigError('bearerToken', 'must not be empty');
  if (config.http === false && config.grpc === false) {
    throw new SpantrackConfigError('http', 'at least one of http and grpc must be enabled');
  }
  return config;
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
