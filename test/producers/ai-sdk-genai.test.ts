import { OpenTelemetry } from '@ai-sdk/otel';
import { generateText, jsonSchema, registerTelemetry, stepCountIs, tool } from 'ai-v7';
import { MockLanguageModelV4 } from 'ai-v7/test';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { disableContext, enableContext, names, one, Pipeline } from './harness';

/*
 * The Vercel AI SDK's GenAI semconv integration (`ai` 7 with `@ai-sdk/otel`: invoke_agent,
 * agent_step, chat and execute_tool spans), driving the SDK's own mock model (`ai/test`).
 */

type Step = Awaited<ReturnType<MockLanguageModelV4['doGenerate']>>;
const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});
const callTool = {
  content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'lookup_order', input: '{"id":"42"}' }],
  finishReason: { unified: 'tool-calls', raw: undefined },
  usage: usage(10, 2),
  warnings: [],
} as unknown as Step;
const answer = {
  content: [{ type: 'text', text: 'Your order has shipped.' }],
  finishReason: { unified: 'stop', raw: undefined },
  usage: usage(20, 5),
  warnings: [],
} as unknown as Step;

let pipeline: Pipeline;

beforeAll(() => enableContext());
afterAll(() => disableContext());
beforeEach(() => {
  pipeline = new Pipeline({ prices: { 'mock-model-id': { input: 1, output: 2 } } });
  registerTelemetry(new OpenTelemetry({ tracer: pipeline.provider.getTracer('ai') }));
});
afterEach(() => pipeline.shutdown());

function run(fail = false) {
  const steps = [callTool, answer];
  let i = 0;
  return generateText({
    model: new MockLanguageModelV4({
      doGenerate: async () => {
        if (fail) throw new Error('Request timed out');
        return steps[Math.min(i++, steps.length - 1)]!;
      },
    }),
    prompt: 'where is my order?',
    maxRetries: 0,
    tools: {
      lookup_order: tool({
        inputSchema: jsonSchema<{ id: string }>({ type: 'object', properties: { id: { type: 'string' } } }),
        execute: async () => ({ status: 'shipped' }),
      }),
    },
    stopWhen: stepCountIs(3),
    experimental_telemetry: { isEnabled: true, functionId: 'support-agent' },
  });
}

describe('Vercel AI SDK GenAI integration (@ai-sdk/otel)', () => {
  it("inside spantrack's conversation.turn(): one message pair (not two), its usage the two model calls once", async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-ai7', userId: 'u-ai7' });
    await conversation.turn('where is my order?', async (turn) => {
      turn.setOutput((await run()).text);
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
    // (10 + 20) × 1 + (2 + 5) × 2 µUSD; the SDK's own invoke_agent total (30 / 7) is not added again.
    expect(one(events, 'Message Received').properties).toMatchObject({
      conversationId: 'conv-ai7',
      prompt_tokens: 30,
      completion_tokens: 7,
      cost_usd: 44e-6,
    });
    for (const e of events) expect(e.userId).toBe('u-ai7');
  });

  it('a failed invoke_agent inside a turn sends no Message Received, and its model call is one ai.error timeout', async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-ai7-err', userId: 'u-ai7' });
    await expect(conversation.turn('hi', () => run(true))).rejects.toThrow('Request timed out');
    const events = await pipeline.events();
    expect(names(events)).toEqual(['Conversation Started', 'Message Sent', 'ai.error']);
    expect(one(events, 'ai.error').properties).toEqual({ error_type: 'timeout', error_class: 'Error' });
  });

  it('in a withContext scope without a spantrack turn, the SDK call is the turn', async () => {
    await pipeline.tracker.withContext({ conversationId: 'conv-ai7-ctx', userId: 'u-ai7' }, () => run());
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
      prompt_tokens: 30,
      completion_tokens: 7,
    });
  });

  it('outside any conversation: one ai.generation per model call, nothing else', async () => {
    await run();
    const events = await pipeline.events();
    expect(names(events)).toEqual(['ai.generation', 'ai.generation']);
  });
});
