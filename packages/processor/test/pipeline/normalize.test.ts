import { describe, expect, it } from 'vitest';
import { createTranslator, type Diagnostic, normalize, type TrackMessage } from '../../src/index';
import { exceptionEvent, iso, span, T0 } from './span-fixture';

const aiAgent = createTranslator({ catalogs: ['ai-agent'] });

describe('normalize: GenAI semantic-convention spans', () => {
  it('reads the current spellings (gen_ai.provider.name, input_tokens, cache_creation)', () => {
    const it_ = normalize(
      span({
        name: 'chat gpt-4o',
        durationMs: 1234,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.usage.input_tokens': 100,
          'gen_ai.usage.output_tokens': 20,
          'gen_ai.usage.cache_read.input_tokens': 50,
          'gen_ai.usage.cache_creation.input_tokens': 7,
          'gen_ai.conversation.id': 'conv',
        },
      }),
    );
    expect(it_).toMatchObject({
      kind: 'generation',
      source: 'gen_ai',
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      inputTokens: 100,
      outputTokens: 20,
      cacheReadTokens: 50,
      cacheCreationTokens: 7,
      conversationId: 'conv',
      durationMs: 1234,
      timestamp: iso(1234),
      failed: false,
    });
  });

  it('reads the older spellings (gen_ai.system, prompt_tokens, completion_tokens, cache_write)', () => {
    const it_ = normalize(
      span({
        name: 'chat llama',
        attributes: {
          'gen_ai.operation.name': 'text_completion',
          'gen_ai.system': 'ollama',
          'gen_ai.request.model': 'llama3.2:3b',
          'gen_ai.usage.prompt_tokens': 120,
          'gen_ai.usage.completion_tokens': 15,
          'gen_ai.usage.cache_write.input_tokens': 3,
        },
      }),
    );
    expect(it_).toMatchObject({
      kind: 'generation',
      provider: 'ollama',
      model: 'llama3.2:3b',
      inputTokens: 120,
      outputTokens: 15,
      cacheCreationTokens: 3,
    });
  });

  it('treats a span with model and provider but no operation name as an LLM call', () => {
    expect(normalize(span({ attributes: { 'gen_ai.request.model': 'm', 'gen_ai.system': 'p' } }))?.kind).toBe(
      'generation',
    );
    expect(normalize(span({ attributes: { 'gen_ai.request.model': 'm' } }))).toBeUndefined();
  });

  it('maps execute_tool to tool and invoke_agent to turn', () => {
    expect(
      normalize(
        span({ attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' } }),
      ),
    ).toMatchObject({ kind: 'tool', toolName: 'search' });
    expect(normalize(span({ attributes: { 'gen_ai.operation.name': 'invoke_agent' } }))?.kind).toBe('turn');
    expect(
      normalize(span({ attributes: { 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': 'e' } })),
    ).toBeUndefined();
  });

  it('makes ai.generation of a GenAI chat span', () => {
    const m = aiAgent(
      span({
        durationMs: 800,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'llama3.2:3b',
          'gen_ai.provider.name': 'ollama',
          'user.id': 'u',
        },
      }),
    ).messages[0] as TrackMessage;
    expect(m.event).toBe('ai.generation');
    expect(m.properties).toEqual({ latency_ms: 800, model: 'llama3.2:3b' });
  });

  it('reads GenAI message content only when capture is on', () => {
    const s = span({
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.input.messages': JSON.stringify([
          { role: 'system', parts: [{ type: 'text', content: 'be nice' }] },
          { role: 'user', parts: [{ type: 'text', content: 'hi' }] },
        ]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: 'hello' }] },
        ]),
      },
    });
    expect(normalize(s)).toMatchObject({ inputText: undefined, outputText: undefined });
    expect(normalize(s, { captureContent: true })).toMatchObject({ inputText: 'hi', outputText: 'hello' });
  });
});

