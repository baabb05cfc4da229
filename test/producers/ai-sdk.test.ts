import {
  APICallError,
  generateObject,
  generateText,
  simulateReadableStream,
  stepCountIs,
  streamText,
  tool,
} from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { disableContext, enableContext, names, one, Pipeline } from './harness';
import { type CallIdentity, type CaseReport, describeSdkMatrix, SdkCase } from './scenarios-sdk';

/*
 * The Vercel AI SDK's own telemetry (`experimental_telemetry`: legacy `ai.*` spans), from the real
 * `ai` 6 package driving its own mock model (`ai/test`): the matrix of cases, then retries and
 * output that is not JSON.
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
  return new MockLanguageModelV3({
    doGenerate: async () => {
      const step = steps[Math.min(i++, steps.length - 1)]!;
      return typeof step === 'function' ? step() : step;
    },
  });
}
const fail = (): never => {
  throw apiError(500, 'Internal Server Error');
};
const rateLimited = (): never => {
  throw apiError(429, 'Rate limit reached');
};

/** A model that streams the answer in two parts, then its usage. */
const streamingModel = () =>
  new MockLanguageModelV3({
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
  new MockLanguageModelV3({
    doGenerate: ({ abortSignal }) =>
      new Promise<never>((_resolve, reject) => {
        abortSignal?.addEventListener('abort', () => reject(abortSignal.reason), { once: true });
      }),
  });

const lookupOrder = tool({
  inputSchema: z.object({ id: z.string() }),
  execute: async () => ({ status: 'shipped' }),
});

/** The SDK's telemetry settings; ids go in its metadata, the way its users name them. */
function telemetry(pipeline: Pipeline, identity: CallIdentity | undefined) {
  const metadata: Record<string, string> =
    identity === undefined ? {} : { userId: identity.userId, sessionId: identity.conversationId };
  return {
    isEnabled: true,
    functionId: 'support-agent',
    metadata,
    tracer: pipeline.provider.getTracer('ai'),
  };
}

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

describeSdkMatrix({
  name: 'Vercel AI SDK legacy ai.* spans',
  slug: 'ai6',
  prices: PRICES,
  bind: () => undefined,
  reportsIdentity: true,
  report: (c) => REPORTS[c],
  async run(c, pipeline, identity) {
    const common = {
      prompt: 'where is my order?',
      maxRetries: 0,
      experimental_telemetry: telemetry(pipeline, identity),
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
        const tools = { lookup_order: lookupOrder };
        const loop = { tools, stopWhen: stepCountIs(3) };
        return (await generateText({ ...common, ...loop, model: model([callTool, answer]) })).text;
      }
      case SdkCase.SERVER_ERROR:
        return (await generateText({ ...common, model: model([fail]) })).text;
      case SdkCase.RATE_LIMIT:
        return (await generateText({ ...common, model: model([rateLimited]) })).text;
      case SdkCase.TIMEOUT:
        return (await generateText({ ...common, model: slowModel(), timeout: 50 })).text;
    }
  },
});

describe('Vercel AI SDK legacy ai.* spans: retries and invalid output', () => {
  let pipeline: Pipeline;
  beforeEach(() => {
    pipeline = new Pipeline({ prices: PRICES });
  });
  afterEach(() => pipeline.shutdown());

  /** A tool loop over `steps`, retrying a failed step once (the SDK's backoff: about 2 s). */
  const retried = (steps: (Step | (() => never))[]) =>
    generateText({
      model: model(steps),
      prompt: 'where is my order?',
      tools: { lookup_order: lookupOrder },
      stopWhen: stepCountIs(3),
      maxRetries: 1,
      experimental_telemetry: telemetry(pipeline, undefined),
    });

  it('a call retried after a 500 is one ai.generation, not one event per attempt', async () => {
    await retried([fail, answer]);
    const events = await pipeline.events();
    expect(names(events)).toEqual(['ai.generation']);
  });

  it('a call that keeps failing is one ai.error of the documented type, the class and attempts kept', async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-ai-3', userId: 'u-ai' });
    await expect(conversation.turn('hi', () => retried([fail]))).rejects.toThrow();
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

beforeAll(() => enableContext());
afterAll(() => disableContext());
