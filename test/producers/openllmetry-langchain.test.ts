import * as callbackManagerModule from '@langchain/core/callbacks/manager';
import { LangChainInstrumentation } from '@traceloop/instrumentation-langchain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { names, one, Pipeline, useFakeOpenAI } from './harness';
import { CHAIN_TURN_EVENTS, expectedOfLangChain, langChainOpenAI } from './langchain-producer';
import { aiError, CALL_COST_NO_CACHE, describeMatrix, generation, TOKENS, TOOL_NAME } from './scenarios';

/*
 * OpenLLMetry's LangChain instrumentation (`@traceloop/instrumentation-langchain`, real library)
 * with `@langchain/openai` against a local OpenAI-compatible server. Its tool span names the tool
 * only through `traceloop.*` keys.
 */

let pipeline: Pipeline;
const instrumentation = new LangChainInstrumentation();

const server = useFakeOpenAI({
  setUp: () => instrumentation.manuallyInstrument({ callbackManagerModule }),
  tearDown: () => instrumentation.disable(),
});
beforeEach(() => {
  pipeline = new Pipeline();
  instrumentation.setTracerProvider(pipeline.provider);
});
afterEach(() => pipeline.shutdown());

const { lookupOrder, agent, calls } = langChainOpenAI(() => server().url);

// It writes the requested model as the response model and no cached tokens: all input priced uncached.
const USAGE = { ...TOKENS, cost_usd: CALL_COST_NO_CACHE };
const call = generation({ model: 'gpt-4o-mini', ...USAGE });

describeMatrix({
  title: 'OpenLLMetry LangChain (@traceloop/instrumentation-langchain)',
  pipeline: () => pipeline,
  calls,
  // Failed calls end their span with an exception event: its type is the class, except the plain
  // `Error` of openai's 500 (dropped) and the 429, whose `code` OpenTelemetry writes instead. Its
  // tool span is named through the ToolMessage the tool returns.
  expected: expectedOfLangChain({
    call,
    usage: USAGE,
    rateLimited: aiError('rate_limit', 'rate_limit_exceeded'),
  }),
});

describe('OpenLLMetry LangChain: a chain, and a tool called directly', () => {
  it('a chain on its own is a turn, but its runs are traces of their own: Message Received has no usage', async () => {
    await pipeline.tracker.withContext({ conversationId: 'conv-tlc', userId: 'u-tlc' }, () =>
      agent().invoke('where is order 42?'),
    );
    const events = await pipeline.events();
    expect(names(events)).toEqual(CHAIN_TURN_EVENTS);
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
    expect(names(events)).toEqual(CHAIN_TURN_EVENTS);
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
