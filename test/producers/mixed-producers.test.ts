import { createRequire } from 'node:module';
import { OpenAIInstrumentation as OpenInferenceOpenAI } from '@arizeai/openinference-instrumentation-openai';
import { metrics } from '@opentelemetry/api';
import { OpenAIInstrumentation as OtelOpenAI } from '@opentelemetry/instrumentation-openai';
import { OpenAIInstrumentation as OpenLlmetryOpenAI } from '@traceloop/instrumentation-openai';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAI, MODEL, startFakeOpenAI } from './fake-openai-server';
import { disableContext, enableContext, Pipeline } from './harness';
import { type ChatCompletionsClient, runOpenAiCase, SdkCase } from './scenarios-sdk';

/*
 * Two producers on one model call, each making its own span of it: the call must still be one
 * ai.generation (or ai.error), its tokens counted once, alone and inside a turn.
 *
 * - spantrack's `tracker.generate()` around a call the official `@opentelemetry/instrumentation-openai`
 *   also traces (openai 6 loaded with require(), which only that instrumentation has patched yet);
 * - OpenInference and OpenLLMetry both patching the openai client (the ESM import).
 */

const otel = new OtelOpenAI();
const OpenAICjs: typeof OpenAI = createRequire(import.meta.url)('openai').OpenAI;
const openInference = new OpenInferenceOpenAI();
const openLlmetry = new OpenLlmetryOpenAI();

let server: FakeOpenAI;
let pipeline: Pipeline;

beforeAll(async () => {
  enableContext();
  server = await startFakeOpenAI();
  otel.setMeterProvider(metrics.getMeterProvider());
  // OpenLLMetry first: its patch removes any earlier wrapper, OpenInference's wraps around it.
  openLlmetry.manuallyInstrument(OpenAI);
  openInference.manuallyInstrument(OpenAI);
});
afterAll(async () => {
  otel.disable();
  openInference.disable();
  openLlmetry.disable();
  disableContext();
  await server.close();
});
beforeEach(() => {
  pipeline = new Pipeline();
  for (const i of [otel, openInference, openLlmetry]) i.setTracerProvider(pipeline.provider);
});
afterEach(() => pipeline.shutdown());

// gpt-4o-mini: 12 × 0.15 + 3 × 0.6 µUSD when the cached tokens are not reported; with the 4 cached
// (OpenInference reads them) 8 × 0.15 + 4 × 0.075 + 3 × 0.6.
const UNCACHED = { prompt_tokens: 12, completion_tokens: 3, cost_usd: 3.6e-6 };
const CACHED = { prompt_tokens: 12, completion_tokens: 3, cached_input_tokens: 4, cost_usd: 3.3e-6 };

/** The model calls' events after a case: their names, and the properties that must not double. */
async function modelCallEvents() {
  const events = await pipeline.events();
  return events
    .filter((e) => e.event === 'ai.generation' || e.event === 'ai.error')
    .map((e) => ({ event: e.event, ...e.properties, latency_ms: undefined }));
}

