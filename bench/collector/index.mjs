// Collector benchmark (imports the built dist: `npm run bench` builds first).
//
//  1. Decoding on one core, on bytes made by the real @opentelemetry/otlp-transformer serializers
//     (what the exporters send): the collector's decoder against protobufjs + conversion to
//     SpanLike, each round of each path in a fresh process, interleaved (bench/support/harness.mjs).
//  2. End to end: OTLP/HTTP (gzipped protobuf) from this process → the collector CLI (a child
//     process, Segment sink) → the Segment test server (another child): events/s at the server,
//     over several windows.
//  3. Sustained overload: many more senders than the collector can serve; the collector's RSS is
//     sampled to show it stays bounded (429s are the pressure valve).
//  4. `--workers 2` against `--workers 1` (workers.mjs): spans/s accepted, null sink.
//  5. /healthz latency while the largest requests are processed (healthz-latency.mjs).
//
//   node bench/collector/index.mjs [--quick] [--part decode,e2e,overload,workers,healthz]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { compare, inChild, QUICK, recordFigure, spread } from '../support/harness.mjs';
import { postProtobufGzip } from '../support/post-otlp.mjs';
import { distinctGzippedBodies } from './distinct-requests.mjs';
import { healthzPart } from './healthz-latency.mjs';
import { recordRequests, SPANS_PER_REQUEST, saveRequests } from './recorded-requests.mjs';
import { workersContender } from './workers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
// CPU time of one decoding round (decode-round.mjs says why a few seconds).
const ROUND_MS = QUICK ? 400 : 3000;
const E2E_WINDOWS = QUICK ? 3 : 7;
const E2E_WINDOW_MS = QUICK ? 1000 : 2000;
const OVERLOAD_MS = QUICK ? 3000 : 10_000;
const TARGET_DECODE = 200_000;
// `--part decode,e2e,overload,workers,healthz`: only these parts (default all).
const partArg = process.argv.indexOf('--part');
const PARTS = new Set(
  partArg > 0 ? process.argv[partArg + 1].split(',') : ['decode', 'e2e', 'overload', 'workers', 'healthz'],
);
const TARGET_E2E = 50_000;
const TARGET_WORKERS_RATIO = 1.4;
const WRITE_KEY = 'bench-key';

