import { CONTEXT_ATTRIBUTE_KEYS } from '@spantrack/conventions';
import type { SpanLike } from '@spantrack/processor/translate';
import { describe, expect, it } from 'vitest';
import { EMPTY_ATTRIBUTES } from '../src/otlp/decoded-traces';
import { fillTraceContext } from '../src/pipeline/request-trace-context';

const TRACE = 'a'.repeat(32);

function span(
  spanId: string,
  parentSpanId: string | undefined,
  attributes: SpanLike['attributes'],
): SpanLike {
  return {
    traceId: TRACE,
    spanId,
    parentSpanId,
    name: spanId,
    kind: 0,
    startTimeUnixNano: 1n,
    endTimeUnixNano: 2n,
    attributes,
    events: [],
    status: { code: 0 },
    resource: {},
    scope: { name: 'test' },
  };
}

describe('trace context within a request', () => {
  it.each(CONTEXT_ATTRIBUTE_KEYS)('carries %s from the root to the spans of its trace, in place', (key) => {
    const child = span('2'.repeat(16), '1'.repeat(16), { other: 'x', [key]: '' });
    const bare = span('3'.repeat(16), '1'.repeat(16), EMPTY_ATTRIBUTES);
    const root = span('1'.repeat(16), undefined, { [key]: 'from-root' });
    const late = span('4'.repeat(16), '2'.repeat(16), { [key]: 'own' });
    const out = fillTraceContext([child, bare, root, late]);
    expect(out[0]!.attributes[key]).toBe('from-root');
    // The decoded span's own attribute object took the value; the shared frozen one was copied.
    expect(out[0]).toBe(child);
    expect(out[1]).not.toBe(bare);
    expect(out[1]!.attributes).toEqual({ [key]: 'from-root' });
    expect(EMPTY_ATTRIBUTES).toEqual({});
    expect(out[3]!.attributes[key]).toBe('own');
  });

  it('lets the root win over children, and the first child when there is no root', () => {
    const a = span('2'.repeat(16), '1'.repeat(16), { 'user.id': 'child' });
    const root = span('1'.repeat(16), undefined, { 'user.id': 'root' });
    const b = span('3'.repeat(16), '1'.repeat(16), {});
    expect(fillTraceContext([a, root, b])[2]!.attributes['user.id']).toBe('root');
    const c = span('4'.repeat(16), '9'.repeat(16), { 'user.id': 'first' });
    const d = span('5'.repeat(16), '9'.repeat(16), { 'user.id': 'second' });
    const e = span('6'.repeat(16), '9'.repeat(16), {});
    expect(fillTraceContext([c, d, e])[2]!.attributes['user.id']).toBe('first');
  });

  it('returns the same list when no span lacks anything or every trace has one span', () => {
    const full = Object.fromEntries(CONTEXT_ATTRIBUTE_KEYS.map((k) => [k, 'v']));
    const spans = [
      span('1'.repeat(16), undefined, { ...full }),
      span('2'.repeat(16), '1'.repeat(16), { ...full }),
    ];
    expect(fillTraceContext(spans)).toBe(spans);
    const alone = [
      span('1'.repeat(16), undefined, {}),
      { ...span('2'.repeat(16), undefined, {}), traceId: 'b'.repeat(32) },
    ];
    expect(fillTraceContext(alone)).toBe(alone);
  });
});
