import { AsyncLocalStorage } from 'node:async_hooks';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as callbackManagerModule from '@langchain/core/callbacks/manager';
import { RunnableLambda } from '@langchain/core/runnables';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai-server';
import { disableContext, enableContext, names, one, Pipeline } from './harness';

/*
 * OpenInference's LangChain instrumentation (`@arizeai/openinference-instrumentation-langchain`,
 * real library) with `@langchain/openai` against a local OpenAI-compatible server: a chain that
 * calls the model, which asks for a tool, then runs the tool (CHAIN, LLM and TOOL spans).
 */

let server: FakeOpenAI;
let pipeline: Pipeline;
let instrumentation: LangChainInstrumentation;

beforeAll(async () => {
  enableContext();
  // LangChain's own run context, as the `langchain` package sets it up in Node: nested runs
  // (the model call, the tool) are children of the chain's span only with it.
  AsyncLocalStorageProviderSingleton.initializeGlobalInstance(new AsyncLocalStorage());
  server = await startFakeOpenAI();
});
afterAll(async () => {
  disableContext();
  await server.close();
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

const lookupOrder = tool(async ({ id }) => `order ${id} shipped`, {
  name: 'lookup_order',
  description: 'Looks an order up',
  schema: z.object({ id: z.string() }),
});

const agent = () =>
  RunnableLambda.from(async (question: string) => {
    const llm = new ChatOpenAI({
      model: 'gpt-4o-mini',
      apiKey: 'test-key',
      maxRetries: 0,
      configuration: { baseURL: server.url },
    }).bindTools([lookupOrder]);
    const reply = await llm.invoke(question);
    for (const call of reply.tool_calls ?? []) await lookupOrder.invoke(call);
    return 'Your order has shipped.';
  }).withConfig({ runName: 'support_agent' });

describe('OpenInference LangChain (@arizeai/openinference-instrumentation-langchain)', () => {
  it('in a withContext scope: the root CHAIN is the turn, one ai.generation, one Action Invoked', async () => {
    await pipeline.tracker.withContext({ conversationId: 'conv-oilc', userId: 'u-oilc' }, () =>
      agent().invoke('where is order 42?'),
    );
    const events = await pipeline.events();
    expect(names(events)).toEqual([
      'Action Invoked',
      'Conversation Started',
      'Message Received',
      'Message Sent',
      'ai.generation',
    ]);
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
    expect(names(events)).toEqual([
      'Action Invoked',
      'Conversation Started',
      'Message Received',
      'Message Sent',
      'ai.generation',
    ]);
    expect(one(events, 'Message Received').properties).toMatchObject({
      conversationId: 'conv-oilc-2',
      prompt_tokens: 12,
      completion_tokens: 3,
    });
  });
});