describe('normalize: errors', () => {
  it('reads an error from span status alone', () => {
    const it_ = normalize(
      span({
        attributes: { 'spantrack.interaction.kind': 'generation' },
        status: { code: 2, message: 'boom' },
      }),
    );
    expect(it_).toMatchObject({ failed: true, error: { type: '_OTHER', message: 'boom' } });
  });

  it('reads an error from an exception event alone', () => {
    const it_ = normalize(
      span({
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm' },
        events: [exceptionEvent('TimeoutError', 'took too long')],
      }),
    );
    expect(it_).toMatchObject({
      failed: true,
      error: { type: 'timeout', class: 'TimeoutError', message: 'took too long' },
    });
  });

  it('prefers error.type over the exception type', () => {
    const it_ = normalize(
      span({
        attributes: { 'spantrack.interaction.kind': 'generation', 'error.type': 'timeout' },
        status: { code: 2, message: 'deadline' },
        events: [exceptionEvent('AbortError', 'aborted')],
      }),
    );
    expect(it_?.error).toMatchObject({ type: 'timeout', message: 'deadline' });
  });

  it('turns a failed GenAI chat span into ai.error', () => {
    const { messages } = aiAgent(
      span({
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'm',
          'error.type': 'network',
          'user.id': 'u',
        },
        status: { code: 2 },
      }),
    );
    expect(messages).toMatchObject([{ event: 'ai.error', properties: { error_type: 'network' } }]);
  });
});

