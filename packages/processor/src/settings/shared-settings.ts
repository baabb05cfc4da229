import type { BuiltinCatalogName } from '@spantrack/conventions';
import { SpantrackConfigError } from '../config-error';
import { MIN_MAX_EVENT_BYTES } from '../privacy/size-cap';
import { BUILTIN_CATALOGS } from '../translate';
import { deprecatedOnce } from './deprecation';
import {
  booleanText,
  httpUrlText,
  integerText,
  MAX_TIMEOUT_MILLIS,
  nonEmptyText,
  oneOfText,
  otelBooleanText,
} from './setting-parsers';

export type SettingWarn = (message: string) => void;

/** Names of the analytics sinks both `@spantrack/node` and the collector build by name. */
export const SINK_NAMES = ['segment', 'jsonl', 'console', 'none'] as const;
export type SharedSinkName = (typeof SINK_NAMES)[number];

export const LOG_LEVELS = ['info', 'warn', 'none'] as const;
export type SharedLogLevel = (typeof LOG_LEVELS)[number];

/**
 * One setting that `@spantrack/node` and `spantrack-collector` both take, under the same option
 * path, environment variable and CLI flag, with the same meaning. `docs/configuration.md` is
 * generated from these rows.
 */
export interface SharedSetting<T = unknown> {
  /** The option path in `setup()` and `startCollector()`; undefined when there is no option. */
  readonly option: string | undefined;
  /** `SPANTRACK_<NAME>`; undefined for an option-only setting (a function). */
  readonly env: string | undefined;
  /** A standard variable read after `env` (OpenTelemetry's), by both programs. */
  readonly standardEnv?: string;
  /** The collector's flag, without `--`. */
  readonly flag: string | undefined;
  /** `boolean` flags take no value (`--quiet`). */
  readonly flagType: 'string' | 'boolean';
  /** Older collector spellings, still read (after `env`) with one warning naming `env`. */
  readonly deprecatedEnv: readonly string[];
  readonly deprecatedFlags: readonly string[];
  /** What may be written, for the docs. */
  readonly values: string;
  readonly defaults: { readonly node: string; readonly collector: string };
  /** One line for the docs. */
  readonly doc: string;
  /** Reads the text of `env` / `flag`; throws `SpantrackConfigError` naming `source`. */
  parse(raw: string, source: string, warn: SettingWarn): T;
}

const setting = <T>(s: SharedSetting<T>): SharedSetting<T> => s;

function parseCatalogs(raw: string, source: string): BuiltinCatalogName[] {
  const known = Object.keys(BUILTIN_CATALOGS);
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0)
    throw new SpantrackConfigError(
      source,
      `${JSON.stringify(raw)} names no catalog, which would drop every event; use a comma list of ${known.join(', ')}, or unset it for all of them`,
    );
  for (const name of names)
    if (!known.includes(name))
      throw new SpantrackConfigError(
        source,
        `unknown catalog ${JSON.stringify(name)}; use a comma list of ${known.join(', ')}`,
      );
  return names as BuiltinCatalogName[];
}

