// A request's spans translated a few whole traces at a time give exactly what translating them all
// at once gives: same messages, same order, same message ids, same diagnostics.
import { createTranslator, type SpanLike } from '@spantrack/processor/translate';
import { describe, expect, it } from 'vitest';
import { decodeProtobufTraces } from '../src/otlp/otlp-protobuf-decoder';
import { SLICE_SPANS, translateByTraces } from '../src/pipeline/sliced-translation';
import { TimeSlice } from '../src/slicing/time-slice';
import { agentTraces, toProtobuf } from './support/fixtures';

/** The spans of `n` agent turns (four spans a trace, ids on the root only), traces interleaved. */
function interleavedSpans(n: number, seed: number): SpanLike[] {
  const spans = decodeProtobufTraces(toProtobuf(agentTraces(n, `slice-${seed}`))).spans;
  let s = seed;
  for (let i = spans.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [spans[i], spans[j]] = [spans[j]!, spans[i]!];
  }
  return spans;
}

describe('translation in slices of whole traces', () => {
  const translator = createTranslator({});

  it('matches the whole request translated at once, interleaved traces included', async () => {
    for (const [turns, seed] of [
      [20, 1],
      [300, 2],
      [1000, 3],
    ] as const) {
      const spans = interleavedSpans(turns, seed);
      const whole = translator.many(spans);
      // A zero-length slice yields after every batch: the most slicing there can be.
      const sliced = await translateByTraces(translator, spans, new TimeSlice(0));
      expect(sliced).toEqual(whole);
      const ids = sliced.flatMap((r) => r.messages.map((m) => m.messageId));
      expect(ids.length).toBeGreaterThan(turns);
      // User ids set on the roots only reached the other spans' events through the trace context.
      expect(sliced.flatMap((r) => r.messages).every((m) => m.userId !== undefined)).toBe(true);
    }
  });

  it('keeps a trace larger than a slice whole', async () => {
    const spans = decodeProtobufTraces(toProtobuf(agentTraces(SLICE_SPANS, 'one-trace'))).spans;
    const traceId = spans[0]!.traceId;
    const oneTrace = spans.map((span) => ({ ...span, traceId }));
    expect(oneTrace.length).toBeGreaterThan(SLICE_SPANS);
    const whole = translator.many(oneTrace);
    expect(await translateByTraces(translator, oneTrace, new TimeSlice(0))).toEqual(whole);
  });

  it('lets the event loop run between slices', async () => {
    const spans = interleavedSpans(400, 4);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    const translating = translateByTraces(translator, spans, new TimeSlice(0));
    expect(ran).toBe(false);
    await translating;
    expect(ran).toBe(true);
  });
  it('slices a request whose traces come one after another (the usual order) at trace boundaries, yielding between', async () => {
    const spans = decodeProtobufTraces(toProtobuf(agentTraces(300, 'in-order'))).spans;
    expect(spans.length).toBeGreaterThan(2 * SLICE_SPANS);
    for (let i = 1; i < spans.length; i++) {
      // Each trace's spans together: the range path is the one taken.
      if (spans[i]!.traceId !== spans[i - 1]!.traceId) {
        expect(spans.slice(0, i).some((x) => x.traceId === spans[i]!.traceId)).toBe(false);
      }
    }
    const whole = translator.many(spans);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    const translating = translateByTraces(translator, spans, new TimeSlice(0));
    expect(ran).toBe(false);
    expect(await translating).toEqual(whole);
    expect(ran).toBe(true);
  });
});
