import { OpenTelemetry } from '@ai-sdk/otel';
import * as aiPackage from 'ai-v7';
import { generateText, jsonSchema, registerTelemetry, stepCountIs, tool } from 'ai-v7';
import { MockLanguageModelV4 } from 'ai-v7/test';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ANSWER, aiSdkCases, CALL_TOOL, PRICES, reportOfAiSdk } from './ai-sdk-producer';
import { disableContext, enableContext, names, one, Pipeline } from './harness';
import { describeSdkMatrix } from './scenarios-sdk';

/*
 * The Vercel AI SDK's GenAI semconv integration (`ai` 7 with `@ai-sdk/otel`: invoke_agent,
 * agent_step, chat and execute_tool spans), driving the SDK's own mock model (`ai/test`).
 */

const ai = aiSdkCases(aiPackage, MockLanguageModelV4);

const lookupOrder = tool({
  inputSchema: jsonSchema<{ id: string }>({ type: 'object', properties: { id: { type: 'string' } } }),
  execute: async () => ({ status: 'shipped' }),
});

/** The integration as a user registers it: ids travel in the call's runtime context. */
const register = (pipeline: Pipeline) =>
  registerTelemetry(new OpenTelemetry({ tracer: pipeline.provider.getTracer('ai'), runtimeContext: true }));

describeSdkMatrix({
  name: 'Vercel AI SDK GenAI integration (@ai-sdk/otel)',
  slug: 'ai7',
  prices: PRICES,
  bind: register,
  reportsIdentity: true,
  report: reportOfAiSdk,
  run(c, _pipeline, identity) {
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
    return ai.run(c, common, lookupOrder);
  },
});

describe('Vercel AI SDK GenAI integration: scopes and plain errors', () => {
  let pipeline: Pipeline;
  beforeEach(() => {
    pipeline = new Pipeline({ prices: PRICES });
    register(pipeline);
  });
  afterEach(() => pipeline.shutdown());

  const loop = (steps: unknown[]) =>
    generateText({
      model: ai.model(steps),
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
    await loop([CALL_TOOL, ANSWER]);
    const events = await pipeline.events();
    expect(names(events)).toEqual(['ai.generation', 'ai.generation']);
    for (const e of events) expect([e.userId, typeof e.anonymousId]).toEqual([undefined, 'string']);
  });

  it('in a withContext scope without a spantrack turn, the SDK call is the turn', async () => {
    await pipeline.tracker.withContext({ conversationId: 'conv-ai7-ctx', userId: 'u-ai7' }, () =>
      loop([CALL_TOOL, ANSWER]),
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
