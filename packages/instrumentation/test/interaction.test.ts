import { SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it, vi } from 'vitest';
import { AgentTracker, setDefaultCaptureContent } from '../src/index';
import { durationMs, expectInternal, hrToMs, setup, useDiag } from './support';

const diagState = useDiag();

describe('begin / end (the interaction API)', () => {
  it('writes an invoke_agent span with the interaction attributes', () => {
    const { tracker, only } = setup({ agentName: 'tax-bot', channel: 'whatsapp' });
    const interaction = tracker.begin({
      userId: '+254712345678',
      input: 'I want to file nil returns',
      conversationId: 'conv-1',
      properties: { plan: 'free', retries: 2, beta: true, tags: ['a', 'b'] },
    });
    interaction.setProperty('model_temperature', 0.2);
    interaction.end({ output: 'Sure, let us start.' });

    const span = only();
    expect(span.name).toBe('invoke_agent tax-bot');
    expectInternal(span);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toEqual({
      'spantrack.interaction.kind': 'track',
      'gen_ai.agent.name': 'tax-bot',
      'gen_ai.operation.name': 'invoke_agent',
      'spantrack.channel': 'whatsapp',
      'user.id': '+254712345678',
      'gen_ai.conversation.id': 'conv-1',
      'spantrack.property.plan': 'free',
      'spantrack.property.retries': 2,
      'spantrack.property.beta': true,
      'spantrack.property.tags': ['a', 'b'],
      'spantrack.property.model_temperature': 0.2,
      'spantrack.success': true,
      'spantrack.output.length': 19,
    });
    expect(span.instrumentationScope.name).toBe('@spantrack/instrumentation');
  });

  it('defaults the agent name to "default" and lets a call name another agent', () => {
    const { tracker, spans } = setup();
    tracker.begin().end();
    tracker.begin({ agentName: 'router' }).end();
    expect(spans().map((s) => [s.name, s.attributes['gen_ai.agent.name']])).toEqual([
      ['invoke_agent default', 'default'],
      ['invoke_agent router', 'router'],
    ]);
  });

  it('records content only with captureContent', () => {
    const off = setup();
    off.tracker.begin({ input: 'secret question' }).end({ output: 'secret answer' });
    expect(off.only().attributes['spantrack.input.text']).toBeUndefined();
    expect(off.only().attributes['spantrack.output.text']).toBeUndefined();
    expect(off.only().attributes['spantrack.output.length']).toBe(13);

    const on = setup({ captureContent: true });
    const i = on.tracker.begin();
    i.setInput('question');
    i.end({ output: 'answer' });
    expect(on.only().attributes).toMatchObject({
      'spantrack.input.text': 'question',
      'spantrack.output.text': 'answer',
      'spantrack.output.length': 6,
    });
  });

  it('reads OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT when the option is absent', () => {
    vi.stubEnv('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', 'true');
    try {
      expect(setup().tracker.captureContent).toBe(true);
      expect(setup({ captureContent: false }).tracker.captureContent).toBe(false);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(setup().tracker.captureContent).toBe(false);
  });

  it('success: false with capture on makes the output the error message', () => {
    const { tracker, spans } = setup({ captureContent: true });
    tracker.begin({ input: 'x' }).end({ output: 'model timed out', success: false });
    tracker.begin().end({ output: 'bad json', success: false, errorType: 'json_parse_error' });
    tracker.begin().end({ success: false, errorType: 'timeout' });
    const [first, second, third] = spans();
    expect(first!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'model timed out' });
    expect(first!.attributes).toMatchObject({ 'spantrack.success': false, 'error.type': '_OTHER' });
    expect(first!.attributes['spantrack.output.length']).toBeUndefined();
    expect(second!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'bad json' });
    expect(second!.attributes['error.type']).toBe('json_parse_error');
    expect(third!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'timeout' });
  });

  it('success: false with capture off: the status message is the error type, never the output', () => {
    const { tracker, spans } = setup({ captureContent: false });
    tracker.begin({ input: 'x' }).end({ output: 'SECRET model timed out', success: false });
    tracker.begin().end({ output: 'SECRET bad json', success: false, errorType: 'json_parse_error' });
    tracker.track({ output: 'SECRET rate limited', success: false });
    const [first, second, third] = spans();
    expect(first!.status).toEqual({ code: SpanStatusCode.ERROR, message: '_OTHER' });
    expect(second!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'json_parse_error' });
    expect(third!.status).toEqual({ code: SpanStatusCode.ERROR, message: '_OTHER' });
    expect(JSON.stringify(spans().map((s) => [s.attributes, s.status, s.events]))).not.toContain('SECRET');
  });

  it('measures latency, or uses the given one as the duration', async () => {
    const { tracker, spans } = setup();
    const measured = tracker.begin();
    await new Promise((r) => setTimeout(r, 25));
    measured.end();
    tracker.begin().end({ latency: 450 });
    const [a, b] = spans();
    expect(durationMs(a!)).toBeGreaterThanOrEqual(20);
    expect(durationMs(b!)).toBeCloseTo(450, 0);
  });

  it('writes input and output message ids', () => {
    const { tracker, only } = setup();
    tracker.begin({ inputMessageId: 'm1' }).end({ outputMessageId: 'm2' });
    expect(only().attributes).toMatchObject({
      'spantrack.input.message_id': 'm1',
      'spantrack.output.message_id': 'm2',
    });
  });

  it('ignores a second end() and reports it once', () => {
    const { tracker, spans } = setup();
    const i = tracker.begin();
    i.end();
    i.end({ output: 'again' });
    i.end();
    expect(spans()).toHaveLength(1);
    expect(diagState.warnings.filter((w) => w.includes('more than once'))).toHaveLength(1);
  });

  it('JSON-encodes properties that are not attribute values', () => {
    const { tracker, only } = setup();
    tracker.begin({ properties: { nested: { a: 1 }, mixed: [1, 'a'], none: null } }).end();
    expect(only().attributes['spantrack.property.nested']).toBe('{"a":1}');
    expect(only().attributes['spantrack.property.mixed']).toBe('[1,"a"]');
    expect('spantrack.property.none' in only().attributes).toBe(false);
  });
});

