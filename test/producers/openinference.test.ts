import { setSession, setUser } from '@arizeai/openinference-core';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { context } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { names } from './harness';
import { instrumentedOpenAI } from './openai-producer';
import {
  actionInvoked,
  aiError,
  CALL_COST_CACHED,
  describeMatrix,
  generation,
  MODEL,
  messageReceived,
  TOKENS,
  turnOpened,
} from './scenarios';

/*
 * Arize OpenInference's openai instrumentation (real library, real openai client) against a local
 * OpenAI-compatible server. Its spans carry openinference.span.kind and llm.*, no gen_ai.*.
 */

const openai = instrumentedOpenAI(new OpenAIInstrumentation());

// A call as the server answers it: the response's model, its usage with 4 cached input tokens.
const call = generation({ model: MODEL, ...TOKENS, cached_input_tokens: 4, cost_usd: CALL_COST_CACHED });

describeMatrix({
  title: 'OpenInference (@arizeai/openinference-instrumentation-openai)',
  pipeline: openai.pipeline,
  calls: openai.calls,
  expected: {
    chat: {
      outside: { spans: 1, events: [call] },
      inside: {
        spans: 2,
        events: [
          ...turnOpened(),
          messageReceived({ ...TOKENS, cached_input_tokens: 4, cost_usd: CALL_COST_CACHED }),
          call,
        ],
      },
    },
    // Streams: no usage recorded (the usage chunk is ignored), and the request's model only.
    stream: {
      outside: { spans: 1, events: [generation({ model: 'gpt-4o-mini' })] },
      inside: {
        spans: 2,
        events: [...turnOpened(), messageReceived(), generation({ model: 'gpt-4o-mini' })],
      },
    },
    // The instrumentation never ends the span of a call whose promise rejects: no exporter sees the
    // failed call. Inside a turn, the turn's own failure reports the documented types only.
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
          messageReceived({
            prompt_tokens: 24,
            completion_tokens: 6,
            cached_input_tokens: 8,
            cost_usd: 2 * CALL_COST_CACHED,
          }),
          call,
          call,
        ],
      },
    },
  },
});

describe("OpenInference's own context", () => {
  it('setUser / setSession name the user of a call outside spantrack (user.id, session.id on its span)', async () => {
    const scoped = setUser(setSession(context.active(), { sessionId: 'sess-oi' }), { userId: 'u-oi' });
    await context.with(scoped, () => openai.ask('where is my order?'));
    const events = await openai.pipeline().events();
    expect(names(events)).toEqual(['ai.generation']);
    expect(events[0]!.properties).toEqual(call.properties);
    expect(events[0]!.userId).toBe('u-oi');
    expect(events[0]!.anonymousId).toBeUndefined();
  });
});
