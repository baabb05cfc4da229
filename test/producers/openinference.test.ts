import { setSession, setUser } from '@arizeai/openinference-core';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { context } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { names } from './harness';
import { expectedWhenFailedSpansNeverEnd, instrumentedOpenAI } from './openai-producer';
import { CALL_COST_CACHED, describeMatrix, generation, MODEL, TOKENS } from './scenarios';

/*
 * Arize OpenInference's openai instrumentation (real library, real openai client) against a local
 * OpenAI-compatible server. Its spans carry openinference.span.kind and llm.*, no gen_ai.*.
 */

const openai = instrumentedOpenAI(new OpenAIInstrumentation());

// A call as the server answers it: the response's model, its usage with 4 cached input tokens.
const USAGE = { ...TOKENS, cached_input_tokens: 4, cost_usd: CALL_COST_CACHED };
const call = generation({ model: MODEL, ...USAGE });

describeMatrix({
  title: 'OpenInference (@arizeai/openinference-instrumentation-openai)',
  pipeline: openai.pipeline,
  calls: openai.calls,
  // Streams: no usage recorded (the usage chunk is ignored), and the request's model only.
  expected: expectedWhenFailedSpansNeverEnd({
    call,
    usage: USAGE,
    streamed: generation({ model: 'gpt-4o-mini' }),
  }),
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
