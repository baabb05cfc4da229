import { fileURLToPath } from 'node:url';
import { Ollama } from 'ollama';
import { describe, expect, it } from 'vitest';
import { countByName, named, props, runExampleThroughCollector } from '../../../test/helpers/example-e2e';
import { parseClassification, startFakeModelServer } from '../index.mjs';

const dir = fileURLToPath(new URL('..', import.meta.url));

describe('whatsapp-intent-bot, end to end: OTLP to a collector, events to the Segment test server', () => {
  it('sends the events of the AI agent tracking plan (classification, generation, errors with their fallback) and the conversations', async () => {
    const run = await runExampleThroughCollector(dir, { expectedMessages: 41 });
    const { messages } = run;
    expect(run.duplicates).toEqual([]);
    expect(countByName(messages)).toEqual({
      'Action Invoked': 2,
      'Conversation Ended': 6,
      'Conversation Started': 6,
      'Message Received': 7,
      'Message Sent': 7,
      'ai.classification': 5,
      'ai.error': 3,
      'ai.generation': 5,
    });
    for (const m of messages) {
      expect(m.userId).toMatch(/^\+2547\d{8}$/);
      expect(m.context).toMatchObject({ channel: 'whatsapp' });
    }

    // The AI agent tracking plan's ai.classification example, letter for letter (content is off, so no input_text).
    const first = named(messages, 'ai.classification').find((m) => m.userId === '+254712345678');
    expect(props(first!)).toEqual({
      detected_intent: 'nil_filing',
      confidence: 0.99,
      latency_ms: expect.any(Number),
      prompt_tokens: 120,
      completion_tokens: 15,
      model: 'llama3.2:3b',
    });
    expect(props(first!).latency_ms).toBeGreaterThanOrEqual(40);
    expect(
      named(messages, 'ai.classification')
        .map((m) => props(m).detected_intent)
        .sort(),
    ).toEqual(['nil_filing', 'nil_filing', 'pin_provided', 'pin_registration', 'tcc_application']);
    const clarification = named(messages, 'ai.generation').find((m) => m.userId === '+254712345678');
    expect(props(clarification!)).toMatchObject({ prompt_type: 'clarification', model: 'llama3.2:3b' });
    expect(props(clarification!).output_length).toBeGreaterThan(0);

    // The three failures, each reported once, with what the bot did about it.
    const errors = Object.fromEntries(named(messages, 'ai.error').map((m) => [m.userId, props(m)]));
    expect(errors).toEqual({
      '+254733445566': { error_type: 'json_parse_error', recovery_attempt: 1, recovered: true },
      '+254744556677': {
        error_type: 'json_parse_error',
        recovery_attempt: 1,
        recovered: false,
        fallback_action: 'agent_handoff',
      },
      '+254755667788': {
        error_type: 'timeout',
        recovery_attempt: 0,
        recovered: false,
        fallback_action: 'agent_handoff',
      },
    });
    // The recovered classification counts the tokens of both attempts.
    const recovered = named(messages, 'ai.classification').find((m) => m.userId === '+254733445566');
    expect(props(recovered!)).toMatchObject({ detected_intent: 'tcc_application', prompt_tokens: 262 });

    // Handoffs are the transfer tool (the conversation tracking plan), in the conversation of the customer handed off.
    expect(named(messages, 'Action Invoked').map((m) => [m.userId, props(m).type, props(m).action])).toEqual(
      expect.arrayContaining([
        ['+254744556677', 'handoff', 'transfer to human agent'],
        ['+254755667788', 'handoff', 'transfer to human agent'],
      ]),
    );
    const ended = named(messages, 'Conversation Ended').find((m) => m.userId === '+254712345678');
    expect(props(ended!)).toEqual({
      conversationId: expect.stringMatching(/^wa-254712345678-/),
      message_count: 4,
    });
    expect(run.stdout).toContain('7 messages in 6 conversations, 2 handoffs');
  });
});

describe('the fake model server, through the real Ollama client', () => {
  it('classifies deterministically, answers, and misbehaves when told to', async () => {
    const model = await startFakeModelServer({ classifyDelayMs: 0, generateDelayMs: 0 });
    try {
      const ollama = new Ollama({ host: model.url });
      const messages = [{ role: 'user', content: 'I want to file nil returns' }];
      const classified = await ollama.chat({ model: 'llama3.2:3b', format: 'json', messages });
      expect(parseClassification(classified.message.content)).toEqual({
        intent: 'nil_filing',
        confidence: 0.99,
      });
      expect(classified).toMatchObject({
        model: 'llama3.2:3b',
        prompt_eval_count: 120,
        eval_count: 15,
        done: true,
      });
      const answered = await ollama.chat({ model: 'llama3.2:3b', messages });
      expect(answered.message.content).toContain('nil return');

      // Faults through the control endpoint, as a bot in another process would set them.
      const r = await fetch(`${model.url}/__faults`, { method: 'POST', body: '{"kind":"invalid_json"}' });
      expect(r.status).toBe(200);
      const broken = await ollama.chat({ model: 'llama3.2:3b', format: 'json', messages });
      expect(() => parseClassification(broken.message.content)).toThrow(SyntaxError);

      model.failNext('error');
      await expect(ollama.chat({ model: 'llama3.2:3b', messages })).rejects.toThrow(/unexpectedly stopped/);

      model.failNext('timeout');
      const impatient = new Ollama({
        host: model.url,
        fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(100) }),
      });
      await expect(impatient.chat({ model: 'llama3.2:3b', messages })).rejects.toThrow();
      expect(model.requests.map((q) => q.fault ?? q.kind)).toEqual([
        'classify',
        'generate',
        'invalid_json',
        'error',
        'timeout',
      ]);
    } finally {
      await model.close();
    }
  });
});
