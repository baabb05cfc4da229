import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { instrumentedOpenAI } from './openai-producer';
import {
  actionInvoked,
  aiError,
  CALL_COST_NO_CACHE,
  describeMatrix,
  generation,
  MODEL,
  messageReceived,
  TOKENS,
  turnOpened,
} from './scenarios';

/*
 * OpenLLMetry's openai instrumentation (`@traceloop/instrumentation-openai`, real library, real
 * openai client) against a local OpenAI-compatible server.
 */

const openai = instrumentedOpenAI(new OpenAIInstrumentation());

// A call as the server answers it; OpenLLMetry writes no cached input tokens, so all input is priced uncached.
const call = generation({ model: MODEL, ...TOKENS, cost_usd: CALL_COST_NO_CACHE });

describeMatrix({
  title: 'OpenLLMetry (@traceloop/instrumentation-openai)',
  pipeline: openai.pipeline,
  calls: openai.calls,
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
