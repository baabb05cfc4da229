// Cost of the tracker's hot path against a bare span with the same attributes.
//
//   node bench/instrumentation/index.mjs [--no-context-manager]
//
// Measures, in alternating rounds, ns/op of:
//   bare begin/end   tracer.startSpan(name, { attributes }).end() with the attributes begin/end writes
//   begin/end        tracker.begin({ userId, conversationId }).end({ output })
//   bare classify    tracer.startSpan(name, { attributes }).end() with the attributes classify writes
//   classify         tracker.classify({ userId, model }, fn) with a sync fn
// and prints medians and the two ratios (median of per-round ratios), PASS when both are <= 1.5.
// The provider has an AsyncLocalStorage context manager (as in a real Node agent) and one span
// processor that only counts ended spans, so the SDK's own per-span work is in both figures and
// nothing else is. Runs the built package (dist): `npm run build` first.
import { context, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { AgentTracker } from '@spantrack/instrumentation';

const LIMIT = 1.5;
const ROUNDS = 9;
const ITERATIONS = 40_000;
const useContextManager = !process.argv.includes('--no-context-manager');

if (useContextManager) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

let ended = 0;
const countingProcessor = {
  onStart() {},
  onEnd() {
    ended++;
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

function makeProvider(processor) {
  return new BasicTracerProvider({ spanProcessors: [processor] });
}

const OUTPUT = 'Sure, let us file your nil returns. What is your KRA PIN?';
const RESULT = { intent: 'nil_filing', confidence: 0.99 };
const classifyFn = () => RESULT;

// The attributes the tracker writes for these calls (checked below against real spans).
const BEGIN_END_ATTRS = () => ({
  'spantrack.interaction.kind': 'track',
  'gen_ai.agent.name': 'tax-bot',
  'spantrack.channel': 'whatsapp',
  'user.id': '+254712345678',
  'gen_ai.conversation.id': 'conv-1',
  'gen_ai.operation.name': 'invoke_agent',
  'spantrack.success': true,
  'spantrack.output.length': OUTPUT.length,
});
const CLASSIFY_ATTRS = () => ({
  'spantrack.interaction.kind': 'classification',
  'gen_ai.agent.name': 'tax-bot',
  'spantrack.channel': 'whatsapp',
  'user.id': '+254712345678',
  'gen_ai.request.model': 'llama3.2:3b',
  'spantrack.intent.name': 'nil_filing',
  'spantrack.intent.confidence': 0.99,
});

function cases(provider) {
  const tracer = provider.getTracer('bench');
  const tracker = new AgentTracker({ tracerProvider: provider, agentName: 'tax-bot', channel: 'whatsapp' });
  return {
    'bare begin/end': () =>
      tracer
        .startSpan('invoke_agent tax-bot', { kind: SpanKind.INTERNAL, attributes: BEGIN_END_ATTRS() })
        .end(),
    'begin/end': () =>
      tracker.begin({ userId: '+254712345678', conversationId: 'conv-1' }).end({ output: OUTPUT }),
    'bare classify': () =>
      tracer.startSpan('classify tax-bot', { kind: SpanKind.INTERNAL, attributes: CLASSIFY_ATTRS() }).end(),
    classify: () => tracker.classify({ userId: '+254712345678', model: 'llama3.2:3b' }, classifyFn),
  };
}

// Same attributes on both sides, or the comparison means nothing.
function checkParity() {
  const exporter = new InMemorySpanExporter();
  const c = cases(makeProvider(new SimpleSpanProcessor(exporter)));
  for (const fn of Object.values(c)) fn();
  const [bareBegin, begin, bareClassify, classify] = exporter.getFinishedSpans();
  const keys = (s) => JSON.stringify(Object.entries(s.attributes).sort());
  if (keys(bareBegin) !== keys(begin) || keys(bareClassify) !== keys(classify)) {
    console.error('attribute sets differ between a bare span and the tracker span:');
    for (const s of [bareBegin, begin, bareClassify, classify]) console.error(s.name, s.attributes);
    process.exit(1);
  }
  return {
    beginAttrs: Object.keys(begin.attributes).length,
    classifyAttrs: Object.keys(classify.attributes).length,
  };
}

function time(fn, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / n;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const parity = checkParity();
const c = cases(makeProvider(countingProcessor));
const names = Object.keys(c);
for (const name of names) time(c[name], ITERATIONS); // warm-up: let the JIT settle

const samples = Object.fromEntries(names.map((n) => [n, []]));
const beginRatios = [];
const classifyRatios = [];
const started = Date.now();
for (let round = 0; round < ROUNDS; round++) {
  // Alternate the order of each pair so neither side always runs first.
  const order = round % 2 ? [...names].reverse() : names;
  const r = {};
  for (const name of order) r[name] = time(c[name], ITERATIONS);
  for (const name of names) samples[name].push(r[name]);
  beginRatios.push(r['begin/end'] / r['bare begin/end']);
  classifyRatios.push(r.classify / r['bare classify']);
}
const elapsed = (Date.now() - started) / 1000;

const fmt = (ns) => `${ns.toFixed(0).padStart(6)} ns/op`;
console.log(
  `@spantrack/instrumentation hot path (node ${process.version}, ${ROUNDS} rounds x ${ITERATIONS} ops, ` +
    `context manager: ${useContextManager ? 'AsyncLocalStorage' : 'none'}, ${elapsed.toFixed(1)} s)`,
);
console.log(
  `attributes per span: begin/end ${parity.beginAttrs}, classify ${parity.classifyAttrs} (same on both sides)`,
);
for (const name of names) console.log(`  ${name.padEnd(16)} ${fmt(median(samples[name]))}`);
const rb = median(beginRatios);
const rc = median(classifyRatios);
const verdict = (r) => (r <= LIMIT ? 'PASS' : 'FAIL');
console.log(`  ratio begin/end  ${rb.toFixed(2)}  ${verdict(rb)} (limit ${LIMIT})`);
console.log(`  ratio classify   ${rc.toFixed(2)}  ${verdict(rc)} (limit ${LIMIT})`);
if (ended === 0) throw new Error('no span ended');
process.exitCode = rb <= LIMIT && rc <= LIMIT ? 0 : 1;
