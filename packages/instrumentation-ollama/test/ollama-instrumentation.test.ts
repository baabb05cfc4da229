import { createRequire } from 'node:module';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type * as OllamaModule from 'ollama';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  histogramPoints,
  recordTelemetryOf,
} from '../../instrumentation/test-support/genai-client-telemetry';
import { OllamaInstrumentation } from '../src/index';
import {
  ANSWER,
  COMPLETION_TOKENS,
  type FakeOllama,
  PROMPT_TOKENS,
  startFakeOllama,
} from './support/fake-ollama-server';

/*
 * The real `ollama` client, loaded with require() after the instrumentation is enabled (so
 * require-in-the-middle patches it), against a fake Ollama server on 127.0.0.1; spans and metrics
 * go to an in-memory exporter and reader.
 */

const instrumentation = new OllamaInstrumentation({ enabled: false });
const { exporter, tracerProvider, reader } = recordTelemetryOf(instrumentation);

let server: FakeOllama;
let ollama: typeof OllamaModule;
let client: OllamaModule.Ollama;
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  server = await startFakeOllama();
  instrumentation.enable();
  ollama = createRequire(import.meta.url)('ollama');
  client = new ollama.Ollama({ host: server.url });
});

afterEach(() => {
  exporter.reset();
  instrumentation.setConfig({});
  delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
});

afterAll(async () => {
  instrumentation.disable();
  await server.close();
  context.disable();
});

const port = () => Number(new URL(server.url).port);
const only = (): ReadableSpan => {
  const spans = exporter.getFinishedSpans();
  expect(spans.map((s) => s.name)).toHaveLength(1);
  return spans[0]!;
};
const messages = [
  { role: 'system', content: 'You are the KRA assistant.' },
  { role: 'user', content: 'I want to file nil returns' },
];

const histogram = (name: string) => histogramPoints(reader, '@spantrack/instrumentation-ollama', name);

