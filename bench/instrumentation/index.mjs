// Cost of the tracker's hot path against a bare span with the same attributes.
//
//   node bench/instrumentation/index.mjs [--no-context-manager] [--quick]
//
// Measures, in interleaved rounds (bench/support/harness.mjs), CPU ns/op (fastest of eight slices a
// round, so other processes on a shared machine do not decide the figure) of:
//   bare begin/end   tracer.startSpan(name, { attributes }).end() with the attributes begin/end writes
//   begin/end        tracker.begin({ userId, conversationId }).end({ output })
//   bare classify    tracer.startSpan(name, { attributes }).end() with the attributes classify writes
//   classify         tracker.classify({ userId, model }, fn) with a sync fn
// and prints each one's min / median / max and the two ratios of medians, PASS when both are <= 1.5.
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
import { compare, cpuNsPerCall, QUICK, recordFigure } from '../support/harness.mjs';

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

/** CPU ns per call, fastest of eight slices (bench/support/harness.mjs). */
const time = (fn, n) => cpuNsPerCall(fn, n);

const parity = checkParity();
const c = cases(makeProvider(countingProcessor));
const names = Object.keys(c);
const iterations = QUICK ? ITERATIONS / 4 : ITERATIONS;
for (const name of names) time(c[name], iterations); // warm-up: let the JIT settle

console.log(
  `@spantrack/instrumentation hot path (node ${process.version}, ${iterations} ops a round, ` +
    `context manager: ${useContextManager ? 'AsyncLocalStorage' : 'none'}; ` +
    `attributes per span: begin/end ${parity.beginAttrs}, classify ${parity.classifyAttrs}, same on both sides)`,
);
// One process: the four share the JIT and heap alike, and alternate within every round.
const result = await compare({
  title: 'tracker against a bare span',
  unit: 'ns/op',
  rounds: QUICK ? 3 : ROUNDS,
  contenders: names.map((name) => ({ name, run: () => time(c[name], iterations) })),
  pairs: [
    ['begin/end', 'bare begin/end'],
    ['classify', 'bare classify'],
  ],
});
if (ended === 0) throw new Error('no span ended');
let ok = true;
for (const [id, d] of [
  ['instrumentation.begin-end.ratio', result.decisions[0]],
  ['instrumentation.classify.ratio', result.decisions[1]],
]) {
  const f = recordFigure({
    id,
    name: `instrumentation ${d.a} / ${d.b}`,
    value: d.ratio,
    unit: 'x',
    range: { min: d.ratioMin, max: d.ratioMax },
    target: { op: '<=', value: LIMIT },
    detail: `${result[d.a].median.toFixed(0)} vs ${result[d.b].median.toFixed(0)} ns/op`,
  });
  ok &&= f.ok;
}
process.exitCode = ok ? 0 : 1;
