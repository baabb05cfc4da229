import { describe, expect, it } from 'vitest';
import { createTranslator, type TrackMessage, translate } from '../../src/index';
import { exceptionEvent, iso, span, walkthroughClassificationSpan } from './span-fixture';

const aiAgent = { catalogs: ['ai-agent'] as const };
const withCapture = createTranslator({ catalogs: ['ai-agent'], privacy: { captureContent: true } });
const withoutCapture = createTranslator({ catalogs: ['ai-agent'] });

describe('ai-agent catalog (the AI agent tracking plan)', () => {
  it('turns the tracking plan walkthrough into the documented ai.classification call (capture on)', () => {
    const { messages, diagnostics } = withCapture(walkthroughClassificationSpan());
    // A local model has no price: no cost_usd, and a counted diagnostic says so.
    expect(diagnostics.map((d) => d.code)).toEqual(['unpriced_model']);
    expect(messages).toHaveLength(1);
    const m = messages[0] as TrackMessage;
    // The seed's example, field by field.
    expect(m.type).toBe('track');
    expect(m.event).toBe('ai.classification');
    expect(m.userId).toBe('+254712345678');
    expect(m.anonymousId).toBeUndefined();
    expect(m.properties).toEqual({
      input_text: 'I want to file nil returns',
      detected_intent: 'nil_filing',
      confidence: 0.99,
      latency_ms: 450,
      prompt_tokens: 120,
      completion_tokens: 15,
      model: 'llama3.2:3b',
    });
    expect(m.context).toEqual({ channel: 'whatsapp' });
    expect(m.timestamp).toBe(iso(450));
  });

  it('leaves input_text out when capture is off (the default)', () => {
    const m = withoutCapture(walkthroughClassificationSpan()).messages[0] as TrackMessage;
    expect(m.properties).not.toHaveProperty('input_text');
    expect(m.properties).toEqual({
      detected_intent: 'nil_filing',
      confidence: 0.99,
      latency_ms: 450,
      prompt_tokens: 120,
      completion_tokens: 15,
      model: 'llama3.2:3b',
    });
    expect(translate(walkthroughClassificationSpan()).messages[0]).not.toHaveProperty(
      'properties.input_text',
    );
  });

  it('makes the seed ai.generation example of a generation span', () => {
    const { messages } = translate(
      span({
        name: 'generate default',
        durationMs: 800,
        attributes: {
          'spantrack.interaction.kind': 'generation',
          'gen_ai.agent.name': 'default',
          'user.id': '+254712345678',
          'spantrack.prompt.type': 'clarification',
          'spantrack.output.length': 45,
          'gen_ai.request.model': 'llama3.2:3b',
          'gen_ai.provider.name': 'ollama',
          'gen_ai.usage.input_tokens': 300,
          'gen_ai.usage.output_tokens': 12,
          'gen_ai.output.type': 'text',
        },
      }),
      aiAgent,
    );
    expect(messages).toHaveLength(1);
    const m = messages[0] as TrackMessage;
    expect(m).toMatchObject({ type: 'track', event: 'ai.generation', userId: '+254712345678' });
    expect(m.properties).toEqual({
      prompt_type: 'clarification',
      output_length: 45,
      latency_ms: 800,
      model: 'llama3.2:3b',
      prompt_tokens: 300,
      completion_tokens: 12,
    });
    expect(m.context).toBeUndefined();
  });

  it('makes the seed ai.error example of an error span', () => {
    const { messages } = translate(
      span({
        name: 'error json_parse_error',
        status: { code: 2, message: 'Unexpected token } in JSON' },
        attributes: {
          'spantrack.interaction.kind': 'error',
          'user.id': '+254712345678',
          'error.type': 'json_parse_error',
          'spantrack.error.recovery_attempt': 1,
          'spantrack.error.recovered': false,
          'spantrack.error.fallback_action': 'agent_handoff',
        },
      }),
      aiAgent,
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ type: 'track', event: 'ai.error', userId: '+254712345678' });
    expect((messages[0] as TrackMessage).properties).toEqual({
      error_type: 'json_parse_error',
      recovery_attempt: 1,
      recovered: false,
      fallback_action: 'agent_handoff',
    });
  });

  it('reports a failed classification as ai.error, typed from the exception event', () => {
    const s = walkthroughClassificationSpan();
    const failed = {
      ...s,
      status: { code: 2 as const, message: 'model timed out' },
      events: [exceptionEvent('timeout', 'model timed out')],
    };
    const { messages } = translate(failed, aiAgent);
    expect(messages.map((m) => (m as TrackMessage).event)).toEqual(['ai.error']);
    expect((messages[0] as TrackMessage).properties).toEqual({ error_type: 'timeout' });
    expect(messages[0]!.context).toEqual({ channel: 'whatsapp' });
  });

  it('makes ai.generation of an interaction-API track span, ai.error when success is false', () => {
    const attributes = {
      'spantrack.interaction.kind': 'track',
      'gen_ai.operation.name': 'invoke_agent',
      'user.id': 'u1',
      'spantrack.success': true,
      'spantrack.output.length': 12,
    };
    const ok = translate(span({ name: 'invoke_agent default', durationMs: 20, attributes }), aiAgent);
    expect((ok.messages[0] as TrackMessage).properties).toEqual({ output_length: 12, latency_ms: 20 });
    const ko = translate(
      span({
        name: 'invoke_agent default',
        durationMs: 20,
        status: { code: 2, message: 'could not reach the model' },
        attributes: { ...attributes, 'spantrack.success': false, 'error.type': '_OTHER' },
      }),
      aiAgent,
    );
    expect(ko.messages).toHaveLength(1);
    expect(ko.messages[0]).toMatchObject({ event: 'ai.error', properties: { error_type: '_OTHER' } });
  });

  it('makes nothing of a turn (its children report)', () => {
    const { messages, recognised } = translate(
      span({
        attributes: { 'spantrack.interaction.kind': 'turn', 'gen_ai.conversation.id': 'c1', 'user.id': 'u' },
      }),
      aiAgent,
    );
    expect(recognised).toBe(true);
    expect(messages).toEqual([]);
  });

  it('merges user properties without overriding documented ones', () => {
    const s = walkthroughClassificationSpan();
    const withProps = {
      ...s,
      attributes: {
        ...s.attributes,
        'spantrack.property.plan': 'pro',
        'spantrack.property.model': 'not-this',
        'spantrack.property.tags': ['a', 'b'],
      },
    };
    const m = withoutCapture(withProps).messages[0] as TrackMessage;
    expect(m.properties.model).toBe('llama3.2:3b');
    expect(m.properties.plan).toBe('pro');
    expect(m.properties.tags).toEqual(['a', 'b']);
  });
});

