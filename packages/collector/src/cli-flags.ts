import { DEFAULTS, ENV_PREFIX } from './config';

/** A CLI flag and the environment variable (after `SPANTRACK_COLLECTOR_`) it stands for. */
export interface Flag {
  env: string;
  type: 'string' | 'boolean';
  /** Repeatable; the values are joined with commas into the variable. */
  multiple?: boolean;
}

/** Every flag; each sets its `SPANTRACK_COLLECTOR_<env>` variable, which the one resolver reads. */
export const FLAGS: Record<string, Flag> = {
  'http-host': { env: 'HTTP_HOST', type: 'string' },
  'http-port': { env: 'HTTP_PORT', type: 'string' },
  'grpc-host': { env: 'GRPC_HOST', type: 'string' },
  'grpc-port': { env: 'GRPC_PORT', type: 'string' },
  'bearer-token': { env: 'BEARER_TOKEN', type: 'string' },
  'max-request-bytes': { env: 'MAX_REQUEST_BYTES', type: 'string' },
  'max-decompressed-bytes': { env: 'MAX_DECOMPRESSED_BYTES', type: 'string' },
  'max-buffered-bytes': { env: 'MAX_BUFFERED_BYTES', type: 'string' },
  'max-spans-per-request': { env: 'MAX_SPANS_PER_REQUEST', type: 'string' },
  'error-linger-ms': { env: 'ERROR_LINGER_MS', type: 'string' },
  'metrics-token': { env: 'METRICS_TOKEN', type: 'string' },
  sink: { env: 'SINK', type: 'string' },
  'segment-write-key': { env: 'SEGMENT_WRITE_KEY', type: 'string' },
  'segment-host': { env: 'SEGMENT_HOST', type: 'string' },
  'segment-path': { env: 'SEGMENT_PATH', type: 'string' },
  'jsonl-path': { env: 'JSONL_PATH', type: 'string' },
  ack: { env: 'ACK', type: 'string' },
  'max-queued-messages': { env: 'MAX_QUEUED_MESSAGES', type: 'string' },
  'delivery-timeout-ms': { env: 'DELIVERY_TIMEOUT_MS', type: 'string' },
  'shutdown-timeout-ms': { env: 'SHUTDOWN_TIMEOUT_MS', type: 'string' },
  catalogs: { env: 'CATALOGS', type: 'string' },
  'capture-content': { env: 'CAPTURE_CONTENT', type: 'boolean' },
  'forward-traces': { env: 'FORWARD_TRACES', type: 'string' },
  'forward-traces-header': { env: 'FORWARD_TRACES_HEADERS', type: 'string', multiple: true },
  'forward-traces-timeout-ms': { env: 'FORWARD_TRACES_TIMEOUT_MS', type: 'string' },
  'forward-queue-bytes': { env: 'FORWARD_QUEUE_BYTES', type: 'string' },
  'forward-queue-requests': { env: 'FORWARD_QUEUE_REQUESTS', type: 'string' },
  'forward-max-retry-ms': { env: 'FORWARD_MAX_RETRY_MS', type: 'string' },
  store: { env: 'STORE', type: 'string' },
  'log-format': { env: 'LOG_FORMAT', type: 'string' },
  quiet: { env: 'QUIET', type: 'boolean' },
  'summary-interval-ms': { env: 'SUMMARY_INTERVAL_MS', type: 'string' },
  workers: { env: 'WORKERS', type: 'string' },
  'metrics-otlp-endpoint': { env: 'METRICS_OTLP_ENDPOINT', type: 'string' },
  'metrics-export-interval-ms': { env: 'METRICS_EXPORT_INTERVAL_MS', type: 'string' },
};

/** `--http-port / SPANTRACK_COLLECTOR_HTTP_PORT` for `SPANTRACK_COLLECTOR_HTTP_PORT`; the name itself when no flag sets it. */
export function settingName(variable: string): string {
  if (!variable.startsWith(ENV_PREFIX)) return variable;
  const env = variable.slice(ENV_PREFIX.length);
  const flag = Object.entries(FLAGS).find(([, f]) => f.env === env)?.[0];
  return flag === undefined ? variable : `--${flag} / ${variable}`;
}