/** Every shared setting, in the order of the docs' table. */
export const SHARED_SETTINGS = {
  sink: setting<SharedSinkName>({
    option: 'sink',
    env: 'SPANTRACK_SINK',
    flag: 'sink',
    flagType: 'string',
    deprecatedEnv: ['SPANTRACK_COLLECTOR_SINK'],
    deprecatedFlags: [],
    values:
      '`segment`, `jsonl`, `console`, `none` (`null`: deprecated spelling of `none`); the option also takes a `Sink` object',
    defaults: {
      node: '`segment` with a write key, else `none` (one warning)',
      collector: '`segment` with a write key, else `console`',
    },
    doc: 'Where analytics events go.',
    parse(raw, source, warn) {
      if (raw.trim().toLowerCase() === 'null') {
        deprecatedOnce(`${source}=null`, `${source}: "null" is deprecated; use "none"`, warn);
        return 'none';
      }
      return oneOfText(raw, SINK_NAMES, source);
    },
  }),
  segmentWriteKey: setting<string>({
    option: 'segment.writeKey',
    env: 'SPANTRACK_SEGMENT_WRITE_KEY',
    flag: 'segment-write-key',
    flagType: 'string',
    deprecatedEnv: ['SPANTRACK_COLLECTOR_SEGMENT_WRITE_KEY', 'SEGMENT_WRITE_KEY'],
    deprecatedFlags: [],
    values: 'the source’s write key',
    defaults: { node: 'none', collector: 'none' },
    doc: 'Required by the `segment` sink; never printed.',
    parse: (raw, source) => nonEmptyText(raw, source),
  }),
  segmentHost: setting<string>({
    option: 'segment.host',
    env: 'SPANTRACK_SEGMENT_HOST',
    flag: 'segment-host',
    flagType: 'string',
    deprecatedEnv: ['SPANTRACK_COLLECTOR_SEGMENT_HOST'],
    deprecatedFlags: [],
    values: 'an `http(s)` URL',
    defaults: { node: '`https://api.segment.io`', collector: '`https://api.segment.io`' },
    doc: 'Any Segment-compatible receiver (RudderStack’s data plane, the test server).',
    parse: (raw, source) => httpUrlText(raw, source, 'https://api.segment.io'),
  }),
  segmentPath: setting<string>({
    option: 'segment.path',
    env: 'SPANTRACK_SEGMENT_PATH',
    flag: 'segment-path',
    flagType: 'string',
    deprecatedEnv: ['SPANTRACK_COLLECTOR_SEGMENT_PATH'],
    deprecatedFlags: [],
    values: 'a URL path',
    defaults: { node: '`/v1/batch`', collector: '`/v1/batch`' },
    doc: 'Path of the batch endpoint on `segment.host`.',
    parse: (raw, source) => nonEmptyText(raw, source),
  }),
  jsonlPath: setting<string>({
    option: 'jsonlPath',
    env: 'SPANTRACK_JSONL_PATH',
    flag: 'jsonl-path',
    flagType: 'string',
    deprecatedEnv: ['SPANTRACK_COLLECTOR_JSONL_PATH'],
    deprecatedFlags: [],
    values: 'a file path',
    defaults: { node: '`spantrack-events.jsonl`', collector: 'none: required by `--sink jsonl`' },
    doc: 'File of the `jsonl` sink, appended to.',
    parse: (raw, source) => nonEmptyText(raw, source),
  }),
  store: setting<string | false>({
    option: 'store',
    env: 'SPANTRACK_STORE',
    flag: 'store',
    flagType: 'string',
    deprecatedEnv: ['SPANTRACK_COLLECTOR_STORE'],
    deprecatedFlags: [],
    values: 'a DuckDB file, `:memory:`, or `off` (option: `false`)',
    defaults: { node: 'off', collector: 'off' },
    doc: 'Also keep every event in the DuckDB event store of `@spantrack/insights`.',
    parse(raw, source) {
      const v = nonEmptyText(raw, source);
      return v.toLowerCase() === 'off' ? false : v;
    },
  }),
  catalogs: setting<BuiltinCatalogName[]>({
    option: 'catalogs',
    env: 'SPANTRACK_CATALOGS',
    flag: 'catalogs',
    flagType: 'string',
    deprecatedEnv: ['SPANTRACK_COLLECTOR_CATALOGS'],
    deprecatedFlags: [],
    values: `a comma list of ${Object.keys(BUILTIN_CATALOGS).join(', ')}; the option also takes \`Catalog\` objects`,
    defaults: { node: 'all built-in catalogs', collector: 'all built-in catalogs' },
    doc: 'Catalogs (tracking plans) that turn spans into events.',
    parse: (raw, source) => parseCatalogs(raw, source),
  }),
  captureContent: setting<boolean>({
    option: 'privacy.captureContent',
    env: 'SPANTRACK_CAPTURE_CONTENT',
    standardEnv: 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT',
    flag: 'capture-content',
    flagType: 'boolean',
    deprecatedEnv: ['SPANTRACK_COLLECTOR_CAPTURE_CONTENT'],
    deprecatedFlags: [],
    values: '`true` / `false`',
    defaults: { node: '`false`', collector: '`false`' },
    doc: 'Let message content (inputs, outputs, message bodies) leave the process. `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` is read after `SPANTRACK_CAPTURE_CONTENT`, as OpenTelemetry reads it (only `true` is true).',
    parse: (raw, source, warn) =>
      source === 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'
        ? otelBooleanText(raw, source, warn)
        : booleanText(raw, source),
  }),
  pseudonymizeSecret: setting<string>({
    option: 'privacy.pseudonymizeUserIds.secret',
    env: 'SPANTRACK_PSEUDONYMIZE_SECRET',
    flag: 'pseudonymize-secret',
    flagType: 'string',
    deprecatedEnv: [],
    deprecatedFlags: [],
    values: 'a secret',
    defaults: { node: 'off', collector: 'off' },
    doc: 'Replace user ids with HMAC-SHA256(secret, id) before anything leaves; never printed.',
    parse: (raw, source) => nonEmptyText(raw, source),
  }),
  maxEventBytes: setting<number>({
    option: 'privacy.maxEventBytes',
    env: 'SPANTRACK_MAX_EVENT_BYTES',
    flag: 'max-event-bytes',
    flagType: 'string',
    deprecatedEnv: [],
    deprecatedFlags: [],
    values: `an integer ≥ ${MIN_MAX_EVENT_BYTES}`,
    defaults: { node: '`31744`', collector: '`31744`' },
    doc: 'Largest serialized event; longer values are cut (content first) with `<field>_truncated: true`.',
    parse: (raw, source) => integerText(raw, source, MIN_MAX_EVENT_BYTES, Number.MAX_SAFE_INTEGER, 'bytes'),
  }),
  redact: setting<never>({
    option: 'privacy.redact',
    env: undefined,
    flag: undefined,
    flagType: 'string',
    deprecatedEnv: [],
    deprecatedFlags: [],
    values: 'a function `(value, path) => string` (option only)',
    defaults: { node: 'none', collector: 'none' },
    doc: 'Called on every string taken from span data that leaves; its return value is sent instead.',
    parse(_raw, source) {
      throw new SpantrackConfigError(source, 'is an option only (a function)');
    },
  }),
  prices: setting<string>({
    option: 'prices',
    env: 'SPANTRACK_PRICES',
    flag: 'prices',
    flagType: 'string',
    deprecatedEnv: [],
    deprecatedFlags: [],
    values:
      'a JSON file of model → `{ input, output, cachedInput? }` (USD per million tokens); the option also takes the object',
    defaults: { node: 'the shipped price table', collector: 'the shipped price table' },
    doc: 'Prices that override or extend the shipped table, for `cost_usd`.',
    parse: (raw, source) => nonEmptyText(raw, source),
  }),
  logLevel: setting<SharedLogLevel>({
    option: 'logLevel',
    env: 'SPANTRACK_LOG_LEVEL',
    flag: 'log-level',
    flagType: 'string',
    deprecatedEnv: [],
    deprecatedFlags: [],
    values: '`info`, `warn`, `none`',
    defaults: { node: '`info` under the register entry, `warn` for `setup()`', collector: '`info`' },
    doc: 'What is printed to stderr: `info` (startup, exit and summary lines too), `warn` (warnings and errors), `none` (errors only).',
    parse: (raw, source) => oneOfText(raw, LOG_LEVELS, source),
  }),
  quiet: setting<boolean>({
    option: undefined,
    env: 'SPANTRACK_QUIET',
    flag: 'quiet',
    flagType: 'boolean',
    deprecatedEnv: ['SPANTRACK_COLLECTOR_QUIET'],
    deprecatedFlags: [],
    values: '`true` / `false`',
    defaults: { node: '`false`', collector: '`false`' },
    doc: '`true` means log level `warn`; `SPANTRACK_LOG_LEVEL` wins over it (option: `logLevel: "warn"`).',
    parse: (raw, source) => booleanText(raw, source),
  }),
  shutdownTimeoutMillis: setting<number>({
    option: 'shutdownTimeoutMillis',
    env: 'SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS',
    flag: 'shutdown-timeout-millis',
    flagType: 'string',
    deprecatedEnv: ['SPANTRACK_COLLECTOR_SHUTDOWN_TIMEOUT_MS'],
    deprecatedFlags: ['shutdown-timeout-ms'],
    values: `milliseconds, 1 to ${MAX_TIMEOUT_MILLIS}`,
    defaults: { node: '`5000`', collector: '`10000`' },
    doc: 'Deadline of the flush and shutdown (on SIGTERM / SIGINT, at exit).',
    parse: (raw, source) => integerText(raw, source, 1, MAX_TIMEOUT_MILLIS, 'milliseconds'),
  }),
} as const;

export type SharedSettingId = keyof typeof SHARED_SETTINGS;
