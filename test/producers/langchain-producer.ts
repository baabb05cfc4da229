import { HumanMessage } from '@langchain/core/messages';
import { RunnableLambda } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import {
  actionInvoked,
  aiError,
  answered,
  type Expected,
  type ExpectedEvent,
  failedWith,
  type ProducerCalls,
  TOOL_NAME,
  toolLoop,
} from './scenarios';

/** What a chain run as the turn yields, sorted: its tool, the message pair, one model call. */
export const CHAIN_TURN_EVENTS = [
  'Action Invoked',
  'Conversation Started',
  'Message Received',
  'Message Sent',
  'ai.generation',
];

/**
 * `@langchain/openai` against the local fake server at `baseURL()`, as the LangChain producers' tests
 * drive it: a model, the `lookup_order` tool, a small agent chain, and the matrix's calls.
 */
export function langChainOpenAI(baseURL: () => string) {
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
      configuration: { baseURL: baseURL() },
    });

  const agent = () =>
    RunnableLambda.from(async (question: string) => {
      const reply = await model().bindTools([lookupOrder]).invoke(question);
      for (const call of reply.tool_calls ?? []) await lookupOrder.invoke(call);
      return 'Your order has shipped.';
    }).withConfig({ runName: 'support_agent' });

  const calls: ProducerCalls = {
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
  };

  return { lookupOrder, model, agent, calls };
}

/**
 * The matrix outcomes of a LangChain instrumentation: every call's span ends (LangChain reads a
 * stream's usage chunk itself; a failed call ends with its error), and the tool span is an
 * `Action Invoked` only in a conversation (Segment's AI Copilot spec needs one). `call` is what a
 * call reports, `usage` what a turn sums of it, `rateLimited` what the 429 reports.
 */
export function expectedOfLangChain(options: {
  call: ExpectedEvent;
  usage: Record<string, number>;
  rateLimited: ExpectedEvent;
}): Expected {
  const { call, usage } = options;
  return {
    chat: answered(call, usage),
    stream: answered(call, usage),
    server_error: failedWith(aiError('server_error')),
    rate_limit: failedWith(options.rateLimited),
    context_length: failedWith(aiError('context_length', 'ContextOverflowError')),
    timeout: failedWith(aiError('timeout', 'TimeoutError')),
    tool_loop: toolLoop({ call, usage, action: actionInvoked(), spans: { outside: 3, inside: 4 } }),
  };
}
