// Collector benchmark, one run, three parts (imports the built dist: `npx turbo run build` first).
//
//  1. Decode (+ translate) throughput on this one core, on bytes made by the real
//     @opentelemetry/otlp-transformer serializers (what the exporters send): protobuf and JSON,
//     gzipped and not, with protobufjs's generic decoder alongside for comparison.
//  2. End to end: OTLP/HTTP (gzipped protobuf) from this process → the collector CLI (a child
//     process, Segment sink) → the Segment test server (another child): events/s at the server.
//  3. Sustained overload: many more senders than the collector can serve for ~10 s; the collector's
//     RSS is sampled to show it stays bounded (429s are the pressure valve).
//
//   node bench/collector/index.mjs [--quick]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs';
import {
  decodeJsonTraces,
  decodeProtobufTraces,
  fillTraceContext,
} from '../../packages/collector/dist/index.js';
import { createTranslator } from '../../packages/processor/dist/index.js';
import { recordTraces, SPANS_PER_TRACE } from './spans.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const QUICK = process.argv.includes('--quick');
const MEASURE_MS = QUICK ? 700 : 2000;
const E2E_MS = QUICK ? 3000 : 10_000;
const OVERLOAD_MS = QUICK ? 3000 : 10_000;
const TARGET_DECODE = 100_000;
const TARGET_E2E = 50_000;
const WRITE_KEY = 'bench-key';

const results = [];
const verdict = (name, ok, detail) => results.push({ name, ok, detail });
const fmt = (n) => Math.round(n).toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------
// Requests: ~500 spans each (the BatchSpanProcessor's default export batch is 512).
const TRACES_PER_REQUEST = Math.floor(504 / SPANS_PER_TRACE);
const DISTINCT_REQUESTS = QUICK ? 12 : 40;
process.stdout.write(
  `recording ${DISTINCT_REQUESTS} requests of ${TRACES_PER_REQUEST * SPANS_PER_TRACE} spans…\n`,
);
const batches = [];
for (let i = 0; i < DISTINCT_REQUESTS; i++) {
  batches.push(recordTraces(TRACES_PER_REQUEST, { serviceName: `bench-${i}` }));
}
const spansPerRequest = batches[0].length;
const protoBodies = batches.map((b) => Buffer.from(ProtobufTraceSerializer.serializeRequest(b)));
const jsonBodies = batches.map((b) => Buffer.from(JsonTraceSerializer.serializeRequest(b)));
const protoGz = protoBodies.map((b) => gzipSync(b));
const jsonGz = jsonBodies.map((b) => gzipSync(b));
const avg = (list) => list.reduce((n, b) => n + b.length, 0) / list.length;
const attrs = batches[0].reduce((n, s) => n + Object.keys(s.attributes).length, 0) / batches[0].length;
process.stdout.write(
  `request: ${spansPerRequest} spans, ${attrs.toFixed(1)} attributes/span; protobuf ${fmt(avg(protoBodies))} B ` +
    `(gzip ${fmt(avg(protoGz))} B), JSON ${fmt(avg(jsonBodies))} B (gzip ${fmt(avg(jsonGz))} B)\n\n`,
);

// ---------------------------------------------------------------------------------------------
// 1. One core.
const translate = createTranslator();
let sinkMessages = 0;
let sinkSpans = 0;
function translateAll(spans) {
  const filled = fillTraceContext(spans);
  sinkSpans += filled.length;
  for (let i = 0; i < filled.length; i++) sinkMessages += translate(filled[i]).messages.length;
  return filled.length;
}

function measure(name, bodies, fn) {
  // Warm up, then run for MEASURE_MS.
  for (let i = 0; i < 20; i++) fn(bodies[i % bodies.length]);
  let spans = 0;
  let i = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < MEASURE_MS) spans += fn(bodies[i++ % bodies.length]);
  const rate = spans / ((performance.now() - t0) / 1000);
  process.stdout.write(`  ${name.padEnd(52)} ${fmt(rate).padStart(10)} spans/s\n`);
  return rate;
}

