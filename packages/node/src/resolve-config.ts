import type { Attributes, MeterProvider } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import {
  MAX_TIMEOUT_MILLIS,
  type PriceTable,
  type PrivacyPolicy,
  priceTableOf,
  readSetting,
  SHARED_SETTINGS as S,
  type SegmentTransport,
  type SharedSetting,
  SINK_NAMES,
  type Sink,
  SpantrackConfigError,
  type TranslatorOptions,
} from '@spantrack/processor';
import { invalidHeaderReason } from './http-header';
import type { ExplicitOtlpOptions } from './otlp-trace-exporter';
import type {
  AnalyticsTuning,
  LogLevel,
  OtlpProtocol,
  SinkName,
  SpantrackMode,
  SpantrackNodeOptions,
} from './types';

/** Environment variables read by the resolver. Nothing else in the package reads `process.env`. */
export const ENV = {
  SDK_DISABLED: 'OTEL_SDK_DISABLED',
  SERVICE_NAME: 'OTEL_SERVICE_NAME',
  RESOURCE_ATTRIBUTES: 'OTEL_RESOURCE_ATTRIBUTES',
  TRACES_EXPORTER: 'OTEL_TRACES_EXPORTER',
  TRACES_ENDPOINT: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  ENDPOINT: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  TRACES_HEADERS: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  HEADERS: 'OTEL_EXPORTER_OTLP_HEADERS',
  TRACES_PROTOCOL: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  PROTOCOL: 'OTEL_EXPORTER_OTLP_PROTOCOL',
  TRACES_COMPRESSION: 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION',
  COMPRESSION: 'OTEL_EXPORTER_OTLP_COMPRESSION',
  TRACES_TIMEOUT: 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
  TIMEOUT: 'OTEL_EXPORTER_OTLP_TIMEOUT',
  CAPTURE_CONTENT: 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT',
  SPANTRACK_TRACES_EXPORTER: 'SPANTRACK_TRACES_EXPORTER',
  MODE: 'SPANTRACK_MODE',
  AUTO_INSTRUMENT: 'SPANTRACK_AUTO_INSTRUMENT',
  // Shared with the collector: the names of `SHARED_SETTINGS` (the processor), checked by a test.
  SINK: 'SPANTRACK_SINK',
  SEGMENT_WRITE_KEY: 'SPANTRACK_SEGMENT_WRITE_KEY',
  SEGMENT_HOST: 'SPANTRACK_SEGMENT_HOST',
  SEGMENT_PATH: 'SPANTRACK_SEGMENT_PATH',
  JSONL_PATH: 'SPANTRACK_JSONL_PATH',
  STORE: 'SPANTRACK_STORE',
  CATALOGS: 'SPANTRACK_CATALOGS',
  SPANTRACK_CAPTURE_CONTENT: 'SPANTRACK_CAPTURE_CONTENT',
  PSEUDONYMIZE_SECRET: 'SPANTRACK_PSEUDONYMIZE_SECRET',
  MAX_EVENT_BYTES: 'SPANTRACK_MAX_EVENT_BYTES',
  PRICES: 'SPANTRACK_PRICES',
  SHUTDOWN_TIMEOUT: 'SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS',
  LOG_LEVEL: 'SPANTRACK_LOG_LEVEL',
  QUIET: 'SPANTRACK_QUIET',
} as const;

/** Who starts spantrack: the register entry speaks up by default, a `setup()` call in code does not. */
export type SetupEntry = 'setup' | 'register';

export const DEFAULT_SERVICE_NAME = 'unknown_service:node';
export const DEFAULT_OTLP_BASE = 'http://localhost:4318';
export const OTLP_TRACES_PATH = '/v1/traces';
export const DEFAULT_OTLP_TIMEOUT_MILLIS = 10_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MILLIS = 5_000;
export const DEFAULT_JSONL_PATH = 'spantrack-events.jsonl';