let ok = true;
const figure = (f) => {
  const r = recordFigure(f);
  if (r.ok === false) ok = false;
  return r;
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------
const DISTINCT_REQUESTS = QUICK ? 12 : 40;
process.stdout.write(`recording ${DISTINCT_REQUESTS} requests of ${SPANS_PER_REQUEST} spans…\n`);
const requests = recordRequests(DISTINCT_REQUESTS);
const scratch = mkdtempSync(join(tmpdir(), 'spantrack-collector-bench-'));
const requestsFile = join(scratch, 'requests.bin');
saveRequests(requests, requestsFile);
const protoGz = requests.protobufGzip;
const avg = (list) => list.reduce((n, b) => n + b.length, 0) / list.length;
process.stdout.write(
  `request: ${SPANS_PER_REQUEST} spans; protobuf ${fmt(avg(requests.protobuf))} B (gzip ${fmt(avg(protoGz))} B), ` +
    `JSON ${fmt(avg(requests.json))} B (gzip ${fmt(avg(requests.jsonGzip))} B)\n\n`,
);

// ---------------------------------------------------------------------------------------------
// 1. One core, a fresh process per round.
if (PARTS.has('decode')) {
  const decodeRound = (path) => ({
    name: path,
    run: inChild(join(here, 'decode-round.mjs'), [path, requestsFile, String(ROUND_MS)]),
  });
  const toSpanLike = await compare({
    title: '1a. OTLP protobuf → SpanLike, gunzip first, one core',
    unit: 'spans/s',
    contenders: [
      decodeRound('collector decoder → SpanLike, gzip'),
      decodeRound('protobufjs + conversion → SpanLike, gzip'),
      decodeRound('protobufjs bare decode, gzip'),
    ],
    pairs: [['collector decoder → SpanLike, gzip', 'protobufjs + conversion → SpanLike, gzip']],
  });
  const decision = toSpanLike.decisions[0];
  figure({
    id: 'collector.decoder-vs-protobufjs.ratio',
    name: 'collector decoder / protobufjs + conversion, to SpanLike',
    value: decision.ratio,
    unit: 'x',
    range: { min: decision.ratioMin, max: decision.ratioMax },
    detail: decision.decided ? 'ranges apart' : 'ranges overlap: no decision',
  });
  process.stdout.write('\n');
  const translated = await compare({
    title: '1b. gunzip + decode + translate to a null sink, one core',
    unit: 'spans/s',
    contenders: [
      decodeRound('collector: gunzip + decode + translate'),
      decodeRound('protobufjs: gunzip + decode + SpanLike + translate'),
      decodeRound('collector JSON: gunzip + decode + translate'),
    ],
    pairs: [['collector: gunzip + decode + translate', 'protobufjs: gunzip + decode + SpanLike + translate']],
  });
  const gz = translated['collector: gunzip + decode + translate'];
  figure({
    id: 'collector.decode-translate.gzip',
    name: 'collector gzipped protobuf decode + translate, one core',
    value: gz.median,
    unit: 'spans/s',
    range: gz,
    target: { op: '>=', value: TARGET_DECODE },
  });
  const json = translated['collector JSON: gunzip + decode + translate'];
  figure({
    id: 'collector.decode-translate.json-gzip',
    name: 'collector gzipped JSON decode + translate, one core',
    value: json.median,
    unit: 'spans/s',
    range: json,
  });
  process.stdout.write('\n');
}

// ---------------------------------------------------------------------------------------------
// 2 and 3: the collector CLI and the Segment test server, child processes.
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
const postBody = (url, body) => postProtobufGzip(agent, url, body);

async function getJson(url) {
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
  const tick = setInterval(onTick, 250);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        if (nextDistinct === distinctBodies.length) replayed++;
        const status = await postBody(url, distinctBodies[nextDistinct++ % distinctBodies.length]);
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

// Parts 2 and 3 send each body once: a replay would be acknowledged without reaching the sink.
const DISTINCT_BODIES = PARTS.has('e2e') || PARTS.has('overload') ? (QUICK ? 400 : 4_000) : 0;
const distinctBodies = distinctGzippedBodies(requests, DISTINCT_BODIES);
let nextDistinct = 0;
let replayed = 0;

if (PARTS.has('e2e') || PARTS.has('overload')) {
  const server = await startChild(
    [serverCli, '--port', '0', '--write-key', WRITE_KEY, '--record', 'ids'],
    (line) => (line.startsWith('{') ? JSON.parse(line).url : undefined),
  );
  const serverUrl = server.value;
  const collector = await startChild(
    [
      collectorCli,
      // One process: the figures of parts 2 and 3 are per collector process (part 4 adds workers).
      '--workers',
      '1',
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
    if (PARTS.has('e2e')) {
      process.stdout.write(
        `2. end to end, ${E2E_WINDOWS} windows of ${E2E_WINDOW_MS / 1000} s: this process → collector → Segment test server\n`,
      );
      await blast(collectorUrl, 4, 1000, () => {}); // warm-up
      let peakE2eRss = 0;
      const rates = [];
      const statuses = {};
      for (let w = 0; w < E2E_WINDOWS; w++) {
        const s0 = await getJson(`${serverUrl}/__stats`);
        const t0 = performance.now();
        const window = await blast(collectorUrl, 8, E2E_WINDOW_MS, () => {
          peakE2eRss = Math.max(peakE2eRss, rssKb(collectorPid));
        });
        // Let the acknowledged requests' deliveries land before counting (ack is after delivery).
        const s1 = await getJson(`${serverUrl}/__stats`);
        rates.push((s1.acceptedMessages - s0.acceptedMessages) / ((performance.now() - t0) / 1000));
        for (const [k, v] of Object.entries(window)) statuses[k] = (statuses[k] ?? 0) + v;
      }
      const e2e = spread(rates);
      figure({
        id: 'collector.end-to-end',
        name: 'collector end to end, one process (OTLP/HTTP → Segment test server)',
        value: e2e.median,
        unit: 'events/s',
        range: e2e,
        target: { op: '>=', value: TARGET_E2E },
        detail: `answers ${JSON.stringify(statuses)}; collector peak RSS ${fmt(peakE2eRss / 1024)} MiB${replayed > 0 ? `; ${replayed} bodies replayed (the figure undercounts)` : ''}`,
      });
      process.stdout.write('\n');
    }

    if (PARTS.has('overload')) {
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
      const growth = Math.max(...lastQuarter) - (Math.max(...stallFirst) * 1.15 + 16 * 1024);
      figure({
        id: 'collector.overload.peak-rss',
        name: 'collector RSS peak under sustained overload',
        value: peak / 1024,
        unit: 'MiB',
        target: { op: '<=', value: 768 },
        detail: `${overload[429] ?? 0} answers 429, ${overload[503] ?? 0} answers 503`,
      });
      figure({
        id: 'collector.overload.late-growth',
        name: 'collector RSS growth, stalled sink, last quarter over the one before (+15 % +16 MiB allowed)',
        value: Math.max(0, growth) / 1024,
        unit: 'MiB',
        target: { op: '<=', value: 0 },
      });
    }
  } finally {
    collector.child.kill('SIGTERM');
    server.child.kill('SIGTERM');
  }
}

if (PARTS.has('workers')) await workersPart();
if (PARTS.has('healthz')) await healthzPart();

agent.destroy();
rmSync(scratch, { recursive: true, force: true });
process.exitCode = ok ? 0 : 1;
async function workersPart() {
  process.stdout.write(
    '\n4. --workers 2 against --workers 1: spans/s accepted from a light sender (this process) replaying recorded gzipped requests, null sink\n',
  );
  const loads = [];
  const common = {
    cli: collectorCli,
    bodies: protoGz,
    spansPerRequest: SPANS_PER_REQUEST,
    warmupMs: QUICK ? 1000 : 4000,
    // 8 s: one worker's process sits on one core, and the VM's two cores change speeds every few
    // seconds (decode-round.mjs); over 4 s a round of one worker could fall in a fast or a slow
    // stretch alone, and the two spreads overlapped in one run of three.
    measureMs: QUICK ? 1000 : 8000,
    senders: 16,
    loads,
  };
  const result = await compare({
    title: 'collector CLI, fresh per round',
    unit: 'spans/s',
    rounds: QUICK ? 2 : 7,
    contenders: [workersContender({ ...common, workers: 2 }), workersContender({ ...common, workers: 1 })],
  });
  const d = result.decisions[0];
  figure({
    id: 'collector.workers-2-vs-1.ratio',
    name: 'collector --workers 2 / --workers 1, spans/s accepted',
    value: d.ratio,
    unit: 'x',
    range: { min: d.ratioMin, max: d.ratioMax },
    target: { op: '>=', value: TARGET_WORKERS_RATIO },
    detail:
      `${d.decided ? 'ranges apart' : 'ranges overlap: no decision'}; ${fmt(result['2 workers'].median)} vs ` +
      `${fmt(result['1 worker'].median)} spans/s; 1-min load average during the rounds ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${cpus().length} cores`,
  });
  if (!d.decided) ok = false;
}
