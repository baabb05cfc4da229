import type { TracerProvider } from '@opentelemetry/api';
import OpenAI from 'openai';
import { afterEach, beforeEach } from 'vitest';
import { Pipeline, useFakeOpenAI } from './harness';
import {
  actionInvoked,
  aiError,
  answered,
  type Expected,
  type ExpectedEvent,
  neverEnded,
  type ProducerCalls,
  TOOL_NAME,
  toolLoop,
} from './scenarios';

/** What the tests need of an instrumentation that patches the openai module it is handed. */
interface OpenAIModuleInstrumentation {
  manuallyInstrument(module: typeof OpenAI): void;
  setTracerProvider(provider: TracerProvider): void;
  disable(): void;
}

const TOOLS = [{ type: 'function' as const, function: { name: TOOL_NAME, parameters: { type: 'object' } } }];

/**
 * The real openai client patched by `instrumentation`, against the local fake server, with a fresh
 * pipeline per test (registers the suite's hooks). `calls` drives the scenario matrix.
 */
export function instrumentedOpenAI(instrumentation: OpenAIModuleInstrumentation) {
  let pipeline: Pipeline;
  let client: OpenAI;

  const server = useFakeOpenAI({
    setUp: () => instrumentation.manuallyInstrument(OpenAI),
    tearDown: () => instrumentation.disable(),
  });
  beforeEach(() => {
    pipeline = new Pipeline();
    instrumentation.setTracerProvider(pipeline.provider);
    client = new OpenAI({ baseURL: server().url, apiKey: 'test-key', maxRetries: 0, timeout: 300 });
  });
  afterEach(() => pipeline.shutdown());

  const ask = (content: string, tools = false) =>
    client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content }],
      ...(tools ? { tools: TOOLS } : {}),
    });

  const calls: ProducerCalls = {
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
  };

  return { pipeline: () => pipeline, ask, calls };
}

/**
 * The matrix outcomes of an openai instrumentation that never ends the span of a call whose promise
 * rejects (no exporter sees the failed call; inside a turn, the turn's own failure reports the
 * documented types only). `call` is what a call reports, `usage` what a turn sums of it, `streamed`
 * what a streamed call reports. The tool is the user's code, run through `conversation.tool()`
 * inside a conversation.
 */
export function expectedWhenFailedSpansNeverEnd(options: {
  call: ExpectedEvent;
  usage: Record<string, number>;
  streamed: ExpectedEvent;
}): Expected {
  const { call, usage, streamed } = options;
  return {
    chat: answered(call, usage),
    stream: answered(streamed),
    server_error: neverEnded(),
    rate_limit: neverEnded(),
    context_length: neverEnded(aiError('context_length')),
    timeout: neverEnded(aiError('timeout')),
    tool_loop: toolLoop({
      call,
      usage,
      action: actionInvoked({ role: 'agent' }),
      spans: { outside: 2, inside: 4 },
    }),
  };
}
