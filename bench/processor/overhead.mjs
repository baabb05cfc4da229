// What the AnalyticsSpanProcessor costs the agent: per-span cost of a tracer provider with a
// BatchSpanProcessor alone, against the same provider with the AnalyticsSpanProcessor added.
// Two figures per setup, from alternating rounds in one run (medians, so a noisy machine hurts
// both sides alike):
//   - hot path: the agent's own time to start and end a span (onEnd only enqueues);
//   - total: the same plus translating and delivering everything to a null sink (forceFlush).
// The target (ratio at most 1.25) is on the hot path: that is what "never blocks the agent" means;
// the total shows what the background work costs the process as a whole.
//
//   node bench/processor/overhead.mjs [rounds=9] [spansPerRound=20000]
import { performance } from 'node:perf_hooks';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AnalyticsSpanProcessor } from '../../packages/processor/dist/index.js';

const ROUNDS = Number(process.argv[2] ?? 9);
const SPANS = Number(process.argv[3] ?? 20_000);
const TARGET_RATIO = 1.25;

const nullExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
let delivered = 0;
const nullSink = {
  send: async (messages) => {
    delivered += messages.length;
    return { delivered: messages.length, failed: 0, errors: [] };
  },
  flush: async () => {},
  shutdown: async () => {},
};

// Large queues on both sides, so neither drops spans in a tight loop (a drop would be cheaper).
const bsp = () =>
  new BatchSpanProcessor(nullExporter, {
    maxQueueSize: SPANS * 2,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 50,
  });
const bare = new BasicTracerProvider({ spanProcessors: [bsp()] });
const analytics = new AnalyticsSpanProcessor({ sink: nullSink, maxQueueSize: SPANS * 2 });
const withAnalytics = new BasicTracerProvider({ spanProcessors: [bsp(), analytics] });

const attributes = (i) => ({
  'spantrack.interaction.kind': 'classification',
  'gen_ai.agent.name': 'tax-assistant',
  'user.id': `+2547${i % 5000}`,
  'gen_ai.conversation.id': `conv-${i % 2000}`,
  'spantrack.channel': 'whatsapp',
  'spantrack.intent.name': 'nil_filing',
  'spantrack.intent.confidence': 0.99,
  'gen_ai.request.model': 'llama3.2:3b',
  'gen_ai.usage.input_tokens': 120,
  'gen_ai.usage.output_tokens': 15,
});
const attrs = Array.from({ length: 1000 }, (_, i) => attributes(i));

async function round(provider) {
  const tracer = provider.getTracer('bench');
  const t0 = performance.now();
  for (let i = 0; i < SPANS; i++)
    tracer.startSpan('classify tax-assistant', { attributes: attrs[i % 1000] }).end();
  const hot = performance.now() - t0;
  await provider.forceFlush();
  return { hot: (hot * 1e6) / SPANS, total: ((performance.now() - t0) * 1e6) / SPANS };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await round(bare); // warm-up
await round(withAnalytics);
delivered = 0;
const rows = { bare: [], analytics: [], hotRatio: [], totalRatio: [] };
for (let r = 0; r < ROUNDS; r++) {
  const a = await round(bare);
  const b = await round(withAnalytics);
  rows.bare.push(a);
  rows.analytics.push(b);
  rows.hotRatio.push(b.hot / a.hot);
  rows.totalRatio.push(b.total / a.total);
}
const stats = analytics.stats();
const hotRatio = median(rows.hotRatio);
console.log(`AnalyticsSpanProcessor overhead (${ROUNDS} rounds of ${SPANS} spans, medians)`);
console.log(
  `  hot path per span: BatchSpanProcessor alone ${median(rows.bare.map((x) => x.hot)).toFixed(0)} ns, ` +
    `+ AnalyticsSpanProcessor ${median(rows.analytics.map((x) => x.hot)).toFixed(0)} ns, ratio ${hotRatio.toFixed(2)} ` +
    `(target <= ${TARGET_RATIO}) ${hotRatio <= TARGET_RATIO ? 'PASS' : 'FAIL'}`,
);
console.log(
  `  total per span incl. translation and delivery: ${median(rows.bare.map((x) => x.total)).toFixed(0)} ns vs ` +
    `${median(rows.analytics.map((x) => x.total)).toFixed(0)} ns, ratio ${median(rows.totalRatio).toFixed(2)} (informational)`,
);
const background =
  median(rows.analytics.map((x) => x.total - x.hot)) - median(rows.bare.map((x) => x.total - x.hot));
console.log(
  `  background work of the processor (read, hold, translate, deliver to a null sink): ${background.toFixed(0)} ns per span, ` +
    `${Math.round(1e9 / background).toLocaleString('en-US')} spans/s on this thread`,
);
console.log(
  `  processor: ${stats.spansSeen} spans seen, ${stats.spansDropped} dropped, ${stats.messagesDelivered} messages delivered (${delivered} at the sink)`,
);
await bare.shutdown();
await withAnalytics.shutdown();
