import { OpenAIInstrumentation as OpenInferenceOpenAI } from '@arizeai/openinference-instrumentation-openai';
import { OpenAIInstrumentation as OpenLlmetryOpenAI } from '@traceloop/instrumentation-openai';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAI, MODEL, startFakeOpenAI } from './fake-openai-server';
import { disableContext, enableContext, names, one, Pipeline } from './harness';

/*
 * Two producers instrumenting the same client (OpenInference and OpenLLMetry both patch openai):
 * every call makes two nested spans, and must still count once.
 */

let server: FakeOpenAI;
let pipeline: Pipeline;
let client: OpenAI;
const openInference = new OpenInferenceOpenAI();
const openLlmetry = new OpenLlmetryOpenAI();

beforeAll(async () => {
  enableContext();
  server = await startFakeOpenAI();
  // OpenLLMetry first: its patch removes any earlier wrapper, OpenInference's wraps around it.
  openLlmetry.manuallyInstrument(OpenAI);
  openInference.manuallyInstrument(OpenAI);
});
afterAll(async () => {
  openInference.disable();
  openLlmetry.disable();
  disableContext();
  await server.close();
});
beforeEach(() => {
  pipeline = new Pipeline();
  openInference.setTracerProvider(pipeline.provider);
  openLlmetry.setTracerProvider(pipeline.provider);
  client = new OpenAI({ baseURL: server.url, apiKey: 'test-key', maxRetries: 0 });
});
afterEach(() => pipeline.shutdown());

const ask = (content: string) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });

describe('two producers on one model call', () => {
  it('give one ai.generation, its tokens counted once', async () => {
    await ask('where is my order?');
    const events = await pipeline.events();
    expect(pipeline.processor.stats().spansTranslated).toBe(2);
    expect(names(events)).toEqual(['ai.generation']);
    expect(events[0]!.properties).toMatchObject({ model: MODEL, prompt_tokens: 12, completion_tokens: 3 });
  });

  it("inside spantrack's turn: one pair whose Message Received counts each of the two calls once", async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-mix', userId: 'u-mix' });
    await conversation.turn('where is my order?', async (turn) => {
      await ask('first');
      const answer = await ask('second');
      turn.setOutput(answer.choices[0]!.message.content ?? '');
    });
    const events = await pipeline.events();
    expect(pipeline.processor.stats().spansTranslated).toBe(5);
    expect(names(events)).toEqual([
      'Conversation Started',
      'Message Received',
      'Message Sent',
      'ai.generation',
      'ai.generation',
    ]);
    expect(one(events, 'Message Received').properties).toMatchObject({
      prompt_tokens: 24,
      completion_tokens: 6,
    });
  });
});