/** Every option with its default applied: the only input of the setup. */
export interface ResolvedConfig {
  disabled: boolean;
  serviceName: string;
  resourceAttributes: Attributes;
  tracesExporter: 'otlp' | 'none';
  otlp: {
    endpoint: string;
    /** The endpoint was set by an option or env var (not the default). */
    endpointExplicit: boolean;
    /**
     * The headers of every export, as spantrack reads them (env entries merged under the option's);
     * entries Node would refuse are left out, with a warning.
     */
    headers: Record<string, string>;
    protocol: OtlpProtocol;
    compression: 'gzip' | 'none';
    timeoutMillis: number;
    /**
     * What is passed to the exporter: the options set in code only. The exporter reads the
     * `OTEL_EXPORTER_OTLP_*` variables itself; spantrack reads them above to validate and report.
     */
    explicit: ExplicitOtlpOptions;
  };
  /** `none` when analytics are off (chosen, or no write key: see `warnings`). */
  sink: SinkName | Sink;
  segment: {
    writeKey: string | undefined;
    host: string | undefined;
    path: string | undefined;
    transport?: SegmentTransport;
  };
  jsonlPath: string;
  /** Where `jsonlPath` came from (`jsonlPath`, `SPANTRACK_JSONL_PATH` or `default`), for error messages. */
  jsonlPathSource: string;
  /** The DuckDB event store beside the sink (a file or `:memory:`), or false. */
  store: string | false;
  /** Where `store` came from (`store` or `SPANTRACK_STORE`), for error messages. */
  storeSource: string;
  catalogs: TranslatorOptions['catalogs'];
  privacy: PrivacyPolicy;
  /** Prices over the shipped table (the `prices` option, or the file `SPANTRACK_PRICES` names). */
  prices: PriceTable | undefined;
  mode: SpantrackMode;
  autoInstrument: boolean;
  instrumentations: Instrumentation[];
  analytics: AnalyticsTuning;
  shutdownTimeoutMillis: number;
  logLevel: LogLevel;
  /** Problems that do not stop the setup, to print once. */
  warnings: string[];
  /** Where the dashboards' figures are recorded (unset: the global MeterProvider; false: nowhere). */
  meterProvider?: MeterProvider | false;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves every option as `option ?? env ?? default`, validating up front: a bad value throws a
 * `SpantrackConfigError` naming the option or env var it came from and how to fix it.
 */
export function resolveConfig(
  options: SpantrackNodeOptions = {},
  env: Env = process.env,
  entry: SetupEntry = 'setup',
): ResolvedConfig {
  if (options === null || typeof options !== 'object') {
    throw new SpantrackConfigError('options', 'must be an object (or omitted to configure from env vars)');
  }
  const warnings: string[] = [];
  const read = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const shared = <T>(setting: SharedSetting<T>): T | undefined =>
    readSetting(setting, env, { warn: (message) => warnings.push(message) })?.value;

  const disabled =
    options.disabled ?? otelBoolean(read(ENV.SDK_DISABLED), ENV.SDK_DISABLED, warnings) ?? false;
  // Off means off: nothing else is read, validated or warned about (a shared environment's other
  // OTEL_* settings must not crash an app that turned spantrack off).
  if (disabled === true) return disabledConfig();

  const envResource = parseKeyValueList(read(ENV.RESOURCE_ATTRIBUTES), ENV.RESOURCE_ATTRIBUTES, warnings);
  const resourceAttributes: Attributes = { ...envResource, ...options.resourceAttributes };
  // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES (OTel SDK spec).
  const fromAttributes = resourceAttributes['service.name'];
  const serviceName =
    nonEmpty(options.serviceName, 'serviceName') ??
    read(ENV.SERVICE_NAME) ??
    (typeof fromAttributes === 'string' && fromAttributes !== '' ? fromAttributes : undefined) ??
    DEFAULT_SERVICE_NAME;

  const tracesExporter =
    options.tracesExporter !== undefined
      ? oneOf(options.tracesExporter, ['otlp', 'none'] as const, 'tracesExporter')
      : read(ENV.SPANTRACK_TRACES_EXPORTER) !== undefined
        ? oneOf(
            read(ENV.SPANTRACK_TRACES_EXPORTER)!.toLowerCase(),
            ['otlp', 'none'] as const,
            ENV.SPANTRACK_TRACES_EXPORTER,
          )
        : otelTracesExporter(read(ENV.TRACES_EXPORTER), warnings);

  const otlp = resolveOtlp(options, read, warnings);

  const segment = {
    writeKey: nonEmpty(options.segment?.writeKey, 'segment.writeKey') ?? shared(S.segmentWriteKey),
    host: url(options.segment?.host, 'segment.host') ?? shared(S.segmentHost),
    path: nonEmpty(options.segment?.path, 'segment.path') ?? shared(S.segmentPath),
    ...(options.segment?.transport !== undefined && {
      transport: oneOf(
        options.segment.transport,
        ['publisher', 'analytics-node'] as const,
        'segment.transport',
      ),
    }),
  };

  const sink = resolveSink(options.sink, shared(S.sink), segment.writeKey, warnings);

  // SPANTRACK_CAPTURE_CONTENT, else the OpenTelemetry variable (read as OpenTelemetry reads it).
  const captureContent = options.privacy?.captureContent ?? shared(S.captureContent) ?? false;
  const secret = shared(S.pseudonymizeSecret);
  const maxEventBytes = options.privacy?.maxEventBytes ?? shared(S.maxEventBytes);
  const pseudonymizeUserIds =
    options.privacy?.pseudonymizeUserIds ?? (secret !== undefined ? { secret } : undefined);
  if (pseudonymizeUserIds !== undefined && !nonEmptyString(pseudonymizeUserIds.secret)) {
    throw new SpantrackConfigError(
      'privacy.pseudonymizeUserIds.secret',
      `must be a non-empty string; set it, or set ${ENV.PSEUDONYMIZE_SECRET}, or leave pseudonymizeUserIds out`,
    );
  }
  const privacy: PrivacyPolicy = {
    ...options.privacy,
    captureContent,
    ...(pseudonymizeUserIds !== undefined && { pseudonymizeUserIds }),
    ...(maxEventBytes !== undefined && { maxEventBytes }),
  };
  const pricesPath = options.prices === undefined ? shared(S.prices) : undefined;
  const prices =
    options.prices !== undefined
      ? priceTableOf(options.prices, 'prices')
      : pricesPath !== undefined
        ? priceTableOf(pricesPath, ENV.PRICES)
        : undefined;

  const envMode = read(ENV.MODE);
  const mode =
    options.mode !== undefined
      ? oneOf(options.mode, ['batch', 'immediate'] as const, 'mode')
      : envMode !== undefined
        ? oneOf(envMode.toLowerCase(), ['batch', 'immediate'] as const, ENV.MODE)
        : 'batch';

  const shutdownTimeoutMillis =
    positiveInt(options.shutdownTimeoutMillis, 'shutdownTimeoutMillis') ??
    shared(S.shutdownTimeoutMillis) ??
    DEFAULT_SHUTDOWN_TIMEOUT_MILLIS;

  const instrumentations = options.instrumentations ?? [];
  if (!Array.isArray(instrumentations)) {
    throw new SpantrackConfigError('instrumentations', 'must be an array of OpenTelemetry instrumentations');
  }

  return {
    disabled,
    serviceName,
    resourceAttributes,
    tracesExporter,
    otlp,
    sink,
    segment,
    jsonlPath: nonEmpty(options.jsonlPath, 'jsonlPath') ?? shared(S.jsonlPath) ?? DEFAULT_JSONL_PATH,
    jsonlPathSource:
      options.jsonlPath !== undefined
        ? 'jsonlPath'
        : read(ENV.JSONL_PATH) !== undefined
          ? ENV.JSONL_PATH
          : 'default',
    ...resolveStore(options.store, shared(S.store)),
    catalogs: options.catalogs ?? shared(S.catalogs),
    privacy,
    prices,
    mode,
    autoInstrument:
      options.autoInstrument ?? strictBoolean(read(ENV.AUTO_INSTRUMENT), ENV.AUTO_INSTRUMENT) ?? true,
    instrumentations,
    analytics: { ...options.analytics },
    shutdownTimeoutMillis,
    logLevel: resolveLogLevel(options.logLevel, shared, entry),
    warnings,
    ...(options.meterProvider !== undefined && { meterProvider: options.meterProvider }),
  };
}

/** `store` ?? `SPANTRACK_STORE` (`off` for none) ?? none. */
function resolveStore(
  option: string | false | undefined,
  fromEnv: string | false | undefined,
): { store: string | false; storeSource: string } {
  if (option === false) return { store: false, storeSource: 'store' };
  if (option !== undefined) {
    if (typeof option !== 'string' || option.trim() === '')
      throw new SpantrackConfigError('store', 'must be a DuckDB file path, ":memory:" or false');
    return { store: option, storeSource: 'store' };
  }
  return { store: fromEnv ?? false, storeSource: ENV.STORE };
}

/** `logLevel` ?? `SPANTRACK_LOG_LEVEL` ?? (`SPANTRACK_QUIET=true` → `warn`) ?? the entry's default. */
function resolveLogLevel(
  option: LogLevel | undefined,
  shared: <T>(setting: SharedSetting<T>) => T | undefined,
  entry: SetupEntry,
): LogLevel {
  if (option !== undefined) return oneOf(option, LOG_LEVELS, 'logLevel');
  const fromEnv = shared(S.logLevel);
  if (fromEnv !== undefined) return fromEnv;
  if (shared(S.quiet) === true) return 'warn';
  return entry === 'register' ? 'info' : 'warn';
}

const LOG_LEVELS = ['info', 'warn', 'none'] as const;

/** The configuration of a disabled setup: defaults only, nothing read from options or env. */
function disabledConfig(): ResolvedConfig {
  return {
    disabled: true,
    serviceName: DEFAULT_SERVICE_NAME,
    resourceAttributes: {},
    tracesExporter: 'none',
    otlp: {
      endpoint: DEFAULT_OTLP_BASE + OTLP_TRACES_PATH,
      endpointExplicit: false,
      headers: {},
      protocol: 'http/protobuf',
      compression: 'none',
      timeoutMillis: DEFAULT_OTLP_TIMEOUT_MILLIS,
      explicit: {},
    },
    sink: 'none',
    store: false,
    storeSource: 'store',
    segment: { writeKey: undefined, host: undefined, path: undefined },
    jsonlPath: DEFAULT_JSONL_PATH,
    jsonlPathSource: 'default',
    catalogs: undefined,
    privacy: { captureContent: false },
    prices: undefined,
    mode: 'batch',
    autoInstrument: false,
    instrumentations: [],
    analytics: {},
    shutdownTimeoutMillis: DEFAULT_SHUTDOWN_TIMEOUT_MILLIS,
    logLevel: 'warn',
    warnings: [],
  };
}

function resolveOtlp(
  options: SpantrackNodeOptions,
  read: (name: string) => string | undefined,
  warnings: string[],
): ResolvedConfig['otlp'] {
  const o = options.otlp ?? {};

  // A signal-specific endpoint is used as-is; the generic one gets `/v1/traces` appended (OTLP exporter spec).
  let endpoint: string;
  let endpointSource: string;
  if (o.endpoint !== undefined) {
    endpoint = o.endpoint;
    endpointSource = 'otlp.endpoint';
  } else if (read(ENV.TRACES_ENDPOINT) !== undefined) {
    endpoint = read(ENV.TRACES_ENDPOINT)!;
    endpointSource = ENV.TRACES_ENDPOINT;
  } else if (read(ENV.ENDPOINT) !== undefined) {
    const base = read(ENV.ENDPOINT)!;
    endpoint = base.replace(/\/+$/, '') + OTLP_TRACES_PATH;
    endpointSource = ENV.ENDPOINT;
    validateUrl(base, endpointSource, 'http://collector:4318');
  } else {
    endpoint = DEFAULT_OTLP_BASE + OTLP_TRACES_PATH;
    endpointSource = 'default';
  }
  validateUrl(endpoint, endpointSource, 'http://localhost:4318/v1/traces');

  // The exporter reads these itself, merging the TRACES_ entries over the generic ones: read here
  // to warn about entries Node would refuse (the exporter built by spantrack leaves those out).
  const envHeaders = {
    ...parseKeyValueList(read(ENV.HEADERS), ENV.HEADERS, warnings, 'headers'),
    ...parseKeyValueList(read(ENV.TRACES_HEADERS), ENV.TRACES_HEADERS, warnings, 'headers'),
  };
  if (o.headers !== undefined && (o.headers === null || typeof o.headers !== 'object')) {
    throw new SpantrackConfigError('otlp.headers', 'must be an object of header names to string values');
  }
  const explicitHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(o.headers ?? {})) {
    const problem = invalidHeaderReason(name, String(value));
    if (problem === undefined) explicitHeaders[name] = String(value);
    else warnings.push(`otlp.headers: header ${JSON.stringify(name)} skipped: ${problem}`);
  }
  const headers: Record<string, string> = { ...envHeaders, ...explicitHeaders };

