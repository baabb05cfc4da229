import { createRequire } from 'node:module';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type * as OpenAIModule from 'openai7';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  histogramPoints,
  recordTelemetryOf,
} from '../../instrumentation/test-support/genai-client-telemetry';
import { OpenAIInstrumentation } from '../src/index';
import {
  ANSWER,
  CACHED_TOKENS,
  COMPLETION_TOKENS,
  type FakeOpenAI,
  PROMPT_TOKENS,
  startFakeOpenAI,
} from './support/fake-openai-server';

/*
 * The real openai 7 client (installed here as `openai7`, beside the openai 6 the official
 * instrumentation covers) against a fake OpenAI server on 127.0.0.1. The alias has another module
 * name, so the test applies the instrumentation's own patch to it; test/module-systems.test.ts
 * checks the load hooks under the real name.
 */

const instrumentation = new OpenAIInstrumentation({ enabled: false });
const { exporter, reader } = recordTelemetryOf(instrumentation);

const require = createRequire(import.meta.url);
const openai: typeof OpenAIModule = require('openai7');
const version: string = require('openai7/version').VERSION;
const [definition] = instrumentation.getModuleDefinitions();
let server: FakeOpenAI;
let client: OpenAIModule.OpenAI;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  server = await startFakeOpenAI();
  instrumentation.enable();
  definition!.patch!(openai, version);
  client = new openai.OpenAI({ apiKey: 'test-key', baseURL: server.baseURL, maxRetries: 0 });
});

afterEach(() => {
  exporter.reset();
  instrumentation.setConfig({});
  delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
});

afterAll(async () => {
  definition!.unpatch!(openai, version);
  instrumentation.disable();
  await server.close();
  context.disable();
});

