// /healthz latency while the collector works through the largest requests its default limits allow
// (10,000 spans, ~31 MiB inflated), as gzipped OTLP/HTTP protobuf, gzipped OTLP/HTTP JSON and
// gzip-compressed OTLP/gRPC, from several senders at once. The collector CLI (built dist, null
// sink) runs in a child process; /healthz is probed every 20 ms from a worker thread, so that this
// process's own work does not count. Prints the slowest, p99 and median answer times.
//
//   node bench/collector/healthz-latency.mjs [--quick] [--seconds N]
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { credentials, Metadata, makeGenericClientConstructor } from '@grpc/grpc-js';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { QUICK, recordFigure } from '../support/harness.mjs';
import { recordTraces, SPANS_PER_TRACE } from './spans.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const collectorCli = join(here, '../../packages/collector/dist/cli.js');
const MiB = 1024 * 1024;
/** The collector's default limits: spans per request, inflated bytes per request. */
const MAX_SPANS = 10_000;
const MAX_INFLATED = 32 * MiB;
/** How long a refused sender waits before it sends again, ms (±50 %, so that senders spread out). */
const RETRY_MS = 500;
/** The latency /healthz must keep while the largest requests are processed, ms. */
export const TARGET_HEALTHZ_MS = 100;

/** The largest request body in one encoding: 10,000 spans padded to ~31 MiB. */
function largest(serialize) {
  const batch = recordTraces(Math.floor(MAX_SPANS / SPANS_PER_TRACE), { serviceName: 'healthz-bench' });
  const bare = Buffer.from(serialize(batch)).length;
  const pad = 'p'.repeat(Math.floor((MAX_INFLATED - MiB - bare) / batch.length));
  for (const span of batch) span.attributes['app.padding'] = pad;
  return Buffer.from(serialize(batch));
}

function startCollector() {
  const child = spawn(
    process.execPath,
    // One process, as memory-ceiling.test.ts runs it: the figures are those of one event loop.
    [collectorCli, '--http-port', '0', '--grpc-port', '0', '--sink', 'none', '--workers', '1'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let http;
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      http ??= /OTLP\/HTTP listening on (\S+)/.exec(line)?.[1];
      const grpc = /OTLP\/gRPC listening on (http:\/\/[^;,\s]+)/.exec(line)?.[1];
      if (http && grpc) resolve({ child, http, grpc });
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
}

function grpcExporter(url) {
  const bytes = (b) => b;
  const Client = makeGenericClientConstructor(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: bytes,
        requestDeserialize: bytes,
        responseSerialize: bytes,
        responseDeserialize: bytes,
      },
    },
    'TraceService',
  );
  const client = new Client(new URL(url).host, credentials.createInsecure(), {
    'grpc.default_compression_algorithm': 2,
    'grpc.max_send_message_length': -1,
    'grpc.max_receive_message_length': -1,
  });
  const send = (body) =>
    new Promise((resolve) =>
      client.Export(body, new Metadata(), {}, (error) => resolve(error ? `grpc ${error.code}` : 'grpc 0')),
    );
  return { client, send };
}

/** Fetches /healthz every 20 ms until the deadline; posts the sorted answer times (ms). */
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  // The first fetch of a thread loads its HTTP client: not an answer time of the collector.
  await (await fetch(workerData.url)).text();
  const times = [];
  while (Date.now() < workerData.deadline) {
    const t0 = performance.now();
    const res = await fetch(workerData.url);
    await res.text();
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 20));
  }
  parentPort.postMessage(times.sort((a, b) => a - b));
})();
`;

/**
 * Runs the senders for `seconds` against a fresh collector and returns the /healthz figures
 * ({ max, p99, median, probes }) and the answers the senders got. `several`: two senders of each
 * HTTP body and one gRPC sender at once (the memory budget admits about one largest request at a
 * time: the others are refused 429 / UNAVAILABLE and retry); otherwise one sender cycling through
 * the three, so that every request is processed.
 */
export async function measureHealthz(seconds, several) {
  const protobuf = largest((batch) => ProtobufTraceSerializer.serializeRequest(batch));
  const json = largest((batch) => JsonTraceSerializer.serializeRequest(batch));
  const bodies = { protobuf: gzipSync(protobuf), json: gzipSync(json) };
  const { child, http, grpc } = await startCollector();
  const traces = `${http}/v1/traces`;
  const post = async (body, type) => {
    const res = await fetch(traces, {
      method: 'POST',
      body,
      headers: { 'content-type': type, 'content-encoding': 'gzip' },
    });
    await res.arrayBuffer();
    return `http ${type.split('/')[1]} ${res.status}`;
  };
  const exporter = grpcExporter(grpc);
  const answers = new Map();
  const deadline = Date.now() + seconds * 1000;
  // Refused (busy: 429 / UNAVAILABLE), a sender waits before it retries, as OTLP exporters do.
  const loop = async (send) => {
    while (Date.now() < deadline) {
      const answer = await send();
      answers.set(answer, (answers.get(answer) ?? 0) + 1);
      if (!/ (200|0)$/.test(answer))
        await new Promise((r) => setTimeout(r, RETRY_MS * (0.5 + Math.random())));
    }
  };
  const probe = new Worker(PROBE, { eval: true, workerData: { url: `${http}/healthz`, deadline } });
  const times = new Promise((resolve) => probe.once('message', resolve));
  const kinds = [
    () => post(bodies.protobuf, 'application/x-protobuf'),
    () => post(bodies.json, 'application/json'),
    () => exporter.send(protobuf),
  ];
  let turn = 0;
  const senders = several
    ? [kinds[0], kinds[0], kinds[1], kinds[1], kinds[2]].map((send) => loop(send))
    : [loop(() => kinds[turn++ % kinds.length]())];
  const [sorted] = await Promise.all([times, ...senders]);
  exporter.client.close();
  child.kill();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    max: sorted[sorted.length - 1],
    p99: at(0.99),
    median: at(0.5),
    probes: sorted.length,
    sizes: { protobuf: protobuf.length, json: json.length },
    answers: Object.fromEntries(answers),
  };
}

/** Records the figures (run from bench/collector/index.mjs, or alone). */
export async function healthzPart(seconds = QUICK ? 5 : 20) {
  for (const several of [false, true]) {
    const m = await measureHealthz(seconds, several);
    const mode = several ? 'several senders at once' : 'one request at a time';
    const id = several ? 'collector.healthz.several' : 'collector.healthz.one-at-a-time';
    const detail =
      `${m.probes} probes over ${seconds} s; bodies ${(m.sizes.protobuf / MiB).toFixed(0)} MiB protobuf, ` +
      `${(m.sizes.json / MiB).toFixed(0)} MiB JSON; answers ${JSON.stringify(m.answers)}`;
    recordFigure({
      id: `${id}.max`,
      name: `collector /healthz slowest answer, largest requests, ${mode}`,
      value: m.max,
      unit: 'ms',
      target: { op: '<=', value: TARGET_HEALTHZ_MS },
      detail,
    });
    recordFigure({ id: `${id}.p99`, name: `collector /healthz p99, ${mode}`, value: m.p99, unit: 'ms' });
    recordFigure({
      id: `${id}.median`,
      name: `collector /healthz median, ${mode}`,
      value: m.median,
      unit: 'ms',
    });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--seconds');
  await healthzPart(i > 0 ? Number(process.argv[i + 1]) : undefined);
}
