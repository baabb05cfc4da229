import * as aiPackage from 'ai';
import { generateObject, generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ANSWER, aiSdkCases, PRICES, reportOfAiSdk } from './ai-sdk-producer';
import { disableContext, enableContext, names, one, Pipeline } from './harness';
import { type CallIdentity, describeSdkMatrix } from './scenarios-sdk';

/*
 * The Vercel AI SDK's own telemetry (`experimental_telemetry`: legacy `ai.*` spans), from the real
 * `ai` 6 package driving its own mock model (`ai/test`): the matrix of cases, then retries and
 * output that is not JSON.
 */

const ai = aiSdkCases(aiPackage, MockLanguageModelV3);
const fail = ai.throwing(500, 'Internal Server Error');

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

describeSdkMatrix({
  name: 'Vercel AI SDK legacy ai.* spans',
  slug: 'ai6',
  prices: PRICES,
  bind: () => undefined,
  reportsIdentity: true,
  report: reportOfAiSdk,
  run: (c, pipeline, identity) =>
    ai.run(
      c,
      { prompt: 'where is my order?', maxRetries: 0, experimental_telemetry: telemetry(pipeline, identity) },
      lookupOrder,
    ),
});

describe('Vercel AI SDK legacy ai.* spans: retries and invalid output', () => {
  let pipeline: Pipeline;
  beforeEach(() => {
    pipeline = new Pipeline({ prices: PRICES });
  });
  afterEach(() => pipeline.shutdown());

  /** A tool loop over `steps`, retrying a failed step once (the SDK's backoff: about 2 s). */
  const retried = (steps: unknown[]) =>
    generateText({
      model: ai.model(steps),
      prompt: 'where is my order?',
      tools: { lookup_order: lookupOrder },
      stopWhen: stepCountIs(3),
      maxRetries: 1,
      experimental_telemetry: telemetry(pipeline, undefined),
    });

  it('a call retried after a 500 is one ai.generation, not one event per attempt', async () => {
    await retried([fail, ANSWER]);
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
    const notJson = { ...ANSWER, content: [{ type: 'text', text: 'Sure! Here it is: {id: 42' }] };
    await expect(
      generateObject({
        model: ai.model([notJson]),
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