describe('track (one-shot interaction)', () => {
  it('writes the span with the given timestamp as its end and latency as its duration', () => {
    const { tracker, only } = setup({ channel: 'whatsapp' });
    const timestamp = new Date('2024-04-04T10:00:00.000Z');
    tracker.track({
      userId: 'u1',
      input: 'hi',
      output: 'hello there',
      conversationId: 'c1',
      properties: { source: 'import' },
      timestamp,
      latency: 800,
    });
    const span = only();
    expect(span.name).toBe('invoke_agent default');
    expectInternal(span);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(hrToMs(span.endTime)).toBe(timestamp.getTime());
    expect(hrToMs(span.startTime)).toBe(timestamp.getTime() - 800);
    expect(span.attributes).toEqual({
      'spantrack.interaction.kind': 'track',
      'gen_ai.agent.name': 'default',
      'gen_ai.operation.name': 'invoke_agent',
      'spantrack.channel': 'whatsapp',
      'user.id': 'u1',
      'gen_ai.conversation.id': 'c1',
      'spantrack.property.source': 'import',
      'spantrack.success': true,
      'spantrack.output.length': 11,
    });
  });

  it('accepts epoch milliseconds, and marks failures', () => {
    const { tracker, only } = setup({ captureContent: true });
    tracker.track({ output: 'rate limited', success: false, timestamp: 1_700_000_000_000 });
    expect(hrToMs(only().endTime)).toBe(1_700_000_000_000);
    expect(hrToMs(only().startTime)).toBe(1_700_000_000_000);
    expect(only().status).toEqual({ code: SpanStatusCode.ERROR, message: 'rate limited' });
    expect(only().attributes['error.type']).toBe('_OTHER');
  });
});

describe('identify', () => {
  it('writes user id, anonymous id and traits on a point-in-time span', () => {
    const { tracker, only } = setup({ channel: 'web_widget' });
    tracker.identify('u1', { plan: 'pro', seats: 3 }, { anonymousId: 'anon-9' });
    const span = only();
    expect(span.name).toBe('identify');
    expectInternal(span);
    expect(span.startTime).toEqual(span.endTime);
    expect(span.attributes).toEqual({
      'spantrack.interaction.kind': 'identify',
      'gen_ai.agent.name': 'default',
      'spantrack.channel': 'web_widget',
      'user.id': 'u1',
      'spantrack.anonymous.id': 'anon-9',
      'spantrack.user.trait.plan': 'pro',
      'spantrack.user.trait.seats': 3,
    });
  });
});

describe('flush / shutdown', () => {
  it('calls forceFlush and shutdown on the provider', async () => {
    const { tracker, provider } = setup();
    const flush = vi.spyOn(provider, 'forceFlush');
    const shutdown = vi.spyOn(provider, 'shutdown');
    await tracker.flush();
    await tracker.shutdown();
    expect(flush).toHaveBeenCalledTimes(1);
    expect(shutdown).toHaveBeenCalledTimes(1);
  });

  it('resolves when the provider fails or has no such method', async () => {
    const provider = new BasicTracerProvider();
    vi.spyOn(provider, 'forceFlush').mockRejectedValue(new Error('exporter down'));
    const tracker = new AgentTracker({ tracerProvider: provider });
    await expect(tracker.flush()).resolves.toBeUndefined();
    expect(diagState.warnings.some((w) => w.includes('exporter down'))).toBe(true);
    const bare = new AgentTracker({ tracerProvider: { getTracer: () => trace.getTracer('x') } });
    await expect(bare.flush()).resolves.toBeUndefined();
    await expect(bare.shutdown()).resolves.toBeUndefined();
  });

  it('unwraps the global proxy provider', async () => {
    const provider = new BasicTracerProvider();
    const flush = vi.spyOn(provider, 'forceFlush');
    trace.setGlobalTracerProvider(provider);
    try {
      await new AgentTracker().flush();
      expect(flush).toHaveBeenCalledTimes(1);
    } finally {
      trace.disable();
    }
  });
});

describe('setDefaultCaptureContent', () => {
  it('sets the default of trackers built without the option; the option still wins', () => {
    try {
      setDefaultCaptureContent(true);
      expect(setup().tracker.captureContent).toBe(true);
      expect(setup({ captureContent: false }).tracker.captureContent).toBe(false);
      setDefaultCaptureContent(false);
      expect(setup().tracker.captureContent).toBe(false);
    } finally {
      setDefaultCaptureContent(undefined);
    }
    expect(setup().tracker.captureContent).toBe(false);
  });
});
