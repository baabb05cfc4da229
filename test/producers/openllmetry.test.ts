import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { expectedWhenFailedSpansNeverEnd, instrumentedOpenAI } from './openai-producer';
import { CALL_COST_NO_CACHE, describeMatrix, generation, MODEL, TOKENS } from './scenarios';

/*
 * OpenLLMetry's openai instrumentation (`@traceloop/instrumentation-openai`, real library, real
 * openai client) against a local OpenAI-compatible server.
 */

const openai = instrumentedOpenAI(new OpenAIInstrumentation());

// A call as the server answers it; OpenLLMetry writes no cached input tokens, so all input is priced uncached.
const USAGE = { ...TOKENS, cost_usd: CALL_COST_NO_CACHE };
const call = generation({ model: MODEL, ...USAGE });

describeMatrix({
  title: 'OpenLLMetry (@traceloop/instrumentation-openai)',
  pipeline: openai.pipeline,
  calls: openai.calls,
  // Streams: the usage chunk is ignored (tokens only with its tiktoken `enrichTokens` estimate).
  expected: expectedWhenFailedSpansNeverEnd({ call, usage: USAGE, streamed: generation({ model: MODEL }) }),
});