  const protocolSource =
    o.protocol !== undefined
      ? 'otlp.protocol'
      : read(ENV.TRACES_PROTOCOL) !== undefined
        ? ENV.TRACES_PROTOCOL
        : ENV.PROTOCOL;
  const rawProtocol = o.protocol ?? read(ENV.TRACES_PROTOCOL) ?? read(ENV.PROTOCOL) ?? 'http/protobuf';
  if (rawProtocol === 'grpc') {
    throw new SpantrackConfigError(
      protocolSource,
      'grpc is not supported by @spantrack/node; use http/protobuf (OTLP/HTTP, port 4318), which every OpenTelemetry Collector and OTLP backend accepts',
    );
  }
  const protocol = oneOf(rawProtocol, ['http/protobuf', 'http/json'] as const, protocolSource);

  const compressionSource =
    o.compression !== undefined
      ? 'otlp.compression'
      : read(ENV.TRACES_COMPRESSION) !== undefined
        ? ENV.TRACES_COMPRESSION
        : ENV.COMPRESSION;
  const compression = oneOf(
    o.compression ??
      read(ENV.TRACES_COMPRESSION)?.toLowerCase() ??
      read(ENV.COMPRESSION)?.toLowerCase() ??
      'none',
    ['gzip', 'none'] as const,
    compressionSource,
  );