describe("spantrack's tracker.generate() around a call @opentelemetry/instrumentation-openai traces", () => {
  let client: OpenAI;
  beforeEach(() => {
    client = new OpenAICjs({ baseURL: server.url, apiKey: 'test-key', maxRetries: 0, timeout: 300 });
  });

  /** The case inside spantrack's own model-call span, as a user wraps a call to name its prompt. */
  const generate = (c: SdkCase) =>
    pipeline.tracker.generate({ model: 'gpt-4o-mini', provider: 'openai' }, () =>
      runOpenAiCase(client as ChatCompletionsClient, c),
    );

  it.each([SdkCase.CHAT, SdkCase.STREAM])(
    '%s: one ai.generation, the usage of the inner span once',
    async (c) => {
      await generate(c);
      // The model the user named on the outer span; the answer's length, which only it knows.
      expect(await modelCallEvents()).toEqual([
        {
          event: 'ai.generation',
          model: 'gpt-4o-mini',
          output_length: 23,
          ...UNCACHED,
          latency_ms: undefined,
        },
      ]);
      expect(pipeline.processor.stats().spansTranslated).toBe(2);
    },
  );

  it('a failing call (HTTP 500): one ai.error, not one per span', async () => {
    await expect(generate(SdkCase.SERVER_ERROR)).rejects.toThrow();
    expect(await modelCallEvents()).toEqual([
      {
        event: 'ai.error',
        error_type: 'server_error',
        error_class: 'InternalServerError',
        latency_ms: undefined,
      },
    ]);
  });

  it.each([SdkCase.CHAT, SdkCase.STREAM])(
    "%s inside spantrack's turn: one pair, Message Received counting the call once",
    async (c) => {
      const conversation = pipeline.tracker.conversation({ conversationId: 'conv-mix-gen', userId: 'u-mix' });
      await conversation.turn('where is my order?', async (turn) => {
        turn.setOutput(await generate(c));
      });
      const events = await pipeline.events();
      expect(events.map((e) => e.event).sort()).toEqual([
        'Conversation Started',
        'Message Received',
        'Message Sent',
        'ai.generation',
      ]);
      const received = events.find((e) => e.event === 'Message Received')!;
      expect(received.properties).toMatchObject(UNCACHED);
    },
  );

  it("a failing call inside spantrack's turn: Message Sent and one ai.error, no Message Received", async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-mix-err', userId: 'u-mix' });
    await expect(
      conversation.turn('where is my order?', () => generate(SdkCase.SERVER_ERROR)),
    ).rejects.toThrow();
    const events = await pipeline.events();
    expect(events.map((e) => e.event).sort()).toEqual(['Conversation Started', 'Message Sent', 'ai.error']);
    expect(events.find((e) => e.event === 'ai.error')!.properties).toEqual({
      error_type: 'server_error',
      error_class: 'InternalServerError',
    });
  });
});

describe('OpenInference and OpenLLMetry both patching the openai client', () => {
  let client: OpenAI;
  beforeEach(() => {
    client = new OpenAI({ baseURL: server.url, apiKey: 'test-key', maxRetries: 0, timeout: 300 });
  });

  it('chat: one ai.generation, its tokens counted once', async () => {
    await runOpenAiCase(client as ChatCompletionsClient, SdkCase.CHAT);
    expect(await modelCallEvents()).toEqual([
      { event: 'ai.generation', model: MODEL, ...CACHED, latency_ms: undefined },
    ]);
    expect(pipeline.processor.stats().spansTranslated).toBe(2);
  });

  it('streamed: one ai.generation without usage (neither records a streamed answer’s usage; OpenInference never ends its span over OpenLLMetry’s stream)', async () => {
    await runOpenAiCase(client as ChatCompletionsClient, SdkCase.STREAM);
    expect(await modelCallEvents()).toEqual([
      { event: 'ai.generation', model: MODEL, latency_ms: undefined },
    ]);
    expect(pipeline.processor.stats().spansTranslated).toBe(1);
  });

  it('a failing call (HTTP 500): neither library ends the span of a rejected call, so no event at all', async () => {
    await expect(runOpenAiCase(client as ChatCompletionsClient, SdkCase.SERVER_ERROR)).rejects.toThrow();
    expect(await pipeline.events()).toEqual([]);
    expect(pipeline.processor.stats().spansTranslated).toBe(0);
  });

  it("inside spantrack's turn: one pair whose Message Received counts each of the two calls once", async () => {
    const conversation = pipeline.tracker.conversation({ conversationId: 'conv-mix', userId: 'u-mix' });
    await conversation.turn('where is my order?', async (turn) => {
      await runOpenAiCase(client as ChatCompletionsClient, SdkCase.CHAT);
      turn.setOutput(await runOpenAiCase(client as ChatCompletionsClient, SdkCase.CHAT));
    });
    const events = await pipeline.events();
    expect(pipeline.processor.stats().spansTranslated).toBe(5);
    expect(events.map((e) => e.event).sort()).toEqual([
      'Conversation Started',
      'Message Received',
      'Message Sent',
      'ai.generation',
      'ai.generation',
    ]);
    const received = events.find((e) => e.event === 'Message Received')!;
    expect(received.properties).toMatchObject({
      prompt_tokens: 24,
      completion_tokens: 6,
      cached_input_tokens: 8,
      cost_usd: 6.6e-6,
    });
  });
});
