import { describe, expect, it } from 'vitest';
import type { SpanLike } from '../../src/index';
import { TraceContextBuffer } from '../../src/span-processor/trace-context-buffer';

const span = (traceId: string, spanId: string, attributes: Record<string, string> = {}): SpanLike => ({
  traceId,
  spanId,
  name: spanId,
  kind: 0,
  startTimeUnixNano: 0n,
  endTimeUnixNano: 1n,
  attributes,
  events: [],
  status: { code: 0 },
  resource: {},
  scope: { name: 'test' },
});

const options = { maxHoldMillis: 1_000, maxHeldSpans: 100, maxRememberedTraces: 10 };

describe('TraceContextBuffer', () => {
  it('holds children until the local root ends, then gives them the ids set on the root', () => {
    const buffer = new TraceContextBuffer(options);
    const out: SpanLike[] = [];
    buffer.add(span('t1', 'child', { 'spantrack.channel': 'whatsapp' }), false, 0, out);
    expect(out).toEqual([]);
    expect(buffer.size).toBe(1);
    buffer.add(span('t1', 'root', { 'user.id': 'u1', 'gen_ai.conversation.id': 'c1' }), true, 0, out);
    expect(out.map((s) => s.spanId)).toEqual(['child', 'root']);
    expect(out[0]!.attributes).toEqual({
      'spantrack.channel': 'whatsapp',
      'user.id': 'u1',
      'gen_ai.conversation.id': 'c1',
    });
    // The root gets the channel its child carried.
    expect(out[1]!.attributes['spantrack.channel']).toBe('whatsapp');
    expect(buffer.size).toBe(0);
  });

  it('never overwrites a value a span carries itself, and the root wins over other children', () => {
    const buffer = new TraceContextBuffer(options);
    const out: SpanLike[] = [];
    buffer.add(span('t1', 'a', { 'user.id': 'from-a' }), false, 0, out);
    buffer.add(span('t1', 'b'), false, 0, out);
    buffer.add(span('t1', 'root', { 'user.id': 'from-root' }), true, 0, out);
    expect(out.find((s) => s.spanId === 'a')!.attributes['user.id']).toBe('from-a');
    expect(out.find((s) => s.spanId === 'b')!.attributes['user.id']).toBe('from-root');
  });

  it('gives late spans of a released trace its context at once', () => {
    const buffer = new TraceContextBuffer(options);
    const out: SpanLike[] = [];
    buffer.add(span('t1', 'root', { 'user.id': 'u1' }), true, 0, out);
    buffer.add(span('t1', 'late'), false, 5, out);
    expect(out.map((s) => [s.spanId, s.attributes['user.id']])).toEqual([
      ['root', 'u1'],
      ['late', 'u1'],
    ]);
    expect(buffer.size).toBe(0);
  });

  it('returns a span that lacks nothing unchanged (no copy)', () => {
    const buffer = new TraceContextBuffer(options);
    const out: SpanLike[] = [];
    const s = span('t1', 'root');
    buffer.add(s, true, 0, out);
    expect(out[0]).toBe(s);
  });

  it('releases traces whose root never ends after maxHoldMillis', () => {
    const buffer = new TraceContextBuffer(options);
    const out: SpanLike[] = [];
    buffer.add(span('old', 'x', { 'user.id': 'u' }), false, 0, out);
    buffer.add(span('young', 'y'), false, 900, out);
    buffer.expire(1_000, out);
    expect(out.map((s) => s.traceId)).toEqual(['old']);
    expect(buffer.size).toBe(1);
    buffer.releaseAll(out);
    expect(out.map((s) => s.traceId)).toEqual(['old', 'young']);
    expect(buffer.size).toBe(0);
  });

  it('bounds memory: past maxHeldSpans the oldest trace is released as it is', () => {
    const buffer = new TraceContextBuffer({ ...options, maxHeldSpans: 3 });
    const out: SpanLike[] = [];
    for (let i = 0; i < 4; i++) buffer.add(span(`t${i}`, `s${i}`), false, 0, out);
    expect(out.map((s) => s.traceId)).toEqual(['t0']);
    expect(buffer.size).toBe(3);
  });

  it('forgets the oldest released traces past maxRememberedTraces', () => {
    const buffer = new TraceContextBuffer({ ...options, maxRememberedTraces: 1 });
    const out: SpanLike[] = [];
    buffer.add(span('t1', 'r1', { 'user.id': 'u1' }), true, 0, out);
    buffer.add(span('t2', 'r2', { 'user.id': 'u2' }), true, 0, out);
    out.length = 0;
    buffer.add(span('t1', 'late'), false, 0, out);
    expect(out).toEqual([]); // held again, not filled from a forgotten context
    expect(buffer.size).toBe(1);
  });
});
