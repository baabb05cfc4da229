import { parseArgs } from 'node:util';
import { renameDeprecatedEnv, SHARED_SETTINGS } from '@spantrack/processor';
import { DEFAULTS, ENV_PREFIX } from './config';

/** A CLI flag and the environment variable it stands for. */
export interface Flag {
  /** The full variable name: `SPANTRACK_<NAME>` for a shared setting, else `SPANTRACK_COLLECTOR_<NAME>`. */
  env: string;
  type: 'string' | 'boolean';
  /** Repeatable; the values are joined with commas into the variable. */
  multiple?: boolean;
  /** An older spelling of the flag named here (one warning). */
  deprecatedFor?: string;
}

const own = (name: string, type: Flag['type'] = 'string', multiple = false): Flag => ({
  env: ENV_PREFIX + name,
  type,
  ...(multiple ? { multiple: true } : {}),
});

/** The flags of the settings shared with `@spantrack/node`: the same names, from the one table. */
function sharedFlags(): Record<string, Flag> {
  const flags: Record<string, Flag> = {};
  for (const setting of Object.values(SHARED_SETTINGS)) {
    if (setting.flag === undefined || setting.env === undefined) continue;
    flags[setting.flag] = { env: setting.env, type: setting.flagType };
    for (const old of setting.deprecatedFlags)
      flags[old] = { env: setting.env, type: setting.flagType, deprecatedFor: setting.flag };
  }
  return flags;
}

/** Every flag; each sets its variable, which the one resolver reads. */
export const FLAGS: Record<string, Flag> = {
  'http-host': own('HTTP_HOST'),
  'http-port': own('HTTP_PORT'),
  'grpc-host': own('GRPC_HOST'),
  'grpc-port': own('GRPC_PORT'),
  'bearer-token': own('BEARER_TOKEN'),
  'max-request-bytes': own('MAX_REQUEST_BYTES'),
  'max-decompressed-bytes': own('MAX_DECOMPRESSED_BYTES'),
  'max-buffered-bytes': own('MAX_BUFFERED_BYTES'),
  'max-spans-per-request': own('MAX_SPANS_PER_REQUEST'),
  'error-linger-ms': own('ERROR_LINGER_MS'),
  'metrics-token': own('METRICS_TOKEN'),
  ack: own('ACK'),
  'max-queued-messages': own('MAX_QUEUED_MESSAGES'),
  'delivery-timeout-ms': own('DELIVERY_TIMEOUT_MS'),
  'forward-traces': own('FORWARD_TRACES'),
  'forward-traces-header': own('FORWARD_TRACES_HEADERS', 'string', true),
  'forward-traces-timeout-ms': own('FORWARD_TRACES_TIMEOUT_MS'),
  'forward-queue-bytes': own('FORWARD_QUEUE_BYTES'),
  'forward-queue-requests': own('FORWARD_QUEUE_REQUESTS'),
  'forward-max-retry-ms': own('FORWARD_MAX_RETRY_MS'),
  'log-format': own('LOG_FORMAT'),
  'summary-interval-ms': own('SUMMARY_INTERVAL_MS'),
  workers: own('WORKERS'),
  'metrics-otlp-endpoint': own('METRICS_OTLP_ENDPOINT'),
  'metrics-export-interval-ms': own('METRICS_EXPORT_INTERVAL_MS'),
  ...sharedFlags(),
};

/**
 * `--http-port / SPANTRACK_COLLECTOR_HTTP_PORT` for `SPANTRACK_COLLECTOR_HTTP_PORT`,
 * `--sink / SPANTRACK_SINK` for `SPANTRACK_SINK`; the name itself when no flag sets it.
 */
export function settingName(variable: string): string {
  const flag = Object.entries(FLAGS).find(
    ([, f]) => f.env === variable && f.deprecatedFor === undefined,
  )?.[0];
  return flag === undefined ? variable : `--${flag} / ${variable}`;
}

/**
 * The environment a command line stands for: `base` with each flag's variable set (flags win).
 * Deprecated spellings (flags, and `SPANTRACK_COLLECTOR_<NAME>` of shared settings) are renamed
 * here, once, with a warning each: forked workers then see the new names only.
 * @throws TypeError for an unknown flag or a missing value (node:util parseArgs)
 */
export function cliEnvironment(
  argv: string[],
  base: Record<string, string | undefined>,
  warn: (message: string) => void,
): { env: Record<string, string | undefined>; help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [flag, spec] of Object.entries(FLAGS))
    options[flag] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}) };
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  const env: Record<string, string | undefined> = { ...base };
  for (const [flag, spec] of Object.entries(FLAGS)) {
    const value = values[flag];
    if (value === undefined) continue;
    if (spec.deprecatedFor !== undefined) {
      warn(`--${flag} is deprecated: use --${spec.deprecatedFor}`);
      // The current spelling wins when both are given.
      if (values[spec.deprecatedFor] !== undefined) continue;
    }
    if (typeof value === 'string') env[spec.env] = value;
    else if (value === true) env[spec.env] = 'true';
    else if (Array.isArray(value)) env[spec.env] = value.join(',');
  }
  const renamed = renameDeprecatedEnv(Object.values(SHARED_SETTINGS), env, warn);
  // `null` is the old spelling of `none`: said here once, not again by every worker.
  const sink = SHARED_SETTINGS.sink.env!;
  if (renamed[sink]?.trim().toLowerCase() === 'null')
    renamed[sink] = SHARED_SETTINGS.sink.parse('null', settingName(sink), warn);
  return { env: renamed, help: values.help === true };
}

const MiB = 1024 * 1024;

