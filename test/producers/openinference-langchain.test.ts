import { AsyncLocalStorage } from 'node:async_hooks';
import { setSession, setUser } from '@arizeai/openinference-core';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as callbackManagerModule from '@langchain/core/callbacks/manager';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { context } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { names, one, Pipeline, useFakeOpenAI } from './harness';
import { CHAIN_TURN_EVENTS, expectedOfLangChain, langChainOpenAI } from './langchain-producer';
import { aiError, CALL_COST_CACHED, describeMatrix, generation, TOKENS, TOOL_NAME } from './scenarios';

/*
 * OpenInference's LangChain instrumentation (`@arizeai/openinference-instrumentation-langchain`,
 * real library) with `@langchain/openai` against a local OpenAI-compatible server (LLM, TOOL and
 * CHAIN spans).
 */

let pipeline: Pipeline;
let instrumentation: LangChainInstrumentation;

const server = useFakeOpenAI({
  // LangChain's own run context, as the `langchain` package sets it up in Node: nested runs
  // (the model call, the tool) are children of the chain's span only with it.
  setUp: () => AsyncLocalStorageProviderSingleton.initializeGlobalInstance(new AsyncLocalStorage()),
});
beforeEach(() => {
  pipeline = new Pipeline();
  instrumentation = new LangChainInstrumentation({ tracerProvider: pipeline.provider });
  instrumentation.manuallyInstrument(callbackManagerModule);
});
afterEach(async () => {
  instrumentation.disable();
  await pipeline.shutdown();
});

const { agent, calls } = langChainOpenAI(() => server().url);

// A call as its span says it: the requested model name (`llm.model_name`), the usage with its
// 4 cached input tokens, so priced with them. LangChain reads a stream's usage chunk itself.
const USAGE = { ...TOKENS, cached_input_tokens: 4, cost_usd: CALL_COST_CACHED };
const call = generation({ model: 'gpt-4o-mini', ...USAGE });

describeMatrix({
  title: 'OpenInference LangChain (@arizeai/openinference-instrumentation-langchain)',
  pipeline: () => pipeline,
  calls,
  // Failed calls end their span with the LangChain error (the class from the status's stack; a
  // plain `Error` for openai's HTTP errors says nothing, so none).
  expected: expectedOfLangChain({ call, usage: USAGE, rateLimited: aiError('rate_limit') }),
});

describe('OpenInference LangChain: a chain as the turn', () => {
  it('in a withContext scope: the root CHAIN is the turn, one ai.generation, one Action Invoked', async () => {
    await pipeline.tracker.withContext({ conversationId: 'conv-oilc', userId: 'u-oilc' }, () =>
      agent().invoke('where is order 42?'),
    );
    const events = await pipeline.events();
    expect(names(events)).toEqual(CHAIN_TURN_EVENTS);
    expect(one(events, 'Action Invoked').properties).toEqual({
      conversationId: 'conv-oilc',
      type: 'tool',
      action: 'lookup_order',
    });
    expect(one(events, 'Message Received').properties).toMatchObject({
      prompt_tokens: 12,
      completion_tokens: 3,
    });
    for (const e of events) expect(e.userId).toBe('u-oilc');
  });

  it("inside spantrack's conversation.turn(): the chain is a step of the turn, so one pair only", async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-oilc-2', userId: 'u-oilc' });
    await conversation.turn('where is order 42?', () => agent().invoke('where is order 42?'));
    const events = await pipeline.events();
    expect(names(events)).toEqual(CHAIN_TURN_EVENTS);
    expect(one(events, 'Message Received').properties).toMatchObject({
      conversationId: 'conv-oilc-2',
      prompt_tokens: 12,
      completion_tokens: 3,
    });
  });

  it("OpenInference's own setSession / setUser: the root CHAIN starts that conversation, every event names that user", async () => {
    const scoped = setUser(setSession(context.active(), { sessionId: 'sess-oilc' }), { userId: 'u-oilc' });
    await context.with(scoped, () => agent().invoke('where is order 42?'));
    const events = await pipeline.events();
    expect(names(events)).toEqual(CHAIN_TURN_EVENTS);
    expect(one(events, 'Conversation Started').properties).toEqual({ conversationId: 'sess-oilc' });
    expect(one(events, 'Message Received').properties).toEqual({
      conversationId: 'sess-oilc',
      messageId: expect.any(String),
      role: 'agent',
      ...USAGE,
    });
    expect(one(events, 'Action Invoked').properties).toEqual({
      conversationId: 'sess-oilc',
      type: 'tool',
      action: TOOL_NAME,
    });
    for (const e of events) expect(e.userId).toBe('u-oilc');
  });
});