  const timeoutMillis =
    positiveInt(o.timeoutMillis, 'otlp.timeoutMillis') ??
    millisFromEnv(read(ENV.TRACES_TIMEOUT), ENV.TRACES_TIMEOUT) ??
    millisFromEnv(read(ENV.TIMEOUT), ENV.TIMEOUT) ??
    DEFAULT_OTLP_TIMEOUT_MILLIS;

  return {
    endpoint,
    endpointExplicit: endpointSource !== 'default',
    headers,
    protocol,
    compression,
    timeoutMillis,
    explicit: {
      ...(o.endpoint !== undefined && { url: o.endpoint }),
      ...(o.headers !== undefined && { headers: explicitHeaders }),
      ...(o.compression !== undefined && { compression }),
      ...(o.timeoutMillis !== undefined && { timeoutMillis }),
    },
  };
}

function resolveSink(
  option: SinkName | Sink | undefined,
  envSink: SinkName | undefined,
  writeKey: string | undefined,
  warnings: string[],
): SinkName | Sink {
  let sink: SinkName | Sink;
  let explicit = true;
  if (option !== undefined) {
    sink =
      option === ('null' as SinkName)
        ? S.sink.parse(option, 'sink', (message) => warnings.push(message))
        : typeof option === 'string'
          ? oneOf(option, SINK_NAMES, 'sink')
          : sinkObject(option);
  } else if (envSink !== undefined) {
    sink = envSink;
  } else {
    sink = 'segment';
    explicit = false;
  }
  if (sink === 'segment' && writeKey === undefined) {
    // A missing secret must not take the agent or its traces down: analytics go off, loudly once.
    warnings.push(
      explicit
        ? `the segment sink was chosen but no write key is set: analytics are disabled (traces still flow). Set ${ENV.SEGMENT_WRITE_KEY} or segment.writeKey.`
        : `no Segment write key: analytics are disabled (traces still flow). Set ${ENV.SEGMENT_WRITE_KEY} (or segment.writeKey) to send events to Segment, or ${ENV.SINK}=none to silence this warning.`,
    );
    return 'none';
  }
  return sink;
}