export const HELP = `Usage: spantrack-collector [options]

Receives OTLP traces (HTTP and gRPC), translates AI-agent spans into Segment analytics events and
delivers them; a request is acknowledged once its events are delivered (--ack delivered). With
--forward-traces it also sends every received request, unchanged, to an OTLP/HTTP trace backend.

Every flag has an environment variable; flags win. The settings marked * are shared with
@spantrack/node (same flag, SPANTRACK_<NAME> variable and meaning; docs/configuration.md); the
others are ${ENV_PREFIX}<NAME>. The older ${ENV_PREFIX}<NAME> spellings of the shared
ones still work, with one warning.

Receivers
  --http-host HOST              HTTP_HOST               default ${DEFAULTS.httpHost}
  --http-port PORT|off          HTTP_PORT               default ${DEFAULTS.httpPort} (0: any free port)
  --grpc-host HOST              GRPC_HOST               default ${DEFAULTS.grpcHost}
  --grpc-port PORT|off          GRPC_PORT               default ${DEFAULTS.grpcPort} (0: any free port)
  --bearer-token TOKEN          BEARER_TOKEN            require "Authorization: Bearer TOKEN"
  --max-request-bytes N         MAX_REQUEST_BYTES       default ${DEFAULTS.maxRequestBytes} (as received)
  --max-decompressed-bytes N    MAX_DECOMPRESSED_BYTES  default ${DEFAULTS.maxDecompressedBytes} (after gunzip)
  --max-buffered-bytes N        MAX_BUFFERED_BYTES      default 2 x max-decompressed-bytes (memory budget of all
                                                        requests, HTTP and gRPC: bodies and decoded spans; then 429)
  --max-spans-per-request N     MAX_SPANS_PER_REQUEST   default ${DEFAULTS.maxSpansPerRequest} (then 413)
  --error-linger-ms N           ERROR_LINGER_MS         default ${DEFAULTS.errorLingerMs} (unread body after an error answer)
  --metrics-token TOKEN         METRICS_TOKEN           require it on GET /metrics (default: the bearer token)

Events (analytics)
  --sink segment|jsonl|console|none
                              * SINK                    default segment with a write key, else console
  --segment-write-key KEY     * SEGMENT_WRITE_KEY
  --segment-host URL          * SEGMENT_HOST            default https://api.segment.io
  --segment-path PATH         * SEGMENT_PATH            default /v1/batch
  --jsonl-path FILE           * JSONL_PATH              required by --sink jsonl
  --ack delivered|received      ACK                     default delivered
  --max-queued-messages N       MAX_QUEUED_MESSAGES     default ${DEFAULTS.maxQueuedMessages} (then 429)
  --delivery-timeout-ms N       DELIVERY_TIMEOUT_MS     default ${DEFAULTS.deliveryTimeoutMs} (then 503)
  --catalogs LIST             * CATALOGS                comma list, default all built-in catalogs
  --prices FILE               * PRICES                  JSON model prices over the shipped table
  --store FILE|:memory:|off   * STORE                   default off; also keep every event in a DuckDB
                                                        file and serve the dashboard at / (one process:
                                                        refused with --workers N above 1)

Privacy (what leaves)
  --capture-content           * CAPTURE_CONTENT         send message content (default off; also read:
                                                        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT)
  --pseudonymize-secret S     * PSEUDONYMIZE_SECRET     send HMAC-SHA256(S, user id) instead of user ids
  --max-event-bytes N         * MAX_EVENT_BYTES         default 31744 (longer values are cut)

Traces (to a trace backend)
  --forward-traces URL          FORWARD_TRACES          OTLP/HTTP endpoint; a bare origin gets /v1/traces
  --forward-traces-header K=V   FORWARD_TRACES_HEADERS  repeatable; the variable takes k=v,k2=v2
  --forward-traces-timeout-ms N FORWARD_TRACES_TIMEOUT_MS  default ${DEFAULTS.forwardTimeoutMs} per attempt
  --forward-queue-bytes N       FORWARD_QUEUE_BYTES     default ${DEFAULTS.forwardMaxQueueBytes} (${DEFAULTS.forwardMaxQueueBytes / MiB} MiB; then dropped)
  --forward-queue-requests N    FORWARD_QUEUE_REQUESTS  default ${DEFAULTS.forwardMaxQueueRequests} (then dropped)
  --forward-max-retry-ms N      FORWARD_MAX_RETRY_MS    default ${DEFAULTS.forwardMaxRetryMs} (then failed)

Process
  --shutdown-timeout-millis N * SHUTDOWN_TIMEOUT_MILLIS default ${DEFAULTS.shutdownTimeoutMs}
  --log-format text|json        LOG_FORMAT              default text (json: one object per line)
  --log-level info|warn|none  * LOG_LEVEL               default info; warn: warnings and errors; none: errors
  --quiet                     * QUIET                   log level warn
  --summary-interval-ms N       SUMMARY_INTERVAL_MS     default ${DEFAULTS.summaryIntervalMs} (printed when a figure changed)
  --workers N                   WORKERS                 default the number of cores (1 with --store); N
                                                        processes share the ports; 1: one process
  -h, --help                    this text

Metrics (GET /metrics, and over OTLP)
  --metrics-otlp-endpoint URL   METRICS_OTLP_ENDPOINT   OTLP/HTTP endpoint; a bare origin gets /v1/metrics
  --metrics-export-interval-ms N METRICS_EXPORT_INTERVAL_MS  default ${DEFAULTS.metricsExportIntervalMs}

Endpoints: POST /v1/traces (application/x-protobuf or application/json, gzip), GET /healthz,
GET /readyz, GET /metrics (Prometheus); with --store, GET / (the dashboard) and /api/*. SIGTERM / SIGINT: stop accepting, drain, flush, exit 0.
Exit codes: 0 stopped by a signal, 1 could not start (port taken...), 2 invalid configuration.
`;
