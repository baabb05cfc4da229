// One benchmark round of one decoding path, in a process of its own (so no path inherits another's
// JIT state or heap): warm up, run for `ms` of CPU time, print the best slice's spans per CPU-second as `{"value": n}` (bench/support/harness.mjs).
//
//   node bench/collector/decode-round.mjs <path> <requests file> <ms>
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import {
  DEFAULTS,
  decodeJsonTraces,
  decodeProtobufTraces,
  decodeProtobufTracesSliced,
  inflateBody,
  MemoryBudget,
  Reservation,
  translateByTraces,
} from '../../packages/collector/dist/index.js';
import { createTranslator } from '../../packages/processor/dist/index.js';
import { childResult, cpuMs } from '../support/harness.mjs';
import { countSpans, protobufjsToSpanLike, RequestType } from './protobufjs-path.mjs';
import { loadRequests } from './recorded-requests.mjs';

const [path, file, ms] = process.argv.slice(2);
const requests = loadRequests(file);
const translate = createTranslator();
let messages = 0;
/**
 * What the collector does with a decoded request: trace context carried within each trace, then the
 * trace rules and every catalog, whole traces at a time (`translateByTraces`, with a slice that never
 * asks it to yield: the round measures work, not waiting).
 */
const NEVER_YIELD = { spent: false, yield: async () => {} };
/** Room for any one request: the round measures work, not waiting for memory. */
const budget = new MemoryBudget(4 * DEFAULTS.maxDecompressedBytes);
/**
 * `b` inflated as the HTTP receiver inflates a request body (the collector's own `inflateBody`: zlib
 * on the thread pool, counted in this process's CPU time like the rest), then `decode`d while its
 * bytes are reserved.
 */
async function inflated(b, decode) {
  const reservation = new Reservation(budget);
  try {
    return await decode(await inflateBody(b, 'gzip', DEFAULTS.maxDecompressedBytes, reservation));
  } finally {
    reservation.release();
  }
}
async function translateAll(spans) {
  const results = await translateByTraces(translate, spans, NEVER_YIELD);
  for (let i = 0; i < results.length; i++) messages += results[i].messages.length;
  return results.length;
}

/** Each path: the bodies it reads and what it does with one of them (returns the spans it got). */
const PATHS = {
  'collector decoder → SpanLike, gzip': [
    requests.protobufGzip,
    (b) => decodeProtobufTraces(gunzipSync(b)).spans.length,
  ],
  'protobufjs + conversion → SpanLike, gzip': [
    requests.protobufGzip,
    (b) => protobufjsToSpanLike(RequestType.decode(gunzipSync(b))).length,
  ],
  'protobufjs bare decode, gzip': [
    requests.protobufGzip,
    (b) => countSpans(RequestType.decode(gunzipSync(b))),
  ],
  // The three paths through translation inflate alike, as the HTTP receiver does (`inflated`), so
  // that they differ in decoding only. The collector's: spans located and counted against the limit
  // first, then read, then translated.
  'collector: gunzip + decode + translate': [
    requests.protobufGzip,
    async (b) =>
      translateAll(
        await inflated(
          b,
          async (body) =>
            (await decodeProtobufTracesSliced(body, DEFAULTS.maxSpansPerRequest, NEVER_YIELD)).spans,
        ),
      ),
  ],
  'protobufjs: gunzip + decode + SpanLike + translate': [
    requests.protobufGzip,
    async (b) => translateAll(await inflated(b, (body) => protobufjsToSpanLike(RequestType.decode(body)))),
  ],
  'collector JSON: gunzip + decode + translate': [
    requests.jsonGzip,
    async (b) => translateAll(await inflated(b, (body) => decodeJsonTraces(body).spans)),
  ],
};
const entry = PATHS[path];
if (!entry) throw new Error(`unknown path ${path}; one of ${Object.keys(PATHS).join(', ')}`);
const [bodies, fn] = entry;
// Warm-up: a quarter of the round's CPU time, and at least a second on the clock, so that on a
// loaded machine the optimizing compiler (its own thread, waiting for a core too) has landed.
const warmCpu = cpuMs();
const warmWall = performance.now();
for (let i = 0; cpuMs() - warmCpu < Number(ms) / 4 || performance.now() - warmWall < 1000; i++) {
  await fn(bodies[i % bodies.length]);
}
// Per CPU-second of this process, not per wall-clock second, and the fastest of the round's slices
// of about 190 ms: other processes on the machine only ever slow a slice down (evicted caches, a
// shared core), so the fastest one is the closest to what the work itself costs (bench/support/harness.mjs).
// On the 2-core VM the figures come from, the two cores did not run at one speed: two copies of
// this round pinned one to each core, at the same moment, read 175,000-233,000 and 120,000-206,000
// spans/s, and which core is the slow one changes every few seconds. A round of a few seconds
// therefore spans both speeds, where a shorter one could fall wholly in a slow stretch.
const SLICES = Math.max(4, Math.round(Number(ms) / 190));
let spans = 0;
let best = 0;
let i = 0;
for (let slice = 0; slice < SLICES; slice++) {
  let n = 0;
  const t0 = cpuMs();
  while (cpuMs() - t0 < Number(ms) / SLICES) n += await fn(bodies[i++ % bodies.length]);
  best = Math.max(best, n / ((cpuMs() - t0) / 1000));
  spans += n;
}
if (spans === 0) throw new Error('nothing decoded');
if (path.includes('translate') && messages === 0) throw new Error('nothing translated');
childResult(best);