function sinkObject(value: unknown): Sink {
  const s = value as Sink;
  if (
    s === null ||
    typeof s !== 'object' ||
    typeof s.send !== 'function' ||
    typeof s.flush !== 'function' ||
    typeof s.shutdown !== 'function'
  ) {
    throw new SpantrackConfigError(
      'sink',
      `must be one of ${SINK_NAMES.join(', ')} or an object with send(), flush() and shutdown()`,
    );
  }
  return s;
}

/** `OTEL_TRACES_EXPORTER` is a comma list (spec); spantrack bundles `otlp` only, and honours `none`. */
function otelTracesExporter(value: string | undefined, warnings: string[]): 'otlp' | 'none' {
  if (value === undefined) return 'otlp';
  const names = value
    .toLowerCase()
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.includes('none')) return 'none';
  const unsupported = names.filter((n) => n !== 'otlp');
  if (unsupported.length > 0) {
    warnings.push(
      names.includes('otlp')
        ? `${ENV.TRACES_EXPORTER}: ${unsupported.join(', ')} not supported by @spantrack/node (only otlp and none); traces are exported through otlp only`
        : `${ENV.TRACES_EXPORTER}: ${unsupported.join(', ')} not supported by @spantrack/node (only otlp and none): no traces are exported by spantrack (OTLP export is off). Add otlp to the list to export traces.`,
    );
  }
  return names.includes('otlp') ? 'otlp' : 'none';
}

