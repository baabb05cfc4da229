import { createRequire } from 'node:module';
import { metrics } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import type OpenAIType from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MODEL, startFakeOpenAI, Trigger } from './fake-openai-server';
import { names, Pipeline, useFakeOpenAI } from './harness';
import { describeModelClientMatrix, runOpenAiCase } from './scenarios-sdk';

/*
 * The official `@opentelemetry/instrumentation-openai` (real library, real openai 6 client) against
 * a local OpenAI-compatible server. It patches `require('openai')`, so the client is loaded after it.
 */

let OpenAI: typeof OpenAIType;
let client: OpenAIType;
const instrumentation = new OpenAIInstrumentation();

const server = useFakeOpenAI({
  setUp: () => {
    instrumentation.setMeterProvider(metrics.getMeterProvider());
    OpenAI = createRequire(import.meta.url)('openai').OpenAI;
  },
  tearDown: () => instrumentation.disable(),
});

/** Points the instrumentation at the test's pipeline; a client whose timeout the SLOW trigger outlasts. */
function bind(pipeline: Pipeline): void {
  instrumentation.setTracerProvider(pipeline.provider);
  client = new OpenAI({ baseURL: server().url, apiKey: 'test-key', maxRetries: 0, timeout: 300 });
}

describeModelClientMatrix({
  name: '@opentelemetry/instrumentation-openai',
  slug: 'otel-openai',
  bind,
  run: (c) => runOpenAiCase(client, c),
  // 12 × 0.15 + 3 × 0.6 µUSD: it reports no cached tokens, so all 12 are priced as uncached input.
  generation: { model: MODEL, prompt_tokens: 12, completion_tokens: 3, cost_usd: 3.6e-6 },
  errorClasses: {
    serverError: 'InternalServerError',
    rateLimit: 'RateLimitError',
    timeout: 'APIConnectionTimeoutError',
  },
});

describe('@opentelemetry/instrumentation-openai: other failures', () => {
  let pipeline: Pipeline;
  beforeEach(() => {
    pipeline = new Pipeline();
    bind(pipeline);
  });
  afterEach(() => pipeline.shutdown());

  it('a context-length refusal (HTTP 400) is one ai.error context_length', async () => {
    await expect(
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: Trigger.CONTEXT_LENGTH }],
      }),
    ).rejects.toThrow();
    const events = await pipeline.events();
    expect(names(events)).toEqual(['ai.error']);
    expect(events[0]!.properties).toEqual({ error_type: 'context_length', error_class: 'BadRequestError' });
  });

  it('a refused connection is one ai.error network', async () => {
    const closed = await startFakeOpenAI();
    const url = closed.url;
    await closed.close();
    const down = new OpenAI({ baseURL: url, apiKey: 'k', maxRetries: 0 });
    await expect(
      down.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toThrow();
    const events = await pipeline.events();
    expect(names(events)).toEqual(['ai.error']);
    expect(events[0]!.properties).toEqual({ error_type: 'network', error_class: 'APIConnectionError' });
  });
});