const MiB = 1024 * 1024;

export const HELP = `Usage: spantrack-collector [options]

Receives OTLP traces (HTTP and gRPC), translates AI-agent spans into Segment analytics events and
delivers them; a request is acknowledged once its events are delivered (--ack delivered). With
--forward-traces it also sends every received request, unchanged, to an OTLP/HTTP trace backend.

Every flag has an environment variable, ${ENV_PREFIX}<NAME>; flags win.

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
  --sink segment|jsonl|console|null
                                SINK                    default segment with a write key, else console
  --segment-write-key KEY       SEGMENT_WRITE_KEY       (plain SEGMENT_WRITE_KEY is read too)
  --segment-host URL            SEGMENT_HOST            default https://api.segment.io
  --segment-path PATH           SEGMENT_PATH            default /v1/batch
  --jsonl-path FILE             JSONL_PATH
  --ack delivered|received      ACK                     default delivered
  --max-queued-messages N       MAX_QUEUED_MESSAGES     default ${DEFAULTS.maxQueuedMessages} (then 429)
  --delivery-timeout-ms N       DELIVERY_TIMEOUT_MS     default ${DEFAULTS.deliveryTimeoutMs} (then 503)
  --catalogs LIST               CATALOGS                comma list, default all built-in catalogs
  --capture-content             CAPTURE_CONTENT         send message content (default off)
  --store FILE|:memory:|off     STORE                   default off; also keep every event in a DuckDB
                                                        file and serve the dashboard at / (one process)

Traces (to a trace backend)
  --forward-traces URL          FORWARD_TRACES          OTLP/HTTP endpoint; a bare origin gets /v1/traces
  --forward-traces-header K=V   FORWARD_TRACES_HEADERS  repeatable; the variable takes k=v,k2=v2
  --forward-traces-timeout-ms N FORWARD_TRACES_TIMEOUT_MS  default ${DEFAULTS.forwardTimeoutMs} per attempt
  --forward-queue-bytes N       FORWARD_QUEUE_BYTES     default ${DEFAULTS.forwardMaxQueueBytes} (${DEFAULTS.forwardMaxQueueBytes / MiB} MiB; then dropped)
  --forward-queue-requests N    FORWARD_QUEUE_REQUESTS  default ${DEFAULTS.forwardMaxQueueRequests} (then dropped)
  --forward-max-retry-ms N      FORWARD_MAX_RETRY_MS    default ${DEFAULTS.forwardMaxRetryMs} (then failed)

Process
  --shutdown-timeout-ms N       SHUTDOWN_TIMEOUT_MS     default ${DEFAULTS.shutdownTimeoutMs}
  --log-format text|json        LOG_FORMAT              default text (json: one object per line)
  --quiet                       QUIET                   warnings and errors only
  --summary-interval-ms N       SUMMARY_INTERVAL_MS     default ${DEFAULTS.summaryIntervalMs} (printed when a figure changed)
  --workers N                   WORKERS                 default 1 (one process); N processes share the ports
  -h, --help                    this text

Metrics (GET /metrics, and over OTLP)
  --metrics-otlp-endpoint URL   METRICS_OTLP_ENDPOINT   OTLP/HTTP endpoint; a bare origin gets /v1/metrics
  --metrics-export-interval-ms N METRICS_EXPORT_INTERVAL_MS  default ${DEFAULTS.metricsExportIntervalMs}

Endpoints: POST /v1/traces (application/x-protobuf or application/json, gzip), GET /healthz,
GET /readyz, GET /metrics (Prometheus); with --store, GET / (the dashboard) and /api/*. SIGTERM / SIGINT: stop accepting, drain, flush, exit 0.
Exit codes: 0 stopped by a signal, 1 could not start (port taken...), 2 invalid configuration.
`;