const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5;
  int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10; repeated Event events = 11;
  uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15; fixed32 flags = 16;
  message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
  message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
}
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;
const RequestType = protobuf.parse(OTLP_PROTO).root.lookupType('otlp.ExportTraceServiceRequest');
const countSpans = (m) => {
  let n = 0;
  for (const rs of m.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
};

process.stdout.write('1. one core (this process), spans/s\n');
const pbGeneric = measure('protobufjs generic decode (message objects only)', protoBodies, (b) =>
  countSpans(RequestType.decode(b)),
);
const pbGenericGz = measure('protobufjs generic decode, gunzip first', protoGz, (b) =>
  countSpans(RequestType.decode(gunzipSync(b))),
);
/** protobufjs's message objects → SpanLike, what a collector built on it would still have to do. */
const longToBigInt = (v) =>
  typeof v === 'number' ? BigInt(v) : (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
function anyToValue(v) {
  if (!v) return undefined;
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(longToBigInt(v.intValue));
  if (v.doubleValue !== undefined && v.doubleValue !== null) return v.doubleValue;
  if (v.arrayValue) return v.arrayValue.values.map(anyToValue);
  return undefined;
}
function toAttributes(list) {
  const out = {};
  for (const kv of list) out[kv.key] = anyToValue(kv.value);
  return out;
}
function protobufjsToSpanLike(m) {
  const spans = [];
  for (const rs of m.resourceSpans) {
    const resource = toAttributes(rs.resource?.attributes ?? []);
    for (const ss of rs.scopeSpans) {
      const scope = { name: ss.scope?.name ?? '', version: ss.scope?.version };
      for (const s of ss.spans) {
        spans.push({
          traceId: Buffer.from(s.traceId).toString('hex'),
          spanId: Buffer.from(s.spanId).toString('hex'),
          parentSpanId: s.parentSpanId?.length ? Buffer.from(s.parentSpanId).toString('hex') : undefined,
          name: s.name,
          kind: Math.max(0, s.kind - 1),
          startTimeUnixNano: longToBigInt(s.startTimeUnixNano),
          endTimeUnixNano: longToBigInt(s.endTimeUnixNano),
          attributes: toAttributes(s.attributes),
          events: s.events.map((e) => ({
            name: e.name,
            timeUnixNano: longToBigInt(e.timeUnixNano),
            attributes: toAttributes(e.attributes),
          })),
          status: { code: s.status?.code ?? 0 },
          resource,
          scope,
        });
      }
    }
  }
  return spans;
}
const pbGenericSpanLikeGz = measure(
  'protobufjs decode + conversion to SpanLike, gunzip',
  protoGz,
  (b) => protobufjsToSpanLike(RequestType.decode(gunzipSync(b))).length,
);
const pbGenericTranslateGz = measure(
  'protobufjs path: gunzip + decode + SpanLike + translate',
  protoGz,
  (b) => translateAll(protobufjsToSpanLike(RequestType.decode(gunzipSync(b)))),
);
const jsonParse = measure('JSON.parse of the OTLP JSON alone', jsonBodies, (b) => {
  const m = JSON.parse(b.toString('utf8'));
  let n = 0;
  for (const rs of m.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
});
const pbDecode = measure(
  'collector protobuf decode → SpanLike',
  protoBodies,
  (b) => decodeProtobufTraces(b).spans.length,
);
const pbGzDecode = measure(
  'collector protobuf decode → SpanLike, gunzip first',
  protoGz,
  (b) => decodeProtobufTraces(gunzipSync(b)).spans.length,
);
const pbTranslate = measure('protobuf decode + translate (null sink)', protoBodies, (b) =>
  translateAll(decodeProtobufTraces(b).spans),
);
const pbGzTranslate = measure('gzip protobuf: gunzip + decode + translate (null sink)', protoGz, (b) =>
  translateAll(decodeProtobufTraces(gunzipSync(b)).spans),
);
const jsonDecode = measure(
  'collector JSON decode → SpanLike',
  jsonBodies,
  (b) => decodeJsonTraces(b).spans.length,
);
const jsonTranslate = measure('JSON decode + translate (null sink)', jsonBodies, (b) =>
  translateAll(decodeJsonTraces(b).spans),
);
const jsonGzTranslate = measure('gzip JSON: gunzip + decode + translate (null sink)', jsonGz, (b) =>
  translateAll(decodeJsonTraces(gunzipSync(b)).spans),
);
verdict(
  `gzipped protobuf decode + translate ≥ ${fmt(TARGET_DECODE)} spans/s on one core`,
  pbGzTranslate >= TARGET_DECODE,
  `${fmt(pbGzTranslate)} spans/s (the protobufjs path: ${fmt(pbGenericTranslateGz)})`,
);
process.stdout.write(
  `  to SpanLike, gzip: collector decoder ${fmt(pbGzDecode)} vs protobufjs + conversion ${fmt(pbGenericSpanLikeGz)} ` +
    `(${(pbGzDecode / pbGenericSpanLikeGz).toFixed(1)}x); protobufjs bare decode ${fmt(pbGeneric)} (${fmt(pbGenericGz)} gzip); ` +
    `JSON decoder vs bare JSON.parse: ${(jsonDecode / jsonParse).toFixed(2)}x\n\n`,
);
void [pbDecode, pbTranslate, jsonTranslate, jsonGzTranslate];

// ---------------------------------------------------------------------------------------------
// 2 and 3: child processes.
function startChild(args, match) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => {
    err += c;
  });
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      const m = match(line);
      if (m) resolve({ child, value: m });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}: ${err}`)));
  });
}

const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 256 });
function postBody(url, body) {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'gzip',
          'content-length': String(body.length),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', () => resolve('network'));
    req.end(body);
  });
}

async function json(url) {
  return (await fetch(url)).json();
}

function rssKb(pid) {
  try {
    return Number(
      execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
        .toString()
        .trim(),
    );
  } catch {
    return 0;
  }
}

/** `concurrency` senders post gzipped protobuf bodies back to back for `ms`; statuses counted. */
async function blast(url, concurrency, ms, onTick) {
  const statuses = {};
  const deadline = Date.now() + ms;
  let i = 0;
  const tick = setInterval(onTick, 250);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const status = await postBody(url, protoGz[i++ % protoGz.length]);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status !== 200) await new Promise((r) => setTimeout(r, 20));
      }
    }),
  );
  clearInterval(tick);
  return statuses;
}

const serverCli = join(root, 'test/support/segment-server/dist/cli.js');
const collectorCli = join(root, 'packages/collector/dist/cli.js');
for (const f of [serverCli, collectorCli])
  if (!existsSync(f)) throw new Error(`${f} is missing: build first`);

const server = await startChild(
  [serverCli, '--port', '0', '--write-key', WRITE_KEY, '--record', 'ids'],
  (line) => (line.startsWith('{') ? JSON.parse(line).url : undefined),
);
const serverUrl = server.value;
const collector = await startChild(
  [
    collectorCli,
    '--http-port',
    '0',
    '--grpc-port',
    'off',
    '--sink',
    'segment',
    '--segment-write-key',
    WRITE_KEY,
    '--segment-host',
    serverUrl,
  ],
  (line) => /OTLP\/HTTP listening on (\S+)/.exec(line)?.[1],
);
const collectorUrl = `${collector.value}/v1/traces`;
const collectorPid = collector.child.pid;

try {
  process.stdout.write(`2. end to end, ${E2E_MS / 1000} s: this process → collector → Segment test server\n`);
  // Warm-up, then measure over the window.
  await blast(collectorUrl, 4, 1000, () => {});
  let peakE2eRss = 0;
  const s0 = await json(`${serverUrl}/__stats`);
  const t0 = performance.now();
  const statuses = await blast(collectorUrl, 8, E2E_MS, () => {
    peakE2eRss = Math.max(peakE2eRss, rssKb(collectorPid));
  });
  const s1 = await json(`${serverUrl}/__stats`);
  const seconds = (performance.now() - t0) / 1000;
  const events = (s1.acceptedMessages - s0.acceptedMessages) / seconds;
  const requests = Object.values(statuses).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `  ${fmt(events)} events/s accepted by the test server (${fmt(((statuses[200] ?? 0) * spansPerRequest) / seconds)} spans/s acknowledged, ${(sinkMessages / Math.max(1, sinkSpans)).toFixed(2)} events/span; ` +
      `${requests} requests: ${JSON.stringify(statuses)}; collector peak RSS ${fmt(peakE2eRss / 1024)} MiB)\n\n`,
  );
  verdict(
    `end to end ≥ ${fmt(TARGET_E2E)} events/s from one collector`,
    events >= TARGET_E2E,
    `${fmt(events)} events/s`,
  );

  process.stdout.write(
    `3. sustained overload, ${OVERLOAD_MS / 1000} s, 64 senders without pause: first half CPU-bound, ` +
      'second half with the Segment server hanging (the sink takes nothing, the queue fills)\n',
  );
  const samples = [];
  const overloadStarted = Date.now();
  const stall = setTimeout(
    () => fetch(`${serverUrl}/__fault`, { method: 'POST', body: JSON.stringify({ hang: true }) }),
    OVERLOAD_MS / 2,
  );
  const overload = await blast(collectorUrl, 64, OVERLOAD_MS, () =>
    samples.push({ at: Date.now() - overloadStarted, rss: rssKb(collectorPid) }),
  );
  clearTimeout(stall);
  await fetch(`${serverUrl}/__fault`, { method: 'POST', body: 'null' });
  const cpuPhase = samples.filter((x) => x.at < OVERLOAD_MS / 2).map((x) => x.rss);
  const lastQuarter = samples.filter((x) => x.at >= (OVERLOAD_MS * 3) / 4).map((x) => x.rss);
  const stallFirst = samples
    .filter((x) => x.at >= OVERLOAD_MS / 2 && x.at < (OVERLOAD_MS * 3) / 4)
    .map((x) => x.rss);
  const peak = Math.max(...samples.map((x) => x.rss));
  const metrics = await (await fetch(`${collector.value}/metrics`)).text();
  const queueCap = /spantrack_collector_queue_capacity (\d+)/.exec(metrics)?.[1];
  const mib = (list) => fmt(Math.max(...list) / 1024);
  process.stdout.write(
    `  answers ${JSON.stringify(overload)}; collector RSS peak ${fmt(peak / 1024)} MiB ` +
      `(CPU-bound half ${mib(cpuPhase)} MiB; sink stalled: ${mib(stallFirst)} MiB in its first half, ${mib(lastQuarter)} MiB in its second; ` +
      `queue capacity ${queueCap} messages)\n\n`,
  );
  const bounded = Math.max(...lastQuarter) <= Math.max(...stallFirst) * 1.15 + 16 * 1024 && peak < 768 * 1024;
  verdict(
    'memory bounded under sustained overload (last quarter ≤ the quarter before +15 % +16 MiB, peak < 768 MiB)',
    bounded,
    `peak ${fmt(peak / 1024)} MiB; ${overload[429] ?? 0} answers 429, ${overload[503] ?? 0} answers 503`,
  );
} finally {
  collector.child.kill('SIGTERM');
  server.child.kill('SIGTERM');
  agent.destroy();
}

process.stdout.write('results\n');
for (const r of results) process.stdout.write(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.name}: ${r.detail}\n`);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
