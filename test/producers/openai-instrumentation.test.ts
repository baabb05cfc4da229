import { createRequire } from 'node:module';
import { metrics } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import type OpenAIType from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAI, MODEL, startFakeOpenAI, Trigger } from './fake-openai-server';
import { disableContext, enableContext, names, one, Pipeline } from './harness';

/*
 * The official `@opentelemetry/instrumentation-openai` (real library, real openai client) against a
 * local OpenAI-compatible server. It patches `require('openai')`, so the client is loaded after it.
 */

const CALL_COST_NO_CACHE = 3.6e-6; // 12 × 0.15 + 3 × 0.6 µUSD: it reports no cached tokens

let server: FakeOpenAI;
let pipeline: Pipeline;
let OpenAI: typeof OpenAIType;
let client: OpenAIType;
const instrumentation = new OpenAIInstrumentation();

beforeAll(async () => {
  enableContext();
  server = await startFakeOpenAI();
  instrumentation.setMeterProvider(metrics.getMeterProvider());
  OpenAI = createRequire(import.meta.url)('openai').OpenAI;
});
afterAll(async () => {
  instrumentation.disable();
  disableContext();
  await server.close();
});
beforeEach(() => {
  pipeline = new Pipeline();
  instrumentation.setTracerProvider(pipeline.provider);
  client = new OpenAI({ baseURL: server.url, apiKey: 'test-key', maxRetries: 0, timeout: 300 });
});
afterEach(() => pipeline.shutdown());

const ask = (content: string, on = client) =>
  on.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });

describe('@opentelemetry/instrumentation-openai', () => {
  it('outside a conversation: one ai.generation with tokens and cost', async () => {
    await ask('where is my order?');
    const events = await pipeline.events();
    expect(names(events)).toEqual(['ai.generation']);
    expect(events[0]!.properties).toEqual({
      model: MODEL,
      latency_ms: expect.any(Number),
      prompt_tokens: 12,
      completion_tokens: 3,
      cost_usd: CALL_COST_NO_CACHE,
    });
  });

  it("inside spantrack's conversation.turn(): one pair carrying the call's usage", async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-otel', userId: 'u-otel' });
    await conversation.turn('where is my order?', async (turn) => {
      const answer = await ask('where is my order?');
      turn.setOutput(answer.choices[0]!.message.content ?? '');
    });
    const events = await pipeline.events();
    expect(names(events)).toEqual([
      'Conversation Started',
      'Message Received',
      'Message Sent',
      'ai.generation',
    ]);
    expect(one(events, 'Message Received').properties).toMatchObject({
      prompt_tokens: 12,
      completion_tokens: 3,
    });
  });

  it.each([
    [Trigger.SERVER_ERROR, 'server_error', 'InternalServerError'],
    [Trigger.RATE_LIMIT, 'rate_limit', 'RateLimitError'],
    [Trigger.CONTEXT_LENGTH, 'context_length', 'BadRequestError'],
    [Trigger.SLOW, 'timeout', 'APIConnectionTimeoutError'],
  ])(
    '"%s" fails the turn: Message Sent, and one ai.error %s (error_class %s)',
    async (trigger, type, cls) => {
      const conversation = pipeline.tracker.conversation({
        conversationId: 'conv-otel-err',
        userId: 'u-otel',
      });
      await expect(conversation.turn('hi', () => ask(trigger))).rejects.toThrow();
      const events = await pipeline.events();
      expect(names(events)).toEqual(['Conversation Started', 'Message Sent', 'ai.error']);
      expect(one(events, 'ai.error').properties).toEqual({ error_type: type, error_class: cls });
    },
  );

  it('a refused connection is one ai.error network', async () => {
    const closed = await startFakeOpenAI();
    const url = closed.url;
    await closed.close();
    await expect(ask('hi', new OpenAI({ baseURL: url, apiKey: 'k', maxRetries: 0 }))).rejects.toThrow();
    const events = await pipeline.events();
    expect(names(events)).toEqual(['ai.error']);
    expect(events[0]!.properties).toEqual({ error_type: 'network', error_class: 'APIConnectionError' });
  });
});
