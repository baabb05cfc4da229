import * as callbackManagerModule from '@langchain/core/callbacks/manager';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { LangChainInstrumentation } from '@traceloop/instrumentation-langchain';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai-server';
import { disableContext, enableContext, names, one, Pipeline } from './harness';

/*
 * OpenLLMetry's LangChain instrumentation (`@traceloop/instrumentation-langchain`, real library)
 * with `@langchain/openai` against a local OpenAI-compatible server: a model call that asks for a
 * tool, then the tool. Its tool span names the tool only through `traceloop.*` keys.
 */

let server: FakeOpenAI;
let pipeline: Pipeline;
const instrumentation = new LangChainInstrumentation();

beforeAll(async () => {
  enableContext();
  server = await startFakeOpenAI();
  instrumentation.manuallyInstrument({ callbackManagerModule });
});
afterAll(async () => {
  instrumentation.disable();
  disableContext();
  await server.close();
});
beforeEach(() => {
  pipeline = new Pipeline();
  instrumentation.setTracerProvider(pipeline.provider);
});
afterEach(() => pipeline.shutdown());

const lookupOrder = tool(async ({ id }) => `order ${id} shipped`, {
  name: 'lookup_order',
  description: 'Looks an order up',
  schema: z.object({ id: z.string() }),
});

async function agentStep(): Promise<void> {
  const llm = new ChatOpenAI({
    model: 'gpt-4o-mini',
    apiKey: 'test-key',
    maxRetries: 0,
    configuration: { baseURL: server.url },
  }).bindTools([lookupOrder]);
  const reply = await llm.invoke('where is order 42?');
  for (const call of reply.tool_calls ?? []) await lookupOrder.invoke(call);
}

describe('OpenLLMetry LangChain (@traceloop/instrumentation-langchain)', () => {
  it("inside spantrack's turn: one ai.generation, one Action Invoked naming the tool, one pair", async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-lc', userId: 'u-lc' });
    await conversation.turn('where is order 42?', () => agentStep());
    const events = await pipeline.events();
    expect(names(events)).toEqual([
      'Action Invoked',
      'Conversation Started',
      'Message Received',
      'Message Sent',
      'ai.generation',
    ]);
    expect(one(events, 'Action Invoked').properties).toEqual({
      conversationId: 'conv-lc',
      type: 'tool',
      action: 'lookup_order',
    });
    expect(one(events, 'ai.generation').properties).toMatchObject({
      model: 'gpt-4o-mini',
      prompt_tokens: 12,
      completion_tokens: 3,
    });
    expect(one(events, 'Message Received').properties).toMatchObject({
      prompt_tokens: 12,
      completion_tokens: 3,
    });
  });

  it('outside a conversation: the model call only (Action Invoked needs a conversation)', async () => {
    await agentStep();
    const events = await pipeline.events();
    expect(names(events)).toEqual(['ai.generation']);
  });
});
