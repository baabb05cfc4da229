import { trace } from '@opentelemetry/api';
import { APICallError, generateObject, generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { disableContext, enableContext, names, one, Pipeline } from './harness';

/*
 * The Vercel AI SDK's own telemetry (`experimental_telemetry`: legacy `ai.*` spans), from the real
 * `ai` package driving its own mock model (`ai/test`): a tool loop, retries, failures.
 */

const MODEL = 'mock-model-id';
const PRICES = { [MODEL]: { input: 1, output: 2, cachedInput: 0.5 } };

type Step = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>;
const usage = (input: number, cached: number, output: number) => ({
  inputTokens: { total: input, noCache: input - cached, cacheRead: cached, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});
const callTool: Step = {
  content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'lookup_order', input: '{"id":"42"}' }],
  finishReason: { unified: 'tool-calls', raw: undefined },
  usage: usage(10, 4, 2),
  warnings: [],
} as unknown as Step;
const answer: Step = {
  content: [{ type: 'text', text: 'Your order has shipped.' }],
  finishReason: { unified: 'stop', raw: undefined },
  usage: usage(20, 0, 5),
  warnings: [],
} as unknown as Step;
const serverError = () =>
  new APICallError({
    message: 'Internal Server Error',
    url: 'http://127.0.0.1/v1/chat/completions',
    requestBodyValues: {},
    statusCode: 500,
    isRetryable: true,
  });

/** A model that answers with `steps` in order (a function step throws). */
function model(steps: (Step | (() => never))[]) {
  let i = 0;
  return new MockLanguageModelV3({
    doGenerate: async () => {
      const step = steps[Math.min(i++, steps.length - 1)]!;
      return typeof step === 'function' ? step() : step;
    },
  });
}
const fail = (): never => {
  throw serverError();
};

let pipeline: Pipeline;

beforeAll(() => enableContext());
afterAll(() => disableContext());
beforeEach(() => {
  pipeline = new Pipeline({ prices: PRICES });
});
afterEach(() => pipeline.shutdown());

function run(steps: (Step | (() => never))[], metadata: Record<string, string> = {}, maxRetries = 1) {
  return generateText({
    model: model(steps),
    prompt: 'where is my order?',
    tools: {
      lookup_order: tool({
        inputSchema: z.object({ id: z.string() }),
        execute: async () => ({ status: 'shipped' }),
      }),
    },
    stopWhen: stepCountIs(3),
    maxRetries,
    experimental_telemetry: {
      isEnabled: true,
      functionId: 'support-agent',
      metadata,
      tracer: pipeline.provider.getTracer('ai'),
    },
  });
}

// Tool step: 6 uncached × 1 + 4 cached × 0.5 + 2 × 2 = 12; answer step: 20 × 1 + 5 × 2 = 30 (µUSD).
const STEP_COSTS = [12e-6, 30e-6];

describe('Vercel AI SDK legacy ai.* spans', () => {
  it('a tool loop outside spantrack: one pair per call, one ai.generation per model call, one Action Invoked, usage summed once', async () => {
    await run([callTool, answer], { userId: 'u-ai', sessionId: 'sess-ai' });
    const events = await pipeline.events();
    expect(names(events)).toEqual([
      'Action Invoked',
      'Conversation Started',
      'Message Received',
      'Message Sent',
      'ai.generation',
      'ai.generation',
    ]);
    const generations = events.filter((e) => e.event === 'ai.generation').map((e) => e.properties);
    expect(generations).toEqual([
      {
        model: MODEL,
        latency_ms: expect.any(Number),
        prompt_tokens: 10,
        completion_tokens: 2,
        cached_input_tokens: 4,
        cost_usd: STEP_COSTS[0],
      },
      {
        model: MODEL,
        latency_ms: expect.any(Number),
        prompt_tokens: 20,
        completion_tokens: 5,
        cached_input_tokens: 0,
        cost_usd: STEP_COSTS[1],
      },
    ]);
    expect(one(events, 'Message Received').properties).toEqual({
      conversationId: 'sess-ai',
      messageId: expect.any(String),
      role: 'agent',
      prompt_tokens: 30,
      completion_tokens: 7,
      cached_input_tokens: 4,
      cost_usd: 42e-6,
    });
    expect(one(events, 'Action Invoked').properties).toMatchObject({ action: 'lookup_order', type: 'tool' });
    for (const e of events) expect(e.userId).toBe('u-ai');
  });

  it("inside spantrack's conversation.turn(): the SDK's call adds no second message pair", async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-ai', userId: 'u-ai' });
    await conversation.turn('where is my order?', async (turn) => {
      const result = await run([callTool, answer]);
      turn.setOutput(result.text);
    });
    const events = await pipeline.events();
    expect(names(events)).toEqual([
      'Action Invoked',
      'Conversation Started',
      'Message Received',
      'Message Sent',
      'ai.generation',
      'ai.generation',
    ]);
    expect(one(events, 'Message Received').properties).toMatchObject({
      conversationId: 'conv-ai',
      prompt_tokens: 30,
      completion_tokens: 7,
    });
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('a call retried after a 500 is one ai.generation, not one event per attempt', async () => {
    await run([fail, answer]);
    const events = await pipeline.events();
    expect(names(events)).toEqual(['ai.generation']);
  });

  it('a call that keeps failing is one ai.error of the documented type, the class and attempts kept', async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-ai-3', userId: 'u-ai' });
    await expect(conversation.turn('hi', () => run([fail]))).rejects.toThrow();
    const events = await pipeline.events();
    expect(names(events)).toEqual(['Conversation Started', 'Message Sent', 'ai.error']);
    expect(one(events, 'ai.error').properties).toEqual({
      error_type: 'server_error',
      error_class: 'AI_APICallError',
      recovery_attempt: 1,
      recovered: false,
    });
  });

  it('output that is not valid JSON fails the turn: Message Sent, the model call, and one ai.error json_parse_error', async () => {
    const notJson = {
      ...answer,
      content: [{ type: 'text', text: 'Sure! Here it is: {id: 42' }],
    } as unknown as Step;
    await expect(
      generateObject({
        model: model([notJson]),
        schema: z.object({ id: z.string() }),
        prompt: 'which order?',
        maxRetries: 0,
        experimental_telemetry: {
          isEnabled: true,
          metadata: { sessionId: 'sess-json' },
          tracer: pipeline.provider.getTracer('ai'),
        },
      }),
    ).rejects.toThrow();
    const events = await pipeline.events();
    expect(names(events)).toEqual(['Conversation Started', 'Message Sent', 'ai.error', 'ai.generation']);
    expect(one(events, 'ai.error').properties).toEqual({
      error_type: 'json_parse_error',
      error_class: 'AI_NoObjectGeneratedError',
    });
  });
});