describe('LLM spans inside a classify / generate call (spantrack.reported_by)', () => {
  const chat = (extra: Record<string, string | number>) =>
    span({
      name: 'chat gpt-4o-mini',
      durationMs: 300,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.provider.name': 'openai',
        'gen_ai.usage.input_tokens': 120,
        'user.id': '+254712345678',
        ...extra,
      },
    });

  it('make no second event: the enclosing span already reports the model call', () => {
    const t = createTranslator();
    const marked = t(chat({ 'spantrack.reported_by': 'classification' }));
    expect(marked.recognised).toBe(true);
    expect(marked.messages).toEqual([]);
    expect(marked.diagnostics).toEqual([]);
    const failed = t({
      ...chat({ 'spantrack.reported_by': 'generation', 'error.type': 'timeout' }),
      status: { code: 2 },
    });
    expect(failed.messages).toEqual([]);
  });

  it('still make ai.generation when not marked', () => {
    const { messages } = createTranslator()(chat({}));
    expect(messages.map((m) => (m as TrackMessage).event)).toEqual(['ai.generation']);
  });

  it("never silence spantrack's own spans, even nested in another call", () => {
    const { messages } = createTranslator()(
      span({
        name: 'generate default',
        durationMs: 10,
        attributes: {
          'spantrack.interaction.kind': 'generation',
          'spantrack.reported_by': 'classification',
          'user.id': 'u',
        },
      }),
    );
    expect(messages.map((m) => (m as TrackMessage).event)).toEqual(['ai.generation']);
  });
});
