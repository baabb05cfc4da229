import * as callbackManagerModule from '@langchain/core/callbacks/manager';
import { HumanMessage } from '@langchain/core/messages';
import { RunnableLambda } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { LangChainInstrumentation } from '@traceloop/instrumentation-langchain';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai-server';
import { disableContext, enableContext, names, one, Pipeline } from './harness';
import {
  actionInvoked,
  aiError,
  CALL_COST_NO_CACHE,
  describeMatrix,
  generation,
  messageReceived,
  TOKENS,
  TOOL_NAME,
  turnOpened,
} from './scenarios';

/*
 * OpenLLMetry's LangChain instrumentation (`@traceloop/instrumentation-langchain`, real library)
 * with `@langchain/openai` against a local OpenAI-compatible server. Its tool span names the tool
 * only through `traceloop.*` keys.
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
  name: TOOL_NAME,
  description: 'Looks an order up',
  schema: z.object({ id: z.string() }),
});

const model = () =>
  new ChatOpenAI({
    model: 'gpt-4o-mini',
    apiKey: 'test-key',
    maxRetries: 0,
    timeout: 300,
    configuration: { baseURL: server.url },
  });

// It writes the requested model as the response model and no cached tokens: all input priced uncached.
const USAGE = { ...TOKENS, cost_usd: CALL_COST_NO_CACHE };
const call = generation({ model: 'gpt-4o-mini', ...USAGE });

describeMatrix({
  title: 'OpenLLMetry LangChain (@traceloop/instrumentation-langchain)',
  pipeline: () => pipeline,
  calls: {
    chat: () => model().invoke('where is my order?'),
    async stream() {
      for await (const _ of await model().stream('stream it')) {
        // drain
      }
    },
    ask: (content) => model().invoke(content),
    async toolLoop() {
      const question = new HumanMessage('where is order 42?');
      const first = await model().bindTools([lookupOrder]).invoke([question]);
      const results = [];
      for (const c of first.tool_calls ?? []) results.push(await lookupOrder.invoke(c));
      return model().invoke([question, first, ...results]);
    },
  },
  expected: {
    chat: {
      outside: { spans: 1, events: [call] },
      inside: { spans: 2, events: [...turnOpened(), messageReceived(USAGE), call] },
    },
    // LangChain reads the stream's usage chunk itself.
    stream: {
      outside: { spans: 1, events: [call] },
      inside: { spans: 2, events: [...turnOpened(), messageReceived(USAGE), call] },
    },
    // Failed calls end their span with an exception event: its type is the class, except the plain
    // `Error` of openai's 500 (dropped) and the 429, whose `code` OpenTelemetry writes instead.
    server_error: {
      outside: { spans: 1, events: [aiError('server_error')] },
      inside: { spans: 2, events: [...turnOpened(), aiError('server_error')] },
    },
    rate_limit: {
      outside: { spans: 1, events: [aiError('rate_limit', 'rate_limit_exceeded')] },
      inside: { spans: 2, events: [...turnOpened(), aiError('rate_limit', 'rate_limit_exceeded')] },
    },
    context_length: {
      outside: { spans: 1, events: [aiError('context_length', 'ContextOverflowError')] },
      inside: { spans: 2, events: [...turnOpened(), aiError('context_length', 'ContextOverflowError')] },
    },
    timeout: {
      outside: { spans: 1, events: [aiError('timeout', 'TimeoutError')] },
      inside: { spans: 2, events: [...turnOpened(), aiError('timeout', 'TimeoutError')] },
    },
    // Its tool span is named through the ToolMessage the tool returns; no conversation, no Action Invoked.
    tool_loop: {
      outside: { spans: 3, events: [call, call] },
      inside: {
        spans: 4,
        events: [
          ...turnOpened(),
          actionInvoked(),
          messageReceived({ prompt_tokens: 24, completion_tokens: 6, cost_usd: 2 * CALL_COST_NO_CACHE }),
          call,
          call,
        ],
      },
    },
  },
});

const agent = () =>
  RunnableLambda.from(async (question: string) => {
    const reply = await model().bindTools([lookupOrder]).invoke(question);
    for (const c of reply.tool_calls ?? []) await lookupOrder.invoke(c);
    return 'Your order has shipped.';
  }).withConfig({ runName: 'support_agent' });

describe('OpenLLMetry LangChain: a chain, and a tool called directly', () => {
  it('a chain on its own is a turn, but its runs are traces of their own: Message Received has no usage', async () => {
    await pipeline.tracker.withContext({ conversationId: 'conv-tlc', userId: 'u-tlc' }, () =>
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
    // The model call's span is not the chain's child (OpenLLMetry ignores LangChain's parent run):
    // its usage reaches ai.generation only.
    expect(one(events, 'Message Received').properties).toEqual({
      conversationId: 'conv-tlc',
      messageId: expect.any(String),
      role: 'agent',
    });
    expect(one(events, 'ai.generation').properties).toMatchObject(USAGE);
    expect(one(events, 'Action Invoked').properties).toEqual({
      conversationId: 'conv-tlc',
      type: 'tool',
      action: TOOL_NAME,
    });
    // The scope's user reaches every span, nested or not.
    for (const e of events) expect(e.userId).toBe('u-tlc');
  });

  it("inside spantrack's conversation.turn(): the chain adds no second pair, the turn sums the model call", async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-tlc-2', userId: 'u-tlc' });
    await conversation.turn('where is order 42?', () => agent().invoke('where is order 42?'));
    const events = await pipeline.events();
    expect(names(events)).toEqual([
      'Action Invoked',
      'Conversation Started',
      'Message Received',
      'Message Sent',
      'ai.generation',
    ]);
    expect(one(events, 'Message Received').properties).toEqual({
      conversationId: 'conv-tlc-2',
      messageId: expect.any(String),
      role: 'agent',
      ...USAGE,
    });
  });

  it("a tool invoked with plain arguments (no tool call) is named only by LangChain's class", async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-tlc-3', userId: 'u-tlc' });
    await conversation.turn('where is order 42?', () => lookupOrder.invoke({ id: '42' }));
    const events = await pipeline.events();
    expect(one(events, 'Action Invoked').properties).toEqual({
      conversationId: 'conv-tlc-3',
      type: 'tool',
      action: 'DynamicStructuredTool',
    });
  });
});
