// Throughput of the in-process translation pipeline, single-threaded: `translate` on a realistic
// mix of spantrack and GenAI spans (~10 attributes each), messages handed to a MemorySink in
// batches of 500, diagnostics counted; then whole traces of every other producer (OpenInference,
// the AI SDK, OpenLLMetry, the official openai instrumentation) through `translate.many`, which
// applies the trace rules. Imports the built dist: run `npx turbo run build` first.
//
//   node bench/processor/pipeline.mjs [seconds=3]
import { performance } from 'node:perf_hooks';
import { createTranslator, DiagnosticCounter, MemorySink } from '../../packages/processor/dist/index.js';
import {
  chat,
  classification,
  customerMessage,
  hex,
  signal,
  tool,
  turn,
} from '../support/agent-span-shapes.mjs';
import { cpuMs, recordFigure } from '../support/harness.mjs';
import { PRODUCER_TURNS } from '../support/producer-span-shapes.mjs';

const SECONDS = Number(process.argv[2] ?? 3);
const TARGET_SPANS_PER_SECOND = 200_000;
const DISTINCT_SPANS = 20_000;
const BATCH = 500;

const base = 1_700_000_000_000_000_000n;
const shapes = [classification, chat, turn, customerMessage, tool, signal];

const spans = [];
for (let i = 0; i < DISTINCT_SPANS; i++) {
  const shape = shapes[i % shapes.length](i);
  // One span ending every 5 µs: the arrival rate the target implies.
  const start = base + BigInt(i) * 5_000n;
  spans.push({
    traceId: hex(0x1234abcd + i, 16) + hex(0x9876 + i * 7, 16),
    spanId: hex(0xabcdef01 + i, 16),
    parentSpanId: i % 3 === 0 ? undefined : hex(0x1000 + i, 16),
    name: shape.name,
    kind: 0,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 450_000_000n,
    attributes: shape.attributes,
    events: [],
    status: { code: 0 },
    resource: { 'service.name': 'bench' },
    scope: { name: '@spantrack/instrumentation', version: '0.1.0' },
  });
}

let translate = createTranslator();
const counter = new DiagnosticCounter();
const sink = new MemorySink();

/**
 * `retain`: messages the memory sink keeps before it is cleared. 0 models a sink that delivers each
 * batch and lets it go (the Segment sink between flushes); 10,000 models a backlog, where the
 * garbage collector's copying of live messages dominates.
 */
async function run(seconds, retain) {
  let n = 0;
  let messages = 0;
  let batch = [];
  const deadline = performance.now() + seconds * 1000;
  const cpu0 = cpuMs();
  while (performance.now() < deadline) {
    for (let k = 0; k < 10_000; k++) {
      const result = translate(spans[n % DISTINCT_SPANS]);
      n++;
      if (result.diagnostics.length > 0) counter.record(result);
      const out = result.messages;
      for (let m = 0; m < out.length; m++) batch.push(out[m]);
      messages += out.length;
      if (batch.length >= BATCH) {
        await sink.send(batch);
        batch = [];
        if (sink.messages.length >= retain) sink.clear();
      }
    }
  }
  // Per CPU-second: other processes on a shared machine do not count (bench/support/harness.mjs).
  const elapsed = (cpuMs() - cpu0) / 1000;
  return { n, messages, elapsed };
}

await run(0.5, 0); // warm-up
const backlog = await run(Math.max(1, SECONDS / 3), 10_000);
sink.clear();
counter.reset();
const { n, messages, elapsed } = await run(SECONDS, 0);
const rate = n / elapsed;
console.log(
  `pipeline: ${Math.round(rate).toLocaleString('en-US')} spans/s, ${Math.round(messages / elapsed).toLocaleString('en-US')} messages/s ` +
    `(${n.toLocaleString('en-US')} spans, ${(messages / n).toFixed(2)} messages/span, ${counter.total} diagnostics, single thread, ${elapsed.toFixed(2)} CPU-s)`,
);
console.log(
  `  with a 10,000-message backlog held in the sink: ${Math.round(backlog.n / backlog.elapsed).toLocaleString('en-US')} spans/s`,
);
translate = createTranslator({
  privacy: { captureContent: true, pseudonymizeUserIds: { secret: 'bench' }, redact: (value) => value },
});
const privacy = await run(Math.max(1, SECONDS / 3), 0);
console.log(
  `  with content capture, pseudonymised user ids and a redact hook: ${Math.round(privacy.n / privacy.elapsed).toLocaleString('en-US')} spans/s`,
);

// Every source: traces of the four other producers, each trace translated at once (as the span
// processor does when it releases a held trace), trace rules, tokens and cost included.
const traces = [];
let producerSpans = 0;
for (let i = 0; i < DISTINCT_SPANS / 4; i++) {
  const shapes = PRODUCER_TURNS[i % PRODUCER_TURNS.length](i);
  const traceId = hex(0x5678abcd + i, 16) + hex(0x1234 + i * 7, 16);
  const start = base + BigInt(i) * 20_000n;
  const ids = shapes.map((_, k) => hex(0xcdef0100 + i * 8 + k, 16));
  traces.push(
    shapes.map((shape, k) => ({
      traceId,
      spanId: ids[k],
      parentSpanId: shape.parent === undefined ? undefined : ids[shape.parent],
      name: shape.name,
      kind: 0,
      startTimeUnixNano: start + BigInt(k) * 1_000n,
      endTimeUnixNano: start + 450_000_000n - BigInt(k) * 1_000n,
      attributes: shape.attributes,
      events: [],
      status: { code: 0 },
      resource: { 'service.name': 'bench' },
      scope: { name: shape.scope },
    })),
  );
  producerSpans += shapes.length;
}
translate = createTranslator();
async function runTraces(seconds) {
  let n = 0;
  let messages = 0;
  let t = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  while (performance.now() < deadline) {
    for (let k = 0; k < 1_000; k++) {
      const results = translate.many(traces[t++ % traces.length]);
      for (const result of results) {
        n++;
        if (result.diagnostics.length > 0) counter.record(result);
        messages += result.messages.length;
        if (result.messages.length > 0) await sink.send(result.messages);
      }
      if (sink.messages.length >= BATCH) sink.clear();
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  return { n, messages, elapsed: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}
await runTraces(0.5); // warm-up
counter.reset();
const producers = await runTraces(Math.max(1, SECONDS / 3));
console.log(
  `  every source (OpenInference, AI SDK, OpenLLMetry, openai instrumentation; ${(producerSpans / traces.length).toFixed(2)} spans/trace, trace rules, cost): ` +
    `${Math.round(producers.n / producers.elapsed).toLocaleString('en-US')} spans/s ` +
    // On a shared machine the process is descheduled: CPU time says what one core does.
    `(${Math.round(producers.n / producers.cpu).toLocaleString('en-US')} per CPU-second), ${(producers.messages / producers.n).toFixed(2)} messages/span, ${counter.total} diagnostics`,
);
recordFigure({
  id: 'processor.translation',
  name: 'translation on one core',
  value: rate,
  unit: 'spans/s',
  target: { op: '>=', value: TARGET_SPANS_PER_SECOND },
});
recordFigure({
  id: 'processor.translation_every_source',
  name: 'translation, every source, per CPU-second',
  value: producers.n / producers.cpu,
  unit: 'spans/s',
  target: { op: '>=', value: TARGET_SPANS_PER_SECOND },
});
if (rate < TARGET_SPANS_PER_SECOND) process.exitCode = 1;
