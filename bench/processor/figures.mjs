// What recording the dashboards' figures as OpenTelemetry metrics costs per message: `MetricsSink`
// over a null sink, on a real SDK MeterProvider (cumulative reader, as `/metrics` reads it), with a
// mix of the plans' events in batches of 2,000 (the span processor's default batch). CPU time, the
// fastest slice of each round (bench/support/harness.mjs), over interleaved rounds.
// Target: at most 5,000 ns per message, the whole per-span budget of translation at 200,000 spans/s
// being 5,000 ns: counting must not cost more than translating.
//
//   node bench/processor/figures.mjs [rounds=7] [--quick]
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { MetricsSink } from '../../packages/processor/dist/index.js';
import { cpuMs, QUICK, recordFigure, spread } from '../support/harness.mjs';

const ROUNDS = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? (QUICK ? 2 : 7));
const BATCH = 2_000;
const BATCHES_PER_ROUND = QUICK ? 5 : 50;
const TARGET_NS = 5_000;

const reader = new PeriodicExportingMetricReader({
  exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
  exportIntervalMillis: 3_600_000,
});
const provider = new MeterProvider({ readers: [reader] });
const nullSink = {
  send: async (messages) => ({ delivered: messages.length, failed: 0, errors: [] }),
  flush: async () => {},
  shutdown: async () => {},
};
const sink = new MetricsSink(nullSink, { meter: provider.getMeter('bench') });

const channels = ['whatsapp', 'web_widget', 'test'];
function message(i) {
  const channel = channels[i % channels.length];
  const base = {
    type: 'track',
    messageId: `m${i}`,
    timestamp: '2026-11-02T10:00:00.000Z',
    userId: `u${i % 500}`,
  };
  switch (i % 6) {
    case 0:
    case 1:
    case 2:
      return {
        ...base,
        event: 'ai.classification',
        context: { channel },
        properties: {
          detected_intent: `intent_${i % 80}`,
          confidence: (i % 10) / 10,
          latency_ms: 40 + (i % 900),
          cost_usd: 0.0004,
        },
      };
    case 3:
      return {
        ...base,
        event: 'ai.generation',
        context: { channel },
        properties: { latency_ms: 300 + (i % 2000), model: 'llama3.2:3b', cost_usd: 0.002 },
      };
    case 4:
      return {
        ...base,
        event: 'Message Sent',
        context: { channel },
        properties: { conversationId: `c${i % 300}`, messageId: `cm${i}` },
      };
    default:
      return { ...base, event: 'ai.error', context: { channel }, properties: { error_type: 'timeout' } };
  }
}
const batch = Array.from({ length: BATCH }, (_, i) => message(i));

async function round() {
  let best = Number.POSITIVE_INFINITY;
  for (let b = 0; b < BATCHES_PER_ROUND; b++) {
    const t0 = cpuMs();
    await sink.send(batch);
    best = Math.min(best, ((cpuMs() - t0) * 1e6) / BATCH);
  }
  return best;
}

await round(); // warm-up
const samples = [];
for (let r = 0; r < ROUNDS; r++) samples.push(await round());
const s = spread(samples);
recordFigure({
  id: 'processor.figures_per_message',
  name: 'dashboard figures as OpenTelemetry metrics, per message',
  value: s.median,
  unit: 'ns',
  range: { min: s.min, max: s.max },
  target: { op: '<=', value: TARGET_NS },
  detail: `${ROUNDS} rounds of ${BATCHES_PER_ROUND} batches of ${BATCH} messages`,
});
await provider.shutdown();
if (s.median > TARGET_NS) process.exitCode = 1;
