// What the AnalyticsSpanProcessor costs the agent: per-span cost of a tracer provider with a
// BatchSpanProcessor alone, against the same provider with the AnalyticsSpanProcessor added.
// Two figures per setup, from interleaved rounds in one run (bench/support/harness.mjs: min /
// median / max, so a noisy machine shows as a wide range rather than a wrong verdict):
//   - hot path: the agent's own time to start and end a span (onEnd only enqueues);
//   - total: the same plus translating and delivering everything to a null sink (forceFlush).
// The target (ratio at most 1.25) is on the hot path: that is what "never blocks the agent" means;
// the total shows what the background work costs the process as a whole.
//
//   node bench/processor/overhead.mjs [rounds=9] [spansPerRound=20000] [--quick]
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AnalyticsSpanProcessor } from '../../packages/processor/dist/index.js';
import { compare, cpuMs, cpuNsPerCall, QUICK, recordFigure, spread } from '../support/harness.mjs';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const ROUNDS = Number(positional[0] ?? (QUICK ? 3 : 9));
const SPANS = Number(positional[1] ?? (QUICK ? 5_000 : 20_000));
const totals = { bare: [], analytics: [] };
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

/**
 * One round: `hot`, CPU ns per span of the agent's own start/end (fastest of eight slices); `total`,
 * CPU ns per span of the whole round including the background work forceFlush waits for. CPU time,
 * so that other processes on a shared machine do not decide the figures (bench/support/harness.mjs).
 */
async function round(provider) {
  const tracer = provider.getTracer('bench');
  const t0 = cpuMs();
  const hot = cpuNsPerCall(
    (i) => tracer.startSpan('classify tax-assistant', { attributes: attrs[i % 1000] }).end(),
    SPANS,
  );
  await provider.forceFlush();
  return { hot, total: ((cpuMs() - t0) * 1e6) / SPANS };
}

await round(bare); // warm-up
await round(withAnalytics);
delivered = 0;
// The same process for both (they share one OpenTelemetry SDK); the harness alternates them.
const last = { bare: undefined, analytics: undefined };
const result = await compare({
  title: `AnalyticsSpanProcessor overhead (${SPANS} spans a round), agent's hot path per span`,
  unit: 'ns/span',
  rounds: ROUNDS,
  contenders: [
    {
      name: '+ AnalyticsSpanProcessor',
      run: async () => {
        last.analytics = await round(withAnalytics);
        totals.analytics.push(last.analytics.total);
        return last.analytics.hot;
      },
    },
    {
      name: 'BatchSpanProcessor alone',
      run: async () => {
        last.bare = await round(bare);
        totals.bare.push(last.bare.total);
        return last.bare.hot;
      },
    },
  ],
});
const d = result.decisions[0];
const stats = analytics.stats();
recordFigure({
  id: 'processor.hot-path.ratio',
  name: 'processor hot path / BatchSpanProcessor alone',
  value: d.ratio,
  unit: 'x',
  range: { min: d.ratioMin, max: d.ratioMax },
  target: { op: '<=', value: TARGET_RATIO },
  detail: `${result['+ AnalyticsSpanProcessor'].median.toFixed(0)} vs ${result['BatchSpanProcessor alone'].median.toFixed(0)} ns/span`,
});
const total = { bare: spread(totals.bare).median, analytics: spread(totals.analytics).median };
console.log(
  `  total per span incl. translation and delivery: ${total.bare.toFixed(0)} ns vs ` +
    `${total.analytics.toFixed(0)} ns, ratio ${(total.analytics / total.bare).toFixed(2)} (informational)`,
);
const hot = {
  bare: result['BatchSpanProcessor alone'].median,
  analytics: result['+ AnalyticsSpanProcessor'].median,
};
const background = total.analytics - hot.analytics - (total.bare - hot.bare);
console.log(
  `  background work of the processor (read, hold, translate, deliver to a null sink): ${background.toFixed(0)} ns per span, ` +
    `${Math.round(1e9 / background).toLocaleString('en-US')} spans/s on this thread`,
);
console.log(
  `  processor: ${stats.spansSeen} spans seen, ${stats.spansDropped} dropped, ${stats.messagesDelivered} messages delivered (${delivered} at the sink)`,
);
await bare.shutdown();
await withAnalytics.shutdown();