describe('OllamaInstrumentation', () => {
  it('makes one GenAI client span for chat, with usage and no content by default', async () => {
    const res = await client.chat({
      model: 'llama3.2:3b',
      messages,
      stream: false,
      format: 'json',
      options: { temperature: 0, top_p: 0.9, num_predict: 64, seed: 7, stop: ['\n\n'] },
    });
    expect(res.message.content).toBe(ANSWER);
    const span = only();
    expect(span.name).toBe('chat llama3.2:3b');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.instrumentationScope.name).toBe('@spantrack/instrumentation-ollama');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': 'llama3.2:3b',
      'gen_ai.request.temperature': 0,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.seed': 7,
      'gen_ai.request.stop_sequences': ['\n\n'],
      'gen_ai.output.type': 'json',
      'server.address': '127.0.0.1',
      'server.port': port(),
      'gen_ai.response.model': 'llama3.2:3b-resolved',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': PROMPT_TOKENS,
      'gen_ai.usage.output_tokens': COMPLETION_TOKENS,
    });
  });

  it('records message content only when asked to, by config or by the OTel env var', async () => {
    instrumentation.setConfig({ captureMessageContent: true });
    await client.chat({ model: 'llama3.2:3b', messages, stream: false });
    const captured = only().attributes;
    expect(JSON.parse(captured['gen_ai.input.messages'] as string)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are the KRA assistant.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'I want to file nil returns' }] },
    ]);
    expect(JSON.parse(captured['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' },
    ]);

    exporter.reset();
    instrumentation.setConfig({});
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
    await client.generate({
      model: 'llama3.2:3b',
      system: 'Be brief.',
      prompt: 'nil returns?',
      stream: false,
    });
    const fromEnv = only().attributes;
    expect(JSON.parse(fromEnv['gen_ai.system_instructions'] as string)).toEqual([
      { type: 'text', content: 'Be brief.' },
    ]);
    expect(JSON.parse(fromEnv['gen_ai.input.messages'] as string)).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'nil returns?' }] },
    ]);

    // The option wins over the env var.
    exporter.reset();
    instrumentation.setConfig({ captureMessageContent: false });
    await client.chat({ model: 'llama3.2:3b', messages, stream: false });
    const keys = Object.keys(only().attributes);
    expect(keys.filter((k) => k.includes('messages') || k.includes('instructions'))).toEqual([]);
  });

  it('ends a streamed chat at its final chunk, with the usage that chunk carries', async () => {
    instrumentation.setConfig({ captureMessageContent: true });
    const stream = await client.chat({ model: 'llama3.2:3b', messages, stream: true });
    // Nothing ended before the stream is read.
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    let text = '';
    for await (const part of stream) text += part.message.content;
    expect(text).toBe(ANSWER);
    const span = only();
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.response.model': 'llama3.2:3b-resolved',
      'gen_ai.usage.input_tokens': PROMPT_TOKENS,
      'gen_ai.usage.output_tokens': COMPLETION_TOKENS,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(JSON.parse(span.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' },
    ]);
  });

  it('traces streamed generate as text_completion, and a consumer that stops early', async () => {
    const stream = await client.generate({ model: 'llama3.2:3b', prompt: 'nil returns?', stream: true });
    let text = '';
    for await (const part of stream) text += part.response;
    expect(text).toBe(ANSWER);
    expect(only().name).toBe('text_completion llama3.2:3b');
    expect(only().attributes['gen_ai.usage.output_tokens']).toBe(COMPLETION_TOKENS);

    exporter.reset();
    const early = await client.generate({ model: 'llama3.2:3b', prompt: 'nil returns?', stream: true });
    for await (const _part of early) break;
    const span = only();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
  });

  it('traces embed and the older embeddings call as embeddings', async () => {
    const res = await client.embed({ model: 'nomic-embed-text', input: ['nil returns', 'KRA PIN'] });
    expect(res.embeddings).toHaveLength(2);
    expect(only().attributes).toEqual({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': 'nomic-embed-text',
      'gen_ai.response.model': 'nomic-embed-text',
      'gen_ai.usage.input_tokens': 8,
      'gen_ai.embeddings.dimension.count': 4,
      'server.address': '127.0.0.1',
      'server.port': port(),
    });
    exporter.reset();
    await client.embeddings({ model: 'nomic-embed-text', prompt: 'nil returns' });
    expect(only().name).toBe('embeddings nomic-embed-text');
    expect(only().attributes['gen_ai.embeddings.dimension.count']).toBe(3);
  });

  it('marks failures with error.type and rethrows them unchanged', async () => {
    await expect(client.chat({ model: 'missing', messages, stream: false })).rejects.toThrow(
      "model 'missing' not found",
    );
    const notFound = only();
    expect(notFound.status).toEqual({ code: SpanStatusCode.ERROR, message: "model 'missing' not found" });
    expect(notFound.attributes['error.type']).toBe('404');
    expect(notFound.events.map((e) => e.name)).toEqual(['exception']);

    exporter.reset();
    const stream = await client.chat({ model: 'broken-stream', messages, stream: true });
    await expect(
      (async () => {
        for await (const _part of stream) {
          // read until it breaks
        }
      })(),
    ).rejects.toThrow('model runner has unexpectedly stopped');
    expect(only().attributes['error.type']).toBe('Error');

    exporter.reset();
    const down = new ollama.Ollama({ host: 'http://127.0.0.1:9' });
    await expect(down.chat({ model: 'llama3.2:3b', messages, stream: false })).rejects.toThrow();
    expect(only().attributes['error.type']).toBe('TypeError');
  });

  it('marks an HTTP 500 and 429 with the status as error.type and the client’s class as the exception type', async () => {
    for (const [model, status] of [
      ['overloaded', '500'],
      ['rate-limited', '429'],
    ] as const) {
      exporter.reset();
      await expect(client.chat({ model, messages, stream: false })).rejects.toMatchObject({
        name: 'ResponseError',
        status_code: Number(status),
      });
      const span = only();
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes['error.type']).toBe(status);
      expect(span.events.map((e) => [e.name, e.attributes?.['exception.type']])).toEqual([
        ['exception', 'ResponseError'],
      ]);
    }
  });

  it('ends a call its fetch gives up on (a timeout signal) with error.type TimeoutError', async () => {
    // The client has no timeout option: users bound a call through the fetch it is given.
    const impatient = new ollama.Ollama({
      host: server.url,
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(100) }),
    });
    await expect(impatient.chat({ model: 'slow', messages, stream: false })).rejects.toThrow();
    const span = only();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('TimeoutError');
  });

  it('makes one span per model call of a tool loop: the tool call, then the answer with the tool’s result', async () => {
    instrumentation.setConfig({ captureMessageContent: true });
    const tools = [
      {
        type: 'function',
        function: {
          name: 'lookup_pin',
          description: 'the KRA PIN',
          parameters: { type: 'object', properties: {} },
        },
      },
    ];
    const first = await client.chat({ model: 'llama3.2:3b', messages, tools, stream: false });
    expect(first.message.tool_calls?.[0]?.function.name).toBe('lookup_pin');
    const second = await client.chat({
      model: 'llama3.2:3b',
      tools,
      stream: false,
      messages: [
        ...messages,
        first.message,
        { role: 'tool', tool_name: 'lookup_pin', content: '{"pin":"A1"}' },
      ],
    });
    expect(second.message.content).toBe(ANSWER);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.attributes['gen_ai.usage.input_tokens'])).toEqual([
      PROMPT_TOKENS,
      PROMPT_TOKENS,
    ]);
    expect(JSON.parse(spans[0]!.attributes['gen_ai.output.messages'] as string)).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', name: 'lookup_pin', arguments: { pin: 'A1' } }],
        finish_reason: 'stop',
      },
    ]);
    const input = JSON.parse(spans[1]!.attributes['gen_ai.input.messages'] as string);
    expect(input.at(-1)).toEqual({
      role: 'tool',
      parts: [{ type: 'tool_call_response', name: 'lookup_pin', response: '{"pin":"A1"}' }],
    });
  });

  it('runs the request inside its span, a child of the caller’s active span', async () => {
    const parent = tracerProvider.getTracer('app').startSpan('turn');
    await context.with(trace.setSpan(context.active(), parent), () =>
      client.chat({ model: 'llama3.2:3b', messages, stream: false }),
    );
    parent.end();
    const chat = exporter.getFinishedSpans().find((s) => s.name === 'chat llama3.2:3b')!;
    expect(chat.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(chat.parentSpanContext?.spanId ?? (chat as { parentSpanId?: string }).parentSpanId).toBe(
      parent.spanContext().spanId,
    );
  });

  it('records the GenAI client duration and token-usage histograms', async () => {
    await client.chat({ model: 'llama3.2:3b', messages, stream: false });
    await client.chat({ model: 'missing', messages, stream: false }).catch(() => undefined);
    const durations = await histogram('gen_ai.client.operation.duration');
    const ok = durations.find(
      (d) =>
        d.attributes['gen_ai.request.model'] === 'llama3.2:3b' && d.attributes['error.type'] === undefined,
    );
    expect(ok?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.response.model': 'llama3.2:3b-resolved',
      'server.address': '127.0.0.1',
    });
    expect(ok?.value.count).toBeGreaterThanOrEqual(1);
    expect(ok?.value.min).toBeGreaterThan(0);
    const failed = durations.find((d) => d.attributes['error.type'] === '404');
    expect(failed?.attributes['gen_ai.request.model']).toBe('missing');

    const tokens = await histogram('gen_ai.client.token.usage');
    const input = tokens.find(
      (d) =>
        d.attributes['gen_ai.token.type'] === 'input' && d.attributes['gen_ai.operation.name'] === 'chat',
    );
    const output = tokens.find(
      (d) =>
        d.attributes['gen_ai.token.type'] === 'output' && d.attributes['gen_ai.operation.name'] === 'chat',
    );
    expect(input?.value.sum).toBe(PROMPT_TOKENS * input!.value.count);
    expect(output?.value.sum).toBe(COMPLETION_TOKENS * output!.value.count);
  });

  it('records nothing once disabled, and patches again when re-enabled', async () => {
    instrumentation.disable();
    try {
      await client.chat({ model: 'llama3.2:3b', messages, stream: false });
      expect(exporter.getFinishedSpans()).toHaveLength(0);
    } finally {
      instrumentation.enable();
    }
    await client.chat({ model: 'llama3.2:3b', messages, stream: false });
    expect(only().name).toBe('chat llama3.2:3b');
  });
});