const only = (): ReadableSpan => {
  const spans = exporter.getFinishedSpans();
  expect(spans.map((s) => s.name)).toHaveLength(1);
  return spans[0]!;
};
const messages = [
  { role: 'system' as const, content: 'You are the KRA assistant.' },
  { role: 'user' as const, content: 'I want to file nil returns' },
];
/** The span ends in a side chain of the client's promise: let it run. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('OpenAIInstrumentation (openai 7)', () => {
  it('patches only the majors the official instrumentation does not support', () => {
    expect(version.startsWith('7.')).toBe(true);
    expect(definition!.supportedVersions).toEqual(['>=7.0.0 <8']);
  });

  it('makes one GenAI client span for chat.completions.create, with usage and no content by default', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      temperature: 0,
      max_completion_tokens: 64,
      seed: 7,
      stop: 'END',
      response_format: { type: 'json_object' },
    });
    expect(res.choices[0]!.message.content).toBe(ANSWER);
    await settled();
    const span = only();
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.instrumentationScope.name).toBe('@spantrack/instrumentation-openai');
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.seed': 7,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.output.type': 'json',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(server.baseURL).port),
      'gen_ai.response.id': 'chatcmpl-123',
      'gen_ai.response.model': 'gpt-4o-mini-2026-01-01',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': PROMPT_TOKENS,
      'gen_ai.usage.output_tokens': COMPLETION_TOKENS,
      'gen_ai.usage.cache_read.input_tokens': CACHED_TOKENS,
    });
  });

  it('keeps the client’s APIPromise (withResponse still works)', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages })
      .withResponse();
    expect(data.id).toBe('chatcmpl-123');
    expect(response.status).toBe(200);
    await settled();
    expect(only().attributes['gen_ai.usage.output_tokens']).toBe(COMPLETION_TOKENS);
  });

  it('records content only when asked to, by config or by the OTel env var', async () => {
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await settled();
    const attrs = only().attributes;
    expect(JSON.parse(attrs['gen_ai.input.messages'] as string)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are the KRA assistant.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'I want to file nil returns' }] },
    ]);
    expect(JSON.parse(attrs['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' },
    ]);
    exporter.reset();
    instrumentation.setConfig({ captureMessageContent: false });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await settled();
    expect(Object.keys(only().attributes).filter((k) => k.endsWith('.messages'))).toEqual([]);
  });

  it('ends a streamed completion with the stream, with the usage of its last chunk', async () => {
    instrumentation.setConfig({ captureMessageContent: true });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(ANSWER);
    const span = only();
    expect(span.attributes).toMatchObject({
      'gen_ai.response.model': 'gpt-4o-mini-2026-01-01',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': PROMPT_TOKENS,
      'gen_ai.usage.output_tokens': COMPLETION_TOKENS,
      'gen_ai.usage.cache_read.input_tokens': CACHED_TOKENS,
    });
    expect(JSON.parse(span.attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' },
    ]);
  });

  it('traces embeddings.create', async () => {
    await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'nil returns',
      encoding_format: 'float',
    });
    await settled();
    expect(only().attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.request.model': 'text-embedding-3-small',
      'gen_ai.response.model': 'text-embedding-3-small-v1',
      'gen_ai.request.encoding_formats': ['float'],
      'gen_ai.usage.input_tokens': 6,
      'gen_ai.embeddings.dimension.count': 3,
    });
  });

  it('marks API and connection failures with error.type, rethrowing them unchanged', async () => {
    await expect(client.chat.completions.create({ model: 'missing', messages })).rejects.toBeInstanceOf(
      openai.NotFoundError,
    );
    await settled();
    const span = only();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('404');

    exporter.reset();
    const down = new openai.OpenAI({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 });
    await expect(down.chat.completions.create({ model: 'gpt-4o-mini', messages })).rejects.toBeInstanceOf(
      openai.APIConnectionError,
    );
    await settled();
    expect(only().attributes['error.type']).toBe('APIConnectionError');
  });

  it('records the client’s error class as the exception type (error.type holds the status)', async () => {
    await expect(client.chat.completions.create({ model: 'missing', messages })).rejects.toBeInstanceOf(
      openai.NotFoundError,
    );
    await settled();
    const span = only();
    expect(span.attributes['error.type']).toBe('404');
    expect(span.events.map((e) => [e.name, e.attributes?.['exception.type']])).toEqual([
      ['exception', 'NotFoundError'],
    ]);
  });

  it('ends a call that outlasts the client’s timeout with error.type APIConnectionTimeoutError', async () => {
    const impatient = new openai.OpenAI({
      apiKey: 'test-key',
      baseURL: server.baseURL,
      maxRetries: 0,
      timeout: 100,
    });
    await expect(impatient.chat.completions.create({ model: 'slow', messages })).rejects.toBeInstanceOf(
      openai.APIConnectionTimeoutError,
    );
    await settled();
    const span = only();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('APIConnectionTimeoutError');
    expect(span.attributes['gen_ai.request.model']).toBe('slow');
  });

  it('makes one span per model call of a tool loop: the tool call, then the answer with the tool’s result', async () => {
    instrumentation.setConfig({ captureMessageContent: true });
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'lookup_pin', parameters: { type: 'object', properties: {} } },
      },
    ];
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
    const call = first.choices[0]!.message.tool_calls![0]!;
    const second = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools,
      messages: [
        ...messages,
        first.choices[0]!.message,
        { role: 'tool', tool_call_id: call.id, content: '{"pin":"A1"}' },
      ],
    });
    expect(second.choices[0]!.message.content).toBe(ANSWER);
    await settled();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.attributes['gen_ai.response.finish_reasons'])).toEqual([
      ['tool_calls'],
      ['stop'],
    ]);
    expect(spans.map((s) => s.attributes['gen_ai.usage.input_tokens'])).toEqual([
      PROMPT_TOKENS,
      PROMPT_TOKENS,
    ]);
    expect(JSON.parse(spans[0]!.attributes['gen_ai.output.messages'] as string)).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'call_1', name: 'lookup_pin', arguments: { pin: 'A1' } }],
        finish_reason: 'tool_calls',
      },
    ]);
    const input = JSON.parse(spans[1]!.attributes['gen_ai.input.messages'] as string);
    expect(input.at(-1)).toEqual({
      role: 'tool',
      parts: [{ type: 'tool_call_response', id: 'call_1', response: '{"pin":"A1"}' }],
    });
  });

  it('records the duration and token-usage histograms', async () => {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await settled();
    const points = (name: string) => histogramPoints(reader, '@spantrack/instrumentation-openai', name);
    const duration = (await points('gen_ai.client.operation.duration')).find(
      (d) =>
        d.attributes['gen_ai.request.model'] === 'gpt-4o-mini' && d.attributes['error.type'] === undefined,
    );
    expect(duration?.attributes['gen_ai.response.model']).toBe('gpt-4o-mini-2026-01-01');
    expect(duration?.value.count).toBeGreaterThanOrEqual(1);
    const input = (await points('gen_ai.client.token.usage')).find(
      (d) =>
        d.attributes['gen_ai.token.type'] === 'input' && d.attributes['gen_ai.operation.name'] === 'chat',
    );
    expect(input?.value.sum).toBe(PROMPT_TOKENS * input!.value.count);
  });
});