/**
 * The OTel spec's boolean env vars: only `true` (any case) is true; anything other than `false`
 * is a warning, not an error.
 */
function otelBoolean(value: string | undefined, name: string, warnings: string[]): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === 'true') return true;
  if (v !== 'false') warnings.push(`${name}=${value} is not true or false; treated as false`);
  return false;
}

/** spantrack's own boolean env vars: `true` / `false` in any case, anything else is an error. */
function strictBoolean(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new SpantrackConfigError(name, `must be true or false, got ${JSON.stringify(value)}`);
}

/**
 * Parses `k=v,k2=v2` (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_RESOURCE_ATTRIBUTES`): keys and values are
 * trimmed and URL-decoded; an entry without `=` is skipped with a warning, as the OTel SDK does.
 */
export function parseKeyValueList(
  value: string | undefined,
  name: string,
  warnings: string[] = [],
  kind: 'attributes' | 'headers' = 'attributes',
): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined) return out;
  for (const entry of value.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      warnings.push(`${name}: entry ${JSON.stringify(entry.trim())} is not key=value; skipped`);
      continue;
    }
    try {
      const key = decodeURIComponent(entry.slice(0, eq).trim());
      const decoded = decodeURIComponent(entry.slice(eq + 1).trim());
      if (kind === 'headers') {
        // Node refuses such a header on every request: skip it here, once, with the reason.
        const problem = invalidHeaderReason(key, decoded);
        if (problem !== undefined) {
          warnings.push(
            problem.startsWith('its value')
              ? `${name}: entry for header ${JSON.stringify(key)} skipped: ${problem}`
              : `${name}: entry ${JSON.stringify(entry.trim())} skipped: ${problem}`,
          );
          continue;
        }
      }
      out[key] = decoded;
    } catch {
      warnings.push(`${name}: entry ${JSON.stringify(entry.trim())} is not valid URL encoding; skipped`);
    }
  }
  return out;
}

function validateUrl(value: string, source: string, example: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new SpantrackConfigError(
      source === 'otlp.endpoint' ? 'otlp.endpoint' : source,
      `${JSON.stringify(value)} is not an http(s) URL; set a full URL such as ${example}`,
    );
  }
}

function url(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  validateUrl(value, name, 'https://api.segment.io');
  return value;
}

function oneOf<const T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new SpantrackConfigError(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function nonEmpty(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!nonEmptyString(value)) throw new SpantrackConfigError(name, 'must be a non-empty string or left out');
  return value;
}

export { MAX_TIMEOUT_MILLIS };

/** A millisecond env var: the error quotes what the user wrote. */
function millisFromEnv(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  return positiveInt(Number(raw), name, JSON.stringify(raw));
}

function positiveInt(value: number | undefined, name: string, shown?: string): number | undefined {
  if (value === undefined) return undefined;
  const got = shown ?? (typeof value === 'string' ? JSON.stringify(value) : String(value));
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new SpantrackConfigError(name, `must be a positive number of milliseconds, got ${got}`);
  }
  if (value > MAX_TIMEOUT_MILLIS) {
    throw new SpantrackConfigError(
      name,
      `must be at most ${MAX_TIMEOUT_MILLIS} ms (2^31-1, about 24.8 days: Node's timer limit), got ${got}`,
    );
  }
  return Math.floor(value);
}
