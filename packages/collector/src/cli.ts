#!/usr/bin/env node
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { SpantrackConfigError } from '@spantrack/processor';
import { runPrimary } from './cluster/cluster-primary';
import { runWorker } from './cluster/cluster-worker';
import { resolveWorkers } from './cluster/worker-count';
import { startCollector } from './collector';
import { DEFAULTS, describeSink } from './config';

const HELP = `Usage: spantrack-collector [options]

Receives OTLP traces (HTTP and gRPC), translates AI-agent spans into Segment analytics events,
and delivers them; a request is acknowledged once its events are delivered (--ack delivered).

Every flag has an environment variable (SPANTRACK_COLLECTOR_<NAME>); flags win.

Receivers
  --http-host HOST              HTTP_HOST               default ${DEFAULTS.httpHost}
  --http-port PORT|off          HTTP_PORT               default ${DEFAULTS.httpPort} (0: any free port)
  --grpc-host HOST              GRPC_HOST               default ${DEFAULTS.grpcHost}
  --grpc-port PORT|off          GRPC_PORT               default ${DEFAULTS.grpcPort} (0: any free port)
  --bearer-token TOKEN          BEARER_TOKEN            require "Authorization: Bearer TOKEN"
  --max-request-bytes N         MAX_REQUEST_BYTES       default ${DEFAULTS.maxRequestBytes} (as received)
  --max-decompressed-bytes N    MAX_DECOMPRESSED_BYTES  default ${DEFAULTS.maxDecompressedBytes} (after gunzip)
  --max-buffered-bytes N        MAX_BUFFERED_BYTES      default 2 x max-decompressed-bytes (all requests' bodies; then 429)

Delivery
  --sink segment|jsonl|console|null
                                SINK                    default segment with a write key, else console
  --segment-write-key KEY       SEGMENT_WRITE_KEY       (SEGMENT_WRITE_KEY is read too)
  --segment-host URL            SEGMENT_HOST            default https://api.segment.io
  --segment-path PATH           SEGMENT_PATH            default /v1/batch
  --jsonl-path FILE             JSONL_PATH
  --ack delivered|received      ACK                     default delivered
  --max-queued-messages N       MAX_QUEUED_MESSAGES     default ${DEFAULTS.maxQueuedMessages} (then 429)
  --delivery-timeout-ms N       DELIVERY_TIMEOUT_MS     default ${DEFAULTS.deliveryTimeoutMs} (then 503)
  --shutdown-timeout-ms N       SHUTDOWN_TIMEOUT_MS     default ${DEFAULTS.shutdownTimeoutMs}

Translation
  --catalogs LIST               CATALOGS                comma list, default all built-in catalogs
  --capture-content             CAPTURE_CONTENT         send message content (default off)

Processes
  --workers N                   WORKERS                 default the number of cores; 1: one process

  -h, --help                    this text

Endpoints: POST /v1/traces (application/x-protobuf or application/json, gzip), GET /healthz,
GET /readyz, GET /metrics (Prometheus). SIGTERM / SIGINT: stop accepting, drain, flush, exit 0.
`;

const FLAGS = {
  'http-host': 'HTTP_HOST',
  'http-port': 'HTTP_PORT',
  'grpc-host': 'GRPC_HOST',
  'grpc-port': 'GRPC_PORT',
  'bearer-token': 'BEARER_TOKEN',
  'max-request-bytes': 'MAX_REQUEST_BYTES',
  'max-decompressed-bytes': 'MAX_DECOMPRESSED_BYTES',
  'max-buffered-bytes': 'MAX_BUFFERED_BYTES',
  sink: 'SINK',
  'segment-write-key': 'SEGMENT_WRITE_KEY',
  'segment-host': 'SEGMENT_HOST',
  'segment-path': 'SEGMENT_PATH',
  'jsonl-path': 'JSONL_PATH',
  ack: 'ACK',
  'max-queued-messages': 'MAX_QUEUED_MESSAGES',
  'delivery-timeout-ms': 'DELIVERY_TIMEOUT_MS',
  'shutdown-timeout-ms': 'SHUTDOWN_TIMEOUT_MS',
  catalogs: 'CATALOGS',
  workers: 'WORKERS',
} as const;

function fail(message: string, code: number): never {
  process.stderr.write(`spantrack-collector: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  if (cluster.isWorker) return runWorker();
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
      help: { type: 'boolean', short: 'h' },
      'capture-content': { type: 'boolean' },
    };
    for (const flag of Object.keys(FLAGS)) options[flag] = { type: 'string' };
    values = parseArgs({ options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    fail(`${(error as Error).message}\nTry --help.`, 2);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }

  // Flags become the environment the one resolver reads, so flags and env cannot disagree on meaning.
  const env: Record<string, string | undefined> = { ...process.env };
  for (const [flag, name] of Object.entries(FLAGS)) {
    const value = values[flag];
    if (typeof value === 'string') env[`SPANTRACK_COLLECTOR_${name}`] = value;
  }
  if (values['capture-content']) env.SPANTRACK_COLLECTOR_CAPTURE_CONTENT = 'true';

  // --workers N > 1: this process forks N collectors sharing the ports (cluster/).
  try {
    const workers = resolveWorkers(undefined, env);
    if (workers > 1) {
      const line = (stream: NodeJS.WriteStream) => (text: string) => stream.write(`${text}\n`);
      const log = line(process.stderr);
      process.exit(
        await runPrimary({
          env,
          workers,
          out: line(process.stdout),
          log: (t) => log(`spantrack-collector: ${t}`),
        }),
      );
    }
  } catch (error) {
    if (error instanceof SpantrackConfigError) fail(`${error.message}\nTry --help.`, 2);
    throw error;
  }

  let collector: Awaited<ReturnType<typeof startCollector>>;
  try {
    collector = await startCollector({
      env,
      log: (line) => process.stderr.write(`spantrack-collector: ${line}\n`),
    });
  } catch (error) {
    if (error instanceof SpantrackConfigError) fail(`${error.message}\nTry --help.`, 2);
    fail(`could not start: ${(error as Error).message}`, 1);
  }

  const out: string[] = [];
  if (collector.httpUrl)
    out.push(`spantrack-collector: OTLP/HTTP listening on ${collector.httpUrl} (POST /v1/traces)`);
  if (collector.grpcUrl) out.push(`spantrack-collector: OTLP/gRPC listening on ${collector.grpcUrl}`);
  process.stdout.write(`${out.join('\n')}\n`);
  process.stderr.write(
    `spantrack-collector: sink ${describeSink(collector.config.sink)}; ack after ${
      collector.config.ack === 'delivered' ? 'delivery' : 'receipt'
    }\n`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`spantrack-collector: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`spantrack-collector: ${signal}: draining\n`);
    collector.close().then(
      () => {
        const s = collector.stats();
        process.stderr.write(
          `spantrack-collector: stopped (${s.messagesDelivered} messages delivered, ${s.messagesFailed} failed)\n`,
        );
        process.exit(0);
      },
      (error: unknown) => fail(`shutdown failed: ${String(error)}`, 1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => fail(`unexpected error: ${String(error)}`, 1));
