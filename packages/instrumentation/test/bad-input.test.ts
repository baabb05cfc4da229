import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { ClassificationResult } from '../src/index';
import { setup, useDiag } from './support';

const diagState = useDiag();

/** The warnings about one option. */
const about = (option: string) => diagState.warnings.filter((w) => w.includes(`dropped "${option}"`));

describe('bad input: dropped from the span, reported once, the rest kept', () => {
  it('confidence outside 0..1', () => {
    const { tracker, spans } = setup();
    for (const confidence of [7, -0.1, Number.NaN]) {
      tracker.classify({}, () => ({ intent: 'nil_filing', confidence }));
    }
    expect(spans()).toHaveLength(3);
    for (const span of spans()) {
      expect(span.attributes['spantrack.intent.confidence']).toBeUndefined();
      expect(span.attributes['spantrack.intent.name']).toBe('nil_filing');
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    }
    expect(about('confidence')).toHaveLength(1);
    expect(about('confidence')[0]).toMatch(
      /classify: dropped "confidence": expected a number in 0\.\.1, got number 7/,
    );
  });

  it('NaN or negative tokens', () => {
    const { tracker, spans } = setup();
    tracker.classify({}, (h) => {
      h.setUsage({ inputTokens: Number.NaN, outputTokens: 15 });
      return { intent: 'a', confidence: 0.5 };
    });
    tracker.generate({}, (h) => {
      h.setUsage({ inputTokens: 120, outputTokens: -3 });
      return 'x';
    });
    tracker.generate({}, (h) => {
      h.setUsage({ inputTokens: 120, outputTokens: -4 });
      return 'x';
    });
    const [a, b] = spans();
    expect(a!.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(a!.attributes['gen_ai.usage.output_tokens']).toBe(15);
    expect(a!.attributes['spantrack.intent.confidence']).toBe(0.5);
    expect(b!.attributes['gen_ai.usage.input_tokens']).toBe(120);
    expect(b!.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
    expect(about('inputTokens')).toHaveLength(1);
    expect(about('outputTokens')).toHaveLength(1);
  });

  it('a non-string intent', () => {
    const { tracker, only } = setup();
    tracker.classify(
      { model: 'm' },
      () => ({ intent: 42, confidence: 0.9 }) as unknown as ClassificationResult,
    );
    expect(only().attributes['spantrack.intent.name']).toBeUndefined();
    expect(only().attributes['spantrack.intent.confidence']).toBe(0.9);
    expect(only().attributes['gen_ai.request.model']).toBe('m');
    expect(about('intent')).toHaveLength(1);
  });

  it('a classification result that is not an object', () => {
    const { tracker, only } = setup();
    tracker.classify({}, () => 'nil_filing' as unknown as ClassificationResult);
    expect(only().attributes['spantrack.interaction.kind']).toBe('classification');
    expect(about('result')).toHaveLength(1);
  });

  it('an unknown error type shape', () => {
    const { tracker, spans } = setup();
    tracker.error({ type: { code: 504 } as never, recoveryAttempt: 2, fallbackAction: 'retry' });
    tracker.error({ type: 504 as never, recovered: true });
    const [a, b] = spans();
    expect(a!.name).toBe('error _OTHER');
    expect(a!.attributes).toMatchObject({
      'error.type': '_OTHER',
      'spantrack.error.recovery_attempt': 2,
      'spantrack.error.fallback_action': 'retry',
    });
    expect(b!.attributes['spantrack.error.recovered']).toBe(true);
    expect(about('type')).toHaveLength(1);
  });

  it('bad recovery fields, timestamps, latency and properties', () => {
    const { tracker, spans } = setup();
    tracker.error({
      type: 'timeout',
      recoveryAttempt: -1,
      recovered: 'no' as never,
      timestamp: new Date('nope'),
    });
    tracker
      .begin({ properties: { ok: 1, bad: Number.POSITIVE_INFINITY, fn: (() => 1) as never } })
      .end({ latency: -5 });
    const [err, interaction] = spans();
    expect(err!.attributes).toMatchObject({ 'error.type': 'timeout' });
    expect(err!.attributes['spantrack.error.recovery_attempt']).toBeUndefined();
    expect(err!.attributes['spantrack.error.recovered']).toBeUndefined();
    expect(interaction!.attributes['spantrack.property.ok']).toBe(1);
    expect(interaction!.attributes['spantrack.property.bad']).toBeUndefined();
    expect(interaction!.attributes['spantrack.property.fn']).toBeUndefined();
    for (const option of [
      'recoveryAttempt',
      'recovered',
      'timestamp',
      'latency',
      'properties.bad',
      'properties.fn',
    ]) {
      expect(about(option), option).toHaveLength(1);
    }
  });

  it('timestamps at or before the Unix epoch, past year 9999 or invalid: reported once, the current time used', () => {
    const { tracker, spans } = setup();
    const before = Date.now();
    for (const timestamp of [0, -1, 1e20, Number.NaN, new Date(Date.UTC(10_000, 0, 1)), new Date('nope')]) {
      tracker.track({ timestamp });
    }
    tracker.identify('u', {}, { timestamp: 0 });
    const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    tracker.track({ timestamp: last });
    tracker.track({ timestamp: 1 });
    const all = spans();
    expect(all).toHaveLength(9);
    const ends = all.map((s) => s.endTime[0] * 1000 + Math.round(s.endTime[1] / 1e6));
    for (const end of ends.slice(0, 7)) expect(end).toBeGreaterThanOrEqual(before);
    expect(ends.slice(7)).toEqual([last, 1]);
    expect(diagState.warnings.filter((w) => w.includes('track: dropped "timestamp"'))).toHaveLength(1);
    expect(diagState.warnings.filter((w) => w.includes('identify: dropped "timestamp"'))).toHaveLength(1);
  });

  it('classify, generate, turn and tool without a function: no span, nothing counted, reported, undefined', () => {
    const { tracker, spans } = setup();
    const loose = tracker as unknown as Record<string, (...args: unknown[]) => unknown>;
    expect(loose.classify!({}, null)).toBeUndefined();
    expect(loose.generate!({}, 'not a function')).toBeUndefined();
    const conv = tracker.conversation({ conversationId: 'c1' });
    const looseConv = conv as unknown as Record<string, (...args: unknown[]) => unknown>;
    expect(looseConv.turn!('hello', undefined)).toBeUndefined();
    expect(looseConv.tool!('lookup', 42)).toBeUndefined();
    expect(spans()).toEqual([]);
    // The next real turn is still the conversation's first message, and the only one counted.
    conv.turn('hi', () => 'hello');
    conv.end();
    const [turn, ended] = spans();
    expect(turn!.attributes['spantrack.conversation.event']).toBe('started');
    expect(ended!.attributes['spantrack.conversation.message_count']).toBe(2);
    for (const where of ['classify', 'generate', 'turn', 'tool']) {
      expect(
        diagState.warnings.some((w) => w.includes(`${where}: dropped "fn"`)),
        where,
      ).toBe(true);
    }
  });

  it('never throws on garbage arguments', () => {
    const { tracker, spans } = setup();
    const t = tracker as unknown as Record<string, (...args: unknown[]) => unknown>;
    expect(() => {
      t.begin!(null);
      (t.begin!(42) as { end: (o: unknown) => void }).end('nope');
      t.track!(undefined);
      t.identify!(12, 'traits');
      t.classify!(null, null);
      t.generate!('x', () => 'y');
      t.error!(null);
      t.signal!(null);
      t.triage!([]);
      t.reply!(undefined);
      t.outcome!(null);
      t.withContext!(null, () => 1);
      t.withContext!({}, 'not a function');
      const conv = t.conversation!(5) as Record<string, (...args: unknown[]) => unknown>;
      conv.messageSent!(7);
      conv.messageReceived!(null);
      conv.turn!(3, undefined);
      conv.tool!(undefined, () => 1, 'x');
      conv.actionInvoked!(undefined);
      conv.mediaGenerated!({ type: 5 });
      conv.componentLoaded!(null);
      conv.feedback!({ rating: 'great' });
      conv.end!('x');
    }).not.toThrow();
    expect(spans().length).toBeGreaterThan(10);
    expect(diagState.warnings.length).toBeGreaterThan(5);
  });

  it('reports each distinct problem once per tracker', () => {
    const { tracker } = setup();
    for (let i = 0; i < 50; i++) tracker.classify({}, () => ({ intent: 'a', confidence: 2 }));
    expect(diagState.warnings).toHaveLength(1);
  });
});

describe('withContext without a context manager', () => {
  it('runs fn and says once that the scope reaches no span', () => {
    const { tracker, provider, spans } = setup();
    for (let i = 0; i < 2; i++) {
      const r = tracker.withContext({ userId: 'u1' }, () => {
        provider.getTracer('llm').startSpan('chat').end();
        return 42;
      });
      expect(r).toBe(42);
    }
    expect(spans().map((s) => s.attributes['user.id'])).toEqual([undefined, undefined]);
    const about = diagState.warnings.filter((w) => w.includes('no OpenTelemetry context manager'));
    expect(about).toHaveLength(1);
    expect(about[0]).toMatch(/setGlobalContextManager/);
  });
});
