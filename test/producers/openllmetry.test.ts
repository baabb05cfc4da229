import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai-server';
import { disableContext, enableContext, Pipeline } from './harness';
import {
  actionInvoked,
  aiError,
  CALL_COST_NO_CACHE,
  describeMatrix,
  generation,
  MODEL,
  messageReceived,
  TOKENS,
  TOOL_NAME,
  turnOpened,
} from './scenarios';

/*
 * OpenLLMetry's openai instrumentation (`@traceloop/instrumentation-openai`, real library, real
 * openai client) against a local OpenAI-compatible server.
 */

let server: FakeOpenAI;
let pipeline: Pipeline;
let client: OpenAI;
const instrumentation = new OpenAIInstrumentation();

beforeAll(async () => {
  enableContext();
  server = await startFakeOpenAI();
  instrumentation.manuallyInstrument(OpenAI);
});
afterAll(async () => {
  instrumentation.disable();
  disableContext();
  await server.close();
});
beforeEach(() => {
  pipeline = new Pipeline();
  instrumentation.setTracerProvider(pipeline.provider);
  client = new OpenAI({ baseURL: server.url, apiKey: 'test-key', maxRetries: 0, timeout: 300 });
});
afterEach(() => pipeline.shutdown());

const TOOLS = [{ type: 'function' as const, function: { name: TOOL_NAME, parameters: { type: 'object' } } }];
const ask = (content: string, tools = false) =>
  client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content }],
    ...(tools ? { tools: TOOLS } : {}),
  });

// A call as the server answers it; OpenLLMetry writes no cached input tokens, so all input is priced uncached.
const call = generation({ model: MODEL, ...TOKENS, cost_usd: CALL_COST_NO_CACHE });

describeMatrix({
  title: 'OpenLLMetry (@traceloop/instrumentation-openai)',
  pipeline: () => pipeline,
  calls: {
    chat: () => ask('where is my order?'),
    async stream() {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'stream it' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _ of stream) {
        // drain
      }
    },
    ask: (content) => ask(content),
    async toolLoop(runTool) {
      const first = await ask('where is order 42?', true);
      for (const c of first.choices[0]!.message.tool_calls ?? []) {
        await runTool(c.type === 'function' ? c.function.name : 'tool', async () => 'order 42 shipped');
      }
      return ask('where is order 42?');
    },
  },
  expected: {
    chat: {
      outside: { spans: 1, events: [call] },
      inside: {
        spans: 2,
        events: [...turnOpened(), messageReceived({ ...TOKENS, cost_usd: CALL_COST_NO_CACHE }), call],
      },
    },
    // Streams: the usage chunk is ignored (tokens only with its tiktoken `enrichTokens` estimate).
    stream: {
      outside: { spans: 1, events: [generation({ model: MODEL })] },
      inside: { spans: 2, events: [...turnOpened(), messageReceived(), generation({ model: MODEL })] },
    },
    // The instrumentation never ends the span of a chat call whose promise rejects: no exporter sees
    // the failed call. Inside a turn, the turn's own failure reports the documented types only.
    server_error: { outside: { spans: 0, events: [] }, inside: { spans: 1, events: turnOpened() } },
    rate_limit: { outside: { spans: 0, events: [] }, inside: { spans: 1, events: turnOpened() } },
    context_length: {
      outside: { spans: 0, events: [] },
      inside: { spans: 1, events: [...turnOpened(), aiError('context_length')] },
    },
    timeout: {
      outside: { spans: 0, events: [] },
      inside: { spans: 1, events: [...turnOpened(), aiError('timeout')] },
    },
    // The tool is the user's code, run through conversation.tool() inside a conversation.
    tool_loop: {
      outside: { spans: 2, events: [call, call] },
      inside: {
        spans: 4,
        events: [
          ...turnOpened(),
          actionInvoked({ role: 'agent' }),
          messageReceived({ prompt_tokens: 24, completion_tokens: 6, cost_usd: 2 * CALL_COST_NO_CACHE }),
          call,
          call,
        ],
      },
    },
  },
});
