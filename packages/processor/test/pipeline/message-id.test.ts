import { describe, expect, it } from 'vitest';
import { createTranslator, type SpanLike } from '../../src/index';
import { conversationMessageId, MESSAGE_ID_PATTERN, spanMessageId } from '../../src/message-id';
import { SPAN_ID, span, TRACE_ID, walkthroughClassificationSpan } from './span-fixture';

function mixedSpans(): SpanLike[] {
  const scope = {
    'user.id': 'u1',
    'gen_ai.conversation.id': 'c1',
    'spantrack.org.id': 'o',
    'spantrack.workspace.id': 'w',
  };
  return [
    walkthroughClassificationSpan(),
    span({
      spanId: '1111111111111111',
      attributes: {
        ...scope,
        'spantrack.interaction.kind': 'turn',
        'spantrack.conversation.event': 'started',
      },
    }),
    span({
      spanId: '2222222222222222',
      attributes: { ...scope, 'spantrack.interaction.kind': 'signal', 'spantrack.signal.event': 'detected' },
    }),
    span({ spanId: '3333333333333333', attributes: { ...scope, 'spantrack.interaction.kind': 'identify' } }),
    span({
      traceId: '',
      spanId: '',
      attributes: { ...scope, 'spantrack.interaction.kind': 'error', 'error.type': 'timeout' },
    }),
  ];
}

describe('message ids', () => {
  it('are the same across two runs (and two translators) over the same spans', () => {
    const run = () =>
      mixedSpans()
        .flatMap((s) => createTranslator()(s).messages)
        .map((m) => m.messageId);
    const first = run();
    expect(first.length).toBeGreaterThanOrEqual(7);
    expect(run()).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });

  it('are at most 64 characters of [A-Za-z0-9._-]', () => {
    const ids = mixedSpans().flatMap((s) => createTranslator()(s).messages.map((m) => m.messageId));
    ids.push(
      spanMessageId('not hex!', 'x', 'Message Sent', 5000),
      conversationMessageId('a'.repeat(5000), 'Conversation Ended'),
    );
    for (const id of ids) {
      expect(id).toMatch(MESSAGE_ID_PATTERN);
      expect(id.length).toBeLessThanOrEqual(64);
    }
  });

  it('differ by event name and ordinal, and by span', () => {
    const a = spanMessageId(TRACE_ID, SPAN_ID, 'Message Sent', 0);
    expect(spanMessageId(TRACE_ID, SPAN_ID, 'Message Received', 0)).not.toBe(a);
    expect(spanMessageId(TRACE_ID, SPAN_ID, 'Message Sent', 1)).not.toBe(a);
    expect(spanMessageId(TRACE_ID, '0000000000000001', 'Message Sent', 0)).not.toBe(a);
    expect(conversationMessageId('c1', 'Conversation Started')).not.toBe(
      conversationMessageId('c2', 'Conversation Started'),
    );
  });
  it('take the fast form only for lowercase hex ids of 32 and 16 digits, whatever character spoils one', () => {
    const trace = '0123456789abcdef'.repeat(2);
    const span = 'fedcba9876543210';
    expect(spanMessageId(trace, span, 'Message Sent', 0).startsWith(trace + span)).toBe(true);
    // Next to the digits and letters in char codes, upper case, and code units whose low byte is a hex digit.
    const spoilers = [
      'g',
      'G',
      'A',
      'F',
      '/',
      ':',
      '`',
      ' ',
      '\u0000',
      '\u0161',
      '\u0130',
      '\uff10',
      '\ud83d',
    ];
    for (const bad of spoilers) {
      for (let at = 0; at < 32; at++) {
        const t = trace.slice(0, at) + bad + trace.slice(at + 1);
        expect(spanMessageId(t, span, 'Message Sent', 0)).toMatch(/^h-/);
        if (at < 16) {
          const sp = span.slice(0, at) + bad + span.slice(at + 1);
          expect(spanMessageId(trace, sp, 'Message Sent', 0)).toMatch(/^h-/);
        }
      }
    }
    for (const [t, sp] of [
      [trace.slice(1), span],
      [`${trace}0`, span],
      [trace, span.slice(1)],
      [trace, `${span}0`],
    ] as const) {
      expect(spanMessageId(t, sp, 'Message Sent', 0)).toMatch(/^h-/);
    }
  });
  it('are the same whether or not an earlier id was remembered (lifecycle ids and id checks are cached)', () => {
    const first = conversationMessageId('conv-1', 'Conversation Started');
    // More conversations than any cache keeps, then the first again.
    const others = Array.from({ length: 10_000 }, (_, i) =>
      conversationMessageId(`conv-${i + 2}`, 'Conversation Started'),
    );
    expect(new Set(others).size).toBe(others.length);
    expect(conversationMessageId('conv-1', 'Conversation Started')).toBe(first);
    expect(conversationMessageId('conv-1', 'Conversation Ended')).not.toBe(first);
    // The same span id under a hex and a non-hex trace id: the checks are per id, not remembered wrongly.
    const hexTrace = 'ab'.repeat(16);
    const fast = spanMessageId(hexTrace, SPAN_ID, 'Message Sent', 0);
    expect(fast.startsWith(hexTrace + SPAN_ID)).toBe(true);
    expect(spanMessageId('AB'.repeat(16), SPAN_ID, 'Message Sent', 0)).toMatch(/^h-/);
    expect(spanMessageId(hexTrace, 'XYZ', 'Message Sent', 0)).toMatch(/^h-/);
    expect(spanMessageId(hexTrace, SPAN_ID, 'Message Sent', 0)).toBe(fast);
    // The fallback key is only built when the ids cannot be used, and then it counts.
    let built = 0;
    const key = () => {
      built++;
      return 'span\u00001';
    };
    expect(spanMessageId(hexTrace, SPAN_ID, 'Message Sent', 0, key)).toBe(fast);
    expect(built).toBe(0);
    const slow = spanMessageId('', '', 'Message Sent', 0, key);
    expect(built).toBe(1);
    expect(spanMessageId('', '', 'Message Sent', 0, 'span\u00001')).toBe(slow);
    expect(spanMessageId('', '', 'Message Sent', 0, 'span\u00002')).not.toBe(slow);
  });
});
