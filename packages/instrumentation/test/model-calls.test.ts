import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { expectInternal, setup, useAsyncContext, useDiag } from './support';

useAsyncContext();
useDiag();

describe('classify (ai.classification of the AI agent tracking plan)', () => {
  it('writes intent, confidence, model, provider and usage', () => {
    const { tracker, only } = setup({ agentName: 'tax-bot', channel: 'whatsapp', captureContent: true });
    const result = tracker.classify(
      { userId: '+254712345678', input: 'I want to file nil returns', model: 'llama3.2:3b' },
      (h) => {
        h.setProvider('ollama').setUsage({ inputTokens: 120, outputTokens: 15 }).setModel('llama3.2:3b-q4');
        return { intent: 'nil_filing', confidence: 0.99 };
      },
    );
    expect(result).toEqual({ intent: 'nil_filing', confidence: 0.99 });
    const span = only();
    expect(span.name).toBe('classify tax-bot');
    expectInternal(span);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toEqual({
      'spantrack.interaction.kind': 'classification',
      'gen_ai.agent.name': 'tax-bot',
      'spantrack.channel': 'whatsapp',
      'user.id': '+254712345678',
      'gen_ai.request.model': 'llama3.2:3b',
      'gen_ai.response.model': 'llama3.2:3b-q4',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 15,
      'spantrack.input.text': 'I want to file nil returns',
      'spantrack.intent.name': 'nil_filing',
      'spantrack.intent.confidence': 0.99,
    });
  });

  it('takes the request model from setModel when none was given, and leaves content out by default', () => {
    const { tracker, only } = setup();
    tracker.classify({ input: 'private' }, (h) => {
      h.setModel('m1');
      return { intent: 'x', confidence: 0.5 };
    });
    expect(only().attributes).toMatchObject({ 'gen_ai.request.model': 'm1', 'gen_ai.response.model': 'm1' });
    expect(only().attributes['spantrack.input.text']).toBeUndefined();
  });

  it('works with an async function and parents the spans started inside it', async () => {
    const { tracker, spans, provider } = setup();
    const other = provider.getTracer('llm-client');
    const result = await tracker.classify({}, async () => {
      await new Promise((r) => setTimeout(r, 5));
      other.startSpan('chat llama').end();
      return { intent: 'pin_registration', confidence: 0.8 };
    });
    expect(result.intent).toBe('pin_registration');
    const [child, parent] = spans();
    expect(child!.name).toBe('chat llama');
    expect(parent!.name).toBe('classify default');
    expect(child!.parentSpanContext?.spanId).toBe(parent!.spanContext().spanId);
    expect(parent!.attributes['spantrack.intent.name']).toBe('pin_registration');
    expect(trace.getSpan(context.active())).toBeUndefined();
  });

  it('records a thrown error and rethrows it unchanged', () => {
    const { tracker, only } = setup();
    const boom = new SyntaxError('Unexpected token < in JSON at position 0');
    expect(() =>
      tracker.classify({}, () => {
        throw boom;
      }),
    ).toThrow(boom);
    const span = only();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: boom.message });
    expect(span.attributes['error.type']).toBe('json_parse_error');
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
    expect(span.events[0]!.attributes?.['exception.type']).toBe('SyntaxError');
  });

  it('records a rejection and rejects with the same error', async () => {
    const { tracker, only } = setup();
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:11434'), { code: 'ECONNREFUSED' });
    await expect(
      tracker.classify({}, async () => {
        throw err;
      }),
    ).rejects.toBe(err);
    expect(only().attributes['error.type']).toBe('network');
    expect(only().status.code).toBe(SpanStatusCode.ERROR);
  });

  it('carries the call user and conversation onto spans started inside fn', () => {
    const { tracker, spans, provider } = setup();
    tracker.classify({ userId: 'u7', conversationId: 'c7' }, () => {
      provider.getTracer('llm').startSpan('chat x').end();
      return { intent: 'a', confidence: 1 };
    });
    expect(spans()[0]!.attributes).toMatchObject({ 'user.id': 'u7', 'gen_ai.conversation.id': 'c7' });
  });
});

describe('generate (ai.generation of the AI agent tracking plan)', () => {
  it('writes prompt type and output length from the returned string', () => {
    const { tracker, only } = setup({ channel: 'whatsapp' });
    const out = tracker.generate(
      { promptType: 'clarification', model: 'llama3.2:3b', outputType: 'text' },
      (h) => {
        h.setUsage({ inputTokens: 50, outputTokens: 12 });
        return 'Do you have a KRA PIN?';
      },
    );
    expect(out).toBe('Do you have a KRA PIN?');
    const span = only();
    expect(span.name).toBe('generate default');
    expectInternal(span);
    expect(span.attributes).toEqual({
      'spantrack.interaction.kind': 'generation',
      'gen_ai.agent.name': 'default',
      'spantrack.channel': 'whatsapp',
      'gen_ai.request.model': 'llama3.2:3b',
      'spantrack.prompt.type': 'clarification',
      'gen_ai.output.type': 'text',
      'gen_ai.usage.input_tokens': 50,
      'gen_ai.usage.output_tokens': 12,
      'spantrack.output.length': 22,
    });
  });

  it('takes setOutput over the return value and records the output text with capture', async () => {
    const { tracker, only } = setup({ captureContent: true });
    await tracker.generate({}, async (h) => {
      h.setOutput('hello');
      h.setCost(0.0012);
      return { raw: true };
    });
    expect(only().attributes).toMatchObject({
      'spantrack.output.length': 5,
      'spantrack.output.text': 'hello',
      'spantrack.cost.usd': 0.0012,
    });
  });
});

describe('error (ai.error of the AI agent tracking plan)', () => {
  it.each(['timeout', 'json_parse_error', 'network', 'context_length', 'rate_limited'])(
    'writes an error span of type %s',
    (type) => {
      const { tracker, only } = setup({ channel: 'whatsapp' });
      tracker.error({
        type,
        recoveryAttempt: 1,
        recovered: false,
        fallbackAction: 'agent_handoff',
        userId: 'u1',
      });
      const span = only();
      expect(span.name).toBe(`error ${type}`);
      expectInternal(span);
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: type });
      expect(span.startTime).toEqual(span.endTime);
      expect(span.attributes).toEqual({
        'spantrack.interaction.kind': 'error',
        'gen_ai.agent.name': 'default',
        'spantrack.channel': 'whatsapp',
        'user.id': 'u1',
        'error.type': type,
        'spantrack.error.recovery_attempt': 1,
        'spantrack.error.recovered': false,
        'spantrack.error.fallback_action': 'agent_handoff',
      });
    },
  );

  it('derives the type and message from a caught error and records it', () => {
    const { tracker, only } = setup();
    const err = Object.assign(new Error('This model maximum context length is 8192 tokens'), {
      code: 'context_length_exceeded',
    });
    tracker.error({ error: err, recovered: true });
    expect(only().name).toBe('error context_length');
    expect(only().status).toEqual({ code: SpanStatusCode.ERROR, message: err.message });
    expect(only().events.map((e) => e.name)).toEqual(['exception']);
  });
});
