import { OpenTelemetry } from '@ai-sdk/otel';
import {
  APICallError,
  generateText,
  jsonSchema,
  registerTelemetry,
  simulateReadableStream,
  stepCountIs,
  streamText,
  tool,
} from 'ai-v7';
import { MockLanguageModelV4 } from 'ai-v7/test';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { disableContext, enableContext, names, one, Pipeline } from './harness';
import { type CaseReport, describeSdkMatrix, SdkCase } from './scenarios-sdk';

/*
 * The Vercel AI SDK's GenAI semconv integration (`ai` 7 with `@ai-sdk/otel`: invoke_agent,
 * agent_step, chat and execute_tool spans), driving the SDK's own mock model (`ai/test`).
 */

const MODEL = 'mock-model-id';
const PRICES = { [MODEL]: { input: 1, output: 2, cachedInput: 0.5 } };

type Step = Awaited<ReturnType<MockLanguageModelV4['doGenerate']>>;
const usage = (input: number, cached: number, output: number) => ({
  inputTokens: { total: input, noCache: input - cached, cacheRead: cached, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});
const callTool = {
  content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'lookup_order', input: '{"id":"42"}' }],
  finishReason: { unified: 'tool-calls', raw: undefined },
  usage: usage(10, 4, 2),
  warnings: [],
} as unknown as Step;
const answer = {
  content: [{ type: 'text', text: 'Your order has shipped.' }],
  finishReason: { unified: 'stop', raw: undefined },
  usage: usage(20, 0, 5),
  warnings: [],
} as unknown as Step;
const apiError = (statusCode: number, message: string) =>
  new APICallError({
    message,
    url: 'http://127.0.0.1/v1/chat/completions',
    requestBodyValues: {},
    statusCode,
    isRetryable: true,
  });

/** A model that answers with `steps` in order (a function step throws). */
function model(steps: (Step | (() => never))[]) {
  let i = 0;
  return new MockLanguageModelV4({
    doGenerate: async () => {
      const step = steps[Math.min(i++, steps.length - 1)]!;
      return typeof step === 'function' ? step() : step;
    },
  });
}
const throwing = (statusCode: number, message: string) => (): never => {
  throw apiError(statusCode, message);
};

/** A model that streams the answer in two parts, then its usage. */
const streamingModel = () =>
  new MockLanguageModelV4({
    doStream: async () => ({
      stream: simulateReadableStream({
        chunks: [
          { type: 'stream-start', warnings: [] },
          { type: 'text-start', id: 't1' },
          { type: 'text-delta', id: 't1', delta: 'Your order ' },
          { type: 'text-delta', id: 't1', delta: 'has shipped.' },
          { type: 'text-end', id: 't1' },
          { type: 'finish', finishReason: { unified: 'stop', raw: undefined }, usage: usage(20, 0, 5) },
        ] as never[],
      }),
    }),
  });

/** A model that never answers: it only gives up when the call is aborted (the SDK's `timeout`). */
const slowModel = () =>
  new MockLanguageModelV4({
    doGenerate: ({ abortSignal }) =>
      new Promise<never>((_resolve, reject) => {
        abortSignal?.addEventListener('abort', () => reject(abortSignal.reason), { once: true });
      }),
  });

const lookupOrder = tool({
  inputSchema: jsonSchema<{ id: string }>({ type: 'object', properties: { id: { type: 'string' } } }),
  execute: async () => ({ status: 'shipped' }),
});

// Tool step: 6 uncached × 1 + 4 cached × 0.5 + 2 × 2 = 12; answer step: 20 × 1 + 5 × 2 = 30 (µUSD).
const toolStep = {
  event: 'ai.generation',
  properties: {
    model: MODEL,
    latency_ms: expect.any(Number),
    prompt_tokens: 10,
    completion_tokens: 2,
    cached_input_tokens: 4,
    cost_usd: 12e-6,
  },
};
const answerStep = {
  event: 'ai.generation',
  properties: {
    model: MODEL,
    latency_ms: expect.any(Number),
    prompt_tokens: 20,
    completion_tokens: 5,
    cached_input_tokens: 0,
    cost_usd: 30e-6,
  },
};
const error = (error_type: string, error_class: string) => ({
  event: 'ai.error',
  properties: { error_type, error_class },
});