describe('normalize: what is not ours, and what is malformed', () => {
  it('yields nothing for a span no source recognises, counted as unrecognised', () => {
    const s = span({ name: 'GET /health', kind: 1, attributes: { 'http.request.method': 'GET' } });
    expect(normalize(s)).toBeUndefined();
    const r = createTranslator()(s);
    expect(r.recognised).toBe(false);
    expect(r.messages).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['unrecognised']);
  });

  it('drops malformed values with a diagnostic and keeps the rest', () => {
    const diagnostics: Diagnostic[] = [];
    const it_ = normalize(
      span({
        attributes: {
          'spantrack.interaction.kind': 'classification',
          'spantrack.intent.name': 'nil_filing',
          'spantrack.intent.confidence': 7,
          'gen_ai.usage.input_tokens': -3,
          'gen_ai.usage.output_tokens': 1.5,
          'user.id': 'x'.repeat(100_000),
          'spantrack.conversation.event': 'paused',
          'gen_ai.request.model': 'llama3.2:3b',
        },
      }),
      {},
      diagnostics,
    );
    expect(it_).toMatchObject({
      kind: 'classification',
      intent: 'nil_filing',
      confidence: undefined,
      inputTokens: undefined,
      outputTokens: undefined,
      userId: undefined,
      conversationEvent: undefined,
      model: 'llama3.2:3b',
    });
    expect(diagnostics.map((d) => [d.code, d.attribute])).toEqual([
      ['invalid_attribute', 'spantrack.intent.confidence'],
      ['invalid_attribute', 'gen_ai.usage.input_tokens'],
      ['invalid_attribute', 'gen_ai.usage.output_tokens'],
      ['invalid_attribute', 'user.id'],
      ['invalid_attribute', 'spantrack.conversation.event'],
    ]);
    // The message says what was wrong without repeating a huge value.
    expect(diagnostics[3]!.message.length).toBeLessThan(200);
  });

  it('reports an unknown interaction kind, and still tries the GenAI source', () => {
    const diagnostics: Diagnostic[] = [];
    expect(
      normalize(span({ attributes: { 'spantrack.interaction.kind': 'dance' } }), {}, diagnostics),
    ).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toEqual(['unknown_kind']);
    expect(diagnostics[0]!.message).toContain('"dance"');
    expect(
      normalize(span({ attributes: { 'spantrack.interaction.kind': 3, 'gen_ai.operation.name': 'chat' } }))
        ?.kind,
    ).toBe('generation');
  });

  it('an unknown interaction kind is quoted only when short: a long one is described by its length', () => {
    const diagnostics: Diagnostic[] = [];
    const long = 'k'.repeat(1_200_000);
    normalize(span({ attributes: { 'spantrack.interaction.kind': long } }), {}, diagnostics);
    normalize(span({ attributes: { 'spantrack.interaction.kind': ['a', 'b'] } }), {}, diagnostics);
    expect(diagnostics.map((d) => d.code)).toEqual(['unknown_kind', 'unknown_kind']);
    expect(diagnostics[0]!.message).toContain('a string of 1200000 characters');
    expect(diagnostics[0]!.message.length).toBeLessThan(200);
    expect(diagnostics[1]!.message).toContain('an array of 2 items');
  });

  it('a span without usable times yields nothing, with a diagnostic', () => {
    const diagnostics: Diagnostic[] = [];
    expect(
      normalize(
        span({
          startTimeUnixNano: 0n,
          endTimeUnixNano: 0n,
          attributes: { 'spantrack.interaction.kind': 'error' },
        }),
        {},
        diagnostics,
      ),
    ).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toEqual(['invalid_span']);
  });

  it('a spantrack span without usable times stops at its own source: invalid_span once, not handed to the GenAI source', () => {
    const diagnostics: Diagnostic[] = [];
    const s = span({
      startTimeUnixNano: 0n,
      endTimeUnixNano: 0n,
      attributes: { 'spantrack.interaction.kind': 'turn', 'gen_ai.operation.name': 'invoke_agent' },
    });
    expect(normalize(s, {}, diagnostics)).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toEqual(['invalid_span']);
    const r = createTranslator()(s);
    expect(r).toMatchObject({ messages: [], recognised: true });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['invalid_span']);
  });

  it('an unusable end time (0, or after year 9999): the start time stands in, and there is no latency', () => {
    for (const end of [0n, BigInt(Date.UTC(10_000, 0, 1)) * 1_000_000n]) {
      const r = aiAgent(
        span({
          endTimeUnixNano: end,
          attributes: { 'spantrack.interaction.kind': 'generation', 'user.id': 'u' },
        }),
      );
      const m = r.messages[0] as TrackMessage;
      expect(m.timestamp).toBe(iso(0));
      expect(m.properties).not.toHaveProperty('latency_ms');
      expect(r.diagnostics.map((d) => [d.code, d.attribute])).toEqual([['invalid_span', 'endTimeUnixNano']]);
    }
    // A usable end with an unusable start: the end is the timestamp, still no latency.
    const r = aiAgent(
      span({
        startTimeUnixNano: -1n,
        endTimeUnixNano: T0,
        attributes: { 'spantrack.interaction.kind': 'generation', 'user.id': 'u' },
      }),
    );
    expect((r.messages[0] as TrackMessage).properties).not.toHaveProperty('latency_ms');
    expect(r.diagnostics.map((d) => [d.code, d.attribute])).toEqual([['invalid_span', 'startTimeUnixNano']]);
  });

  it('times are usable from just after the Unix epoch to 9999-12-31T23:59:59.999Z, exactly to the millisecond', () => {
    const at = (ms: number, extraNs = 0n) => {
      const t = BigInt(ms) * 1_000_000n + extraNs;
      return aiAgent(
        span({
          startTimeUnixNano: t,
          endTimeUnixNano: t,
          attributes: { 'spantrack.interaction.kind': 'generation', 'user.id': 'u' },
        }),
      ).messages[0]?.timestamp;
    };
    const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    expect(at(last)).toBe('9999-12-31T23:59:59.999Z');
    expect(at(last, 999_999n)).toBe('9999-12-31T23:59:59.999Z');
    expect(at(last + 1)).toBeUndefined();
    expect(at(Date.UTC(5000, 0, 1), 999_999n)).toBe('5000-01-01T00:00:00.000Z');
    expect(at(Date.UTC(5000, 0, 1), 1_000_000n)).toBe('5000-01-01T00:00:00.001Z');
    expect(at(1)).toBe('1970-01-01T00:00:00.001Z');
    expect(at(0)).toBeUndefined();
  });

  it('user property and trait names: __proto__ and the bare prefix are dropped; constructor and toString are ordinary', () => {
    const diagnostics: Diagnostic[] = [];
    const it_ = normalize(
      span({
        attributes: {
          'spantrack.interaction.kind': 'identify',
          'spantrack.property.__proto__': ['a', 'b'],
          'spantrack.user.trait.__proto__': 'x',
          'spantrack.property.': 'empty',
          'spantrack.property.constructor': 'c',
          'spantrack.user.trait.toString': 't',
        },
      }),
      {},
      diagnostics,
    );
    expect(Object.getPrototypeOf(it_!.properties)).toBe(Object.prototype);
    expect(Object.keys(it_!.properties!)).toEqual(['constructor']);
    expect(it_!.properties!.constructor).toBe('c');
    expect(Object.keys(it_!.traits!)).toEqual(['toString']);
    expect(diagnostics.map((d) => [d.code, d.attribute])).toEqual([
      ['invalid_attribute', 'spantrack.property.__proto__'],
      ['invalid_attribute', 'spantrack.user.trait.__proto__'],
      ['invalid_attribute', 'spantrack.property.'],
    ]);
  });

  it('reads user properties and traits the same after more distinct keys than are remembered', () => {
    // Thousands of unrelated keys (a hostile or careless producer), then user fields never seen before.
    const many: Record<string, string> = {};
    for (let i = 0; i < 6000; i++) many[`vendor.field_${i}`] = 'x';
    for (let round = 0; round < 2; round++) {
      const it_ = normalize(
        span({
          attributes: {
            ...many,
            'spantrack.interaction.kind': 'identify',
            [`spantrack.property.plan_${round}`]: 'pro',
            [`spantrack.user.trait.tier_${round}`]: 'gold',
            'spantrack.org.id': 'org-9',
          },
        }),
        {},
        [],
      );
      expect(it_!.properties).toEqual({ [`plan_${round}`]: 'pro' });
      expect(it_!.traits).toEqual({ [`tier_${round}`]: 'gold' });
      expect(it_!.orgId).toBe('org-9');
    }
  });

  it('with capture off, user properties and traits named like content are dropped; with it on they are kept', () => {
    const attributes = {
      'spantrack.interaction.kind': 'generation',
      'spantrack.property.input_text': 'secret',
      'spantrack.property.message_body': 'secret',
      'spantrack.property.prompt': 'secret',
      'spantrack.property.completion': 'secret',
      'spantrack.user.trait.output_text': 'secret',
      'spantrack.property.plan': 'pro',
    };
    const diagnostics: Diagnostic[] = [];
    const off = normalize(span({ attributes }), {}, diagnostics);
    expect(off!.properties).toEqual({ plan: 'pro' });
    expect(off!.traits).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toEqual(Array(5).fill('invalid_attribute'));
    expect(diagnostics[0]!.message).toContain('content capture is off');
    const on = normalize(span({ attributes }), { captureContent: true });
    expect(Object.keys(on!.properties!)).toHaveLength(5);
    expect(on!.traits).toEqual({ output_text: 'secret' });
  });

  it('diagnostics describe a rejected string by its length, never by its text', () => {
    const diagnostics: Diagnostic[] = [];
    normalize(
      span({
        attributes: {
          'spantrack.interaction.kind': 'classification',
          'spantrack.intent.confidence': 'PII',
          'gen_ai.usage.input_tokens': '',
          'spantrack.success': 'no',
          'gen_ai.usage.output_tokens': -2,
        },
      }),
      {},
      diagnostics,
    );
    const text = diagnostics.map((d) => d.message);
    expect(text.join('\n')).not.toMatch(/PII|"no"/);
    expect(text).toEqual([
      'spantrack.intent.confidence is a string of 3 characters, expected a number in 0..1: dropped',
      'gen_ai.usage.input_tokens is an empty string, expected a non-negative integer: dropped',
      'spantrack.success is a string of 2 characters, expected a boolean: dropped',
      'gen_ai.usage.output_tokens is number -2, expected a non-negative integer: dropped',
    ]);
  });

  it('treats a non-string intent as malformed (classification then not sent)', () => {
    const r = aiAgent(
      span({
        attributes: {
          'spantrack.interaction.kind': 'classification',
          'spantrack.intent.name': 42,
          'user.id': 'u',
        },
      }),
    );
    expect(r.messages).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['invalid_attribute', 'missing_required']);
  });
});
