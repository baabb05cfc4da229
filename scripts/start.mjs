// `npm start`: the main job. Builds when needed; starts a spantrack collector (OTLP/HTTP and
// OTLP/gRPC) whose sink appends the events to a JSONL file under .data/ and which also keeps them
// in the DuckDB event store .data/events.duckdb, serving the insights dashboard at its HTTP URL
// (nothing external needed); runs the demo agent (examples/demo-agent) in its own process, sending
// its traces over real OTLP; prints this run's events by catalog and the dashboards' figures, read
// from the store; then keeps serving until SIGINT or SIGTERM, so any OTLP sender can use it.
//
//   npm start                         serve after the demo (Ctrl-C stops, draining first)
//   npm start -- --once               exit after the summary (or SPANTRACK_START_ONCE=1)
//   npm start -- --data-dir DIR       where events.jsonl and events.duckdb go (or SPANTRACK_DATA_DIR;
//                                     default .data)
//   npm start -- --http-port N --grpc-port N --host H
//                                     listeners (or SPANTRACK_START_HTTP_PORT / _GRPC_PORT / _HOST;
//                                     default 127.0.0.1:4318 and :4317; a taken port falls back to
//                                     a free one; 0 always picks a free one)
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuilt } from './ensure-built.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const USAGE =
  'usage: npm start -- [--once] [--data-dir DIR] [--host HOST] [--http-port N] [--grpc-port N] [--forward-traces URL]';
let args;
try {
  ({ values: args } = parseArgs({
    options: {
      once: { type: 'boolean' },
      'data-dir': { type: 'string' },
      host: { type: 'string' },
      'http-port': { type: 'string' },
      'grpc-port': { type: 'string' },
      'forward-traces': { type: 'string' },
    },
    strict: true,
  }));
} catch (error) {
  process.stderr.write(`npm start: ${error.message}\n${USAGE}\n`);
  process.exit(2);
}
const env = process.env;
const once = args.once === true || env.SPANTRACK_START_ONCE === '1' || env.SPANTRACK_START_ONCE === 'true';
const dataDir = resolve(root, args['data-dir'] ?? env.SPANTRACK_DATA_DIR ?? '.data');
const host = args.host ?? env.SPANTRACK_START_HOST ?? '127.0.0.1';
const httpPort = portOf('--http-port', args['http-port'] ?? env.SPANTRACK_START_HTTP_PORT ?? '4318');
const grpcPort = portOf('--grpc-port', args['grpc-port'] ?? env.SPANTRACK_START_GRPC_PORT ?? '4317');

ensureBuilt();
// Imported once built: the workspace packages resolve to their dist.
const { startCollector } = await import('@spantrack/collector');
const { JsonlFileSink } = await import('@spantrack/processor');
const { formatSummary, summarize } = await import('@spantrack/example-demo-agent');

// 1. The collector, with the embedded default sink (a JSONL file) and the event store beside it,
//    both appended to across runs.
mkdirSync(dataDir, { recursive: true });
const eventsPath = resolve(dataDir, 'events.jsonl');
const storePath = resolve(dataDir, 'events.duckdb');
const sink = new JsonlFileSink({ path: eventsPath });
const collector = await startWithFallback();
// From here on a signal drains the collector and closes its files (the demo agent, if running,
// gets the signal too), whenever it comes: during the demo as well as while serving.
let stopping = false;
let demoAgent;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    say(`\n${signal}: draining and stopping`);
    if (demoAgent?.exitCode === null) demoAgent.kill(signal);
    stop().then(
      () => {
        const s = collector.stats();
        say(`stopped: ${s.requests} OTLP requests, ${s.messagesDelivered} events delivered in all`);
        process.exit(0);
      },
      (error) => {
        say(`shutdown failed: ${error}`);
        process.exit(1);
      },
    );
  });
}
const otlpHttp = collector.httpUrl;
say(`spantrack collector: OTLP/HTTP ${otlpHttp}/v1/traces, OTLP/gRPC ${collector.grpcUrl}`);
say(`events (JSONL): ${eventsPath}`);
say(`events (DuckDB store): ${storePath}`);
say(`dashboard: ${collector.dashboardUrl}`);
say(
  collector.forwardUrl
    ? `traces: forwarded to ${collector.forwardUrl}`
    : 'traces: not forwarded to a trace backend (add one with `npm start -- --forward-traces http://HOST:4318`, or SPANTRACK_COLLECTOR_FORWARD_TRACES)',
);
// This run's events: the summary reads the store from here on (it keeps earlier runs too).
const runStarted = new Date().toISOString();