const REPORTS: Record<SdkCase, CaseReport> = {
  [SdkCase.CHAT]: { calls: [answerStep] },
  [SdkCase.STREAM]: { calls: [answerStep] },
  [SdkCase.TOOL_LOOP]: { calls: [toolStep, answerStep], actions: ['lookup_order'] },
  [SdkCase.SERVER_ERROR]: { calls: [error('server_error', 'AI_APICallError')], fails: true },
  [SdkCase.RATE_LIMIT]: { calls: [error('rate_limit', 'AI_APICallError')], fails: true },
  [SdkCase.TIMEOUT]: { calls: [error('timeout', 'TimeoutError')], fails: true },
};

/** The integration as a user registers it: ids travel in the call's runtime context. */
const register = (pipeline: Pipeline) =>
  registerTelemetry(new OpenTelemetry({ tracer: pipeline.provider.getTracer('ai'), runtimeContext: true }));

describeSdkMatrix({
  name: 'Vercel AI SDK GenAI integration (@ai-sdk/otel)',
  slug: 'ai7',
  prices: PRICES,
  bind: register,
  reportsIdentity: true,
  report: (c) => REPORTS[c],
  async run(c, _pipeline, identity) {
    const common = {
      prompt: 'where is my order?',
      maxRetries: 0,
      experimental_telemetry: {
        isEnabled: true,
        functionId: 'support-agent',
        includeRuntimeContext: { userId: true, sessionId: true },
      },
      runtimeContext:
        identity === undefined ? {} : { userId: identity.userId, sessionId: identity.conversationId },
    };
    switch (c) {
      case SdkCase.CHAT:
        return (await generateText({ ...common, model: model([answer]) })).text;
      case SdkCase.STREAM: {
        let text = '';
        for await (const part of streamText({ ...common, model: streamingModel() }).textStream) text += part;
        return text;
      }
      case SdkCase.TOOL_LOOP: {
        const loop = { tools: { lookup_order: lookupOrder }, stopWhen: stepCountIs(3) };
        return (await generateText({ ...common, ...loop, model: model([callTool, answer]) })).text;
      }
      case SdkCase.SERVER_ERROR:
        return (await generateText({ ...common, model: model([throwing(500, 'Internal Server Error')]) }))
          .text;
      case SdkCase.RATE_LIMIT:
        return (await generateText({ ...common, model: model([throwing(429, 'Rate limit reached')]) })).text;
      case SdkCase.TIMEOUT:
        return (await generateText({ ...common, model: slowModel(), timeout: 50 })).text;
    }
  },
});

describe('Vercel AI SDK GenAI integration: scopes and plain errors', () => {
  let pipeline: Pipeline;
  beforeEach(() => {
    pipeline = new Pipeline({ prices: PRICES });
    register(pipeline);
  });
  afterEach(() => pipeline.shutdown());

  const loop = (steps: (Step | (() => never))[]) =>
    generateText({
      model: model(steps),
      prompt: 'where is my order?',
      maxRetries: 0,
      tools: { lookup_order: lookupOrder },
      stopWhen: stepCountIs(3),
      experimental_telemetry: { isEnabled: true, functionId: 'support-agent' },
    });

  it('a plain Error whose message says it timed out is one ai.error timeout, its class kept', async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-ai7-err', userId: 'u-ai7' });
    const timedOut = (): never => {
      throw new Error('Request timed out');
    };
    await expect(conversation.turn('hi', () => loop([timedOut]))).rejects.toThrow('Request timed out');
    const events = await pipeline.events();
    expect(names(events)).toEqual(['Conversation Started', 'Message Sent', 'ai.error']);
    expect(one(events, 'ai.error').properties).toEqual({ error_type: 'timeout', error_class: 'Error' });
  });

  it('with no ids in its runtime context, outside any scope: only the model calls report, anonymously', async () => {
    await loop([callTool, answer]);
    const events = await pipeline.events();
    expect(names(events)).toEqual(['ai.generation', 'ai.generation']);
    for (const e of events) expect([e.userId, typeof e.anonymousId]).toEqual([undefined, 'string']);
  });

  it('in a withContext scope without a spantrack turn, the SDK call is the turn', async () => {
    await pipeline.tracker.withContext({ conversationId: 'conv-ai7-ctx', userId: 'u-ai7' }, () =>
      loop([callTool, answer]),
    );
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
      conversationId: 'conv-ai7-ctx',
      prompt_tokens: 30,
      completion_tokens: 7,
    });
    for (const e of events) expect(e.userId).toBe('u-ai7');
  });
});

beforeAll(() => enableContext());
afterAll(() => disableContext());
