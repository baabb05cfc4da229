import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAI, MODEL, startFakeOpenAI, Trigger } from './fake-openai-server';
import { disableContext, enableContext, names, one, Pipeline } from './harness';

/*
 * OpenLLMetry's openai instrumentation (`@traceloop/instrumentation-openai`, real library, real
 * openai client) against a local OpenAI-compatible server.
 */

const CALL_COST_NO_CACHE = 3.6e-6; // 12 × 0.15 + 3 × 0.6 µUSD: OpenLLMetry reports no cached tokens

let server: FakeOpenAI;
let pipeline: Pipeline;
let client: OpenAI;
const instrumentation = new OpenAIInstrumentation();

beforeAll(async () => {
  enableContext();
  server = await startFakeOpenAI();
  instrumentation.manuallyInstrument(OpenAI);
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

const ask = (content: string) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });

describe('OpenLLMetry (@traceloop/instrumentation-openai)', () => {
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

  it('a streamed answer with usage is one ai.generation', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'stream it' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream) {
      // drain
    }
    const events = await pipeline.events();
    expect(names(events)).toEqual(['ai.generation']);
  });

  it("inside spantrack's conversation.turn(): one pair, the model call's usage on Message Received", async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-tl', userId: 'u-tl' });
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
      cost_usd: CALL_COST_NO_CACHE,
    });
    for (const e of events) expect(e.userId).toBe('u-tl');
  });

  it('a failed call in a turn: Message Sent and no Message Received', async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-tl-err', userId: 'u-tl' });
    await expect(conversation.turn('hi', () => ask(Trigger.SERVER_ERROR))).rejects.toThrow('500');
    const events = await pipeline.events();
    // @traceloop/instrumentation-openai 0.27 never ends the span of a chat call whose promise
    // rejects (docs/sources.md): the model call reaches no exporter, so no ai.error.
    expect(names(events)).toEqual(['Conversation Started', 'Message Sent']);
  });
});