// 2. The demo agent, in its own process, over real OTLP (http/protobuf, gzip). It sends no
//    events itself (sink none): the collector turns its spans into events.
say(
  '\nRunning the demo agent (examples/demo-agent): a WhatsApp intent bot (AI agent tracking plan), ' +
    "a support copilot (Segment's AI Copilot spec), a customer-signals inbox (customer-signals tracking plan), " +
    'a help desk on the web widget and test channels (priced OpenAI calls)',
);
const code = await runDemoAgent(otlpHttp);
// Stopped by a signal meanwhile: its handler finishes and exits.
if (stopping) await new Promise(() => {});
if (code !== 0) {
  say(`demo agent failed (exit ${code})`);
  await stop();
  process.exit(1);
}
// Every OTLP request was answered after its events reached the sink; make sure they left its
// buffer, and that the store (written beside the sink, best-effort) has them all.
await sink.flush();
await collector.store.flush();

// 3. The summary, read back from the store: this run's events.
const summary = await summarize(collector.store.insights, { from: runStarted });
const stored = summary.byCatalog.reduce((n, c) => n + c.total, 0);
const stats = collector.stats();
say(
  `\nCollector: ${stats.requests} OTLP request(s), ${stats.spansReceived} spans, ` +
    `${stats.messagesDelivered} events delivered, ${stats.messagesFailed} failed; ` +
    `${stats.store.stored} stored in the event store, ${stats.store.failed} not stored`,
);
for (const line of formatSummary(summary)) say(line);

if (once) {
  await stop();
  process.exit(stored > 0 && stats.messagesFailed === 0 && stats.store.failed === 0 ? 0 : 1);
}

// 4. Keep serving.
say(`
spantrack is serving. Send OTLP traces to it:
  OTLP/HTTP  ${otlpHttp}/v1/traces   (protobuf or JSON, gzip)
  OTLP/gRPC  ${collector.grpcUrl.replace(/^http:\/\//, '')}
  dashboard  ${collector.dashboardUrl}
  health     ${otlpHttp}/healthz   metrics ${otlpHttp}/metrics
For example:
  OTEL_EXPORTER_OTLP_ENDPOINT=${otlpHttp} SPANTRACK_SINK=none \\
    node --import @spantrack/node/register examples/whatsapp-intent-bot/main.mjs
Events are appended to ${eventsPath} and stored in ${storePath}. Ctrl-C stops (in-flight requests are drained first).`);

// ---- helpers --------------------------------------------------------------------------------------

/** Drains the collector, then closes the file (the collector does not own a sink it was given). */
async function stop() {
  await collector.close();
  await sink.shutdown();
}

function say(line) {
  process.stdout.write(`${line}\n`);
}

function portOf(name, raw) {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`npm start: ${name} must be a port number from 0 to 65535, not ${raw}\n`);
    process.exit(2);
  }
  return port;
}

/** True when nothing listens on host:port (0 is always free). */
function isFree(port) {
  if (port === 0) return Promise.resolve(true);
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, host, () => probe.close(() => done(true)));
  });
}

/** The default ports when free, else any free port (said so); retries once with free ports on a race. */
async function startWithFallback() {
  const ports = { http: httpPort, grpc: grpcPort };
  for (const [name, port] of Object.entries(ports)) {
    if (!(await isFree(port))) {
      say(
        `port ${port} (${name === 'http' ? 'OTLP/HTTP' : 'OTLP/gRPC'}) is taken: using a free port instead`,
      );
      ports[name] = 0;
    }
  }
  const options = (p) => ({
    http: { host, port: p.http },
    grpc: { host, port: p.grpc },
    sink,
    store: storePath,
    // --forward-traces wins; otherwise the collector reads SPANTRACK_COLLECTOR_FORWARD_TRACES itself.
    ...(args['forward-traces'] !== undefined ? { forwardTraces: { url: args['forward-traces'] } } : {}),
    log: (line) => process.stderr.write(`spantrack-collector: ${line}\n`),
  });
  try {
    return await startCollector(options(ports));
  } catch (error) {
    if (ports.http === 0 && ports.grpc === 0) throw error;
    say(`could not listen (${error.message}): using free ports instead`);
    return startCollector(options({ http: 0, grpc: 0 }));
  }
}

function runDemoAgent(endpoint) {
  return new Promise((done) => {
    // Under the register entry, as a user runs an agent: the Ollama and OpenAI clients are
    // instrumented before the agent imports them (model, tokens and so cost on their spans).
    const child = spawn(
      process.execPath,
      ['--import', '@spantrack/node/register', 'examples/demo-agent/main.mjs'],
      {
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...env,
          OTEL_SERVICE_NAME: 'spantrack-demo-agent',
          // The TRACES_ variables win over any generic ones set in the caller's environment.
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/v1/traces`,
          OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
          OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
          OTEL_TRACES_EXPORTER: 'otlp',
          SPANTRACK_SINK: 'none',
          // The summary says what happened: the agent's own start and exit lines would repeat it.
          SPANTRACK_QUIET: 'true',
        },
      },
    );
    demoAgent = child;
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}
