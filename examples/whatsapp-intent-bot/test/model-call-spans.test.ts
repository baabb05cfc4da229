import { context, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { AgentTracker, ContextAttributesSpanProcessor } from '@spantrack/instrumentation';
import { OllamaInstrumentation } from '@spantrack/instrumentation-ollama';
import * as ollama from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../index.mjs';

/*
 * The model calls of the bot, as the Ollama instrumentation traces them: one `chat` client span per
 * request (retries included) under its classify / generate span. Here the instrumentation's patch
 * is applied to the `ollama` module the bot imports (the test runner loads ESM without the loader
 * hook that `node --import @spantrack/node/register` installs in the end-to-end test).
 */

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [new ContextAttributesSpanProcessor(), new SimpleSpanProcessor(exporter)],
});
const instrumentation = new OllamaInstrumentation({ enabled: false });
const [definition] = instrumentation.getModuleDefinitions();

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  instrumentation.setTracerProvider(provider);
  instrumentation.enable();
  definition!.patch!(ollama, '0.6.4');
});

afterAll(() => {
  definition!.unpatch!(ollama, '0.6.4');
  instrumentation.disable();
  context.disable();
});

describe('whatsapp-intent-bot model calls, traced by @spantrack/instrumentation-ollama', () => {
  it('makes one chat span per model request, inside the call that reports it', async () => {
    const tracker = new AgentTracker({ tracerProvider: provider, agentName: 'kra-bot', channel: 'whatsapp' });
    await run({ tracker, runId: 'spans' });
    const spans = exporter.getFinishedSpans();
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const chats = spans.filter((s) => s.name === 'chat llama3.2:3b');
    const parentOf = (s: (typeof spans)[number]) => {
      const id = s.parentSpanContext?.spanId ?? (s as { parentSpanId?: string }).parentSpanId;
      return id === undefined ? undefined : byId.get(id);
    };
    // 7 messages: 9 classification requests (two broken-JSON retries) and 5 answers.
    expect(chats).toHaveLength(14);
    expect(chats.map((s) => s.attributes['spantrack.reported_by']).sort()).toEqual([
      ...Array(9).fill('classification'),
      ...Array(5).fill('generation'),
    ]);
    for (const chat of chats) {
      expect(parentOf(chat)?.attributes['spantrack.interaction.kind']).toBe(
        chat.attributes['spantrack.reported_by'],
      );
      expect(chat.attributes).toMatchObject({
        'gen_ai.provider.name': 'ollama',
        'gen_ai.operation.name': 'chat',
      });
      // The scope of the turn reaches the client's span: the customer is known.
      expect(chat.attributes['user.id']).toMatch(/^\+2547\d{8}$/);
    }
    const first = chats.find((s) => s.attributes['user.id'] === '+254712345678')!;
    expect(first.attributes).toMatchObject({
      'gen_ai.output.type': 'json',
      'gen_ai.response.model': 'llama3.2:3b',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 15,
    });
    // The request the model never answered: cut off by the bot's deadline.
    const timedOut = chats.filter((s) => s.status.code === SpanStatusCode.ERROR);
    expect(timedOut.map((s) => [s.attributes['user.id'], s.attributes['error.type']])).toEqual([
      ['+254755667788', 'TimeoutError'],
    ]);
  });
});
