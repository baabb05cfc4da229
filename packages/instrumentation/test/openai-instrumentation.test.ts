import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import type OpenAIClient from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup, useAsyncContext } from './support';

/*
 * An official instrumentation's span, started inside withContext, carries the scope: the real
 * `openai` client (patched by @opentelemetry/instrumentation-openai through its require hook)
 * talks to a local fake OpenAI-compatible server.
 */

useAsyncContext();

const completion = {
  id: 'chatcmpl-123',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'nil_filing', refusal: null },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage: { prompt_tokens: 120, completion_tokens: 15, total_tokens: 135 },
};

let server: Server;
let baseURL: string;
const env = setup();
const instrumentation = new OpenAIInstrumentation();

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(completion));
      });
      return;
    }
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  instrumentation.setTracerProvider(env.provider);
  instrumentation.enable();
});

afterAll(async () => {
  instrumentation.disable();
  server.close();
  trace.disable();
  context.disable();
});

describe('@opentelemetry/instrumentation-openai inside withContext', () => {
  it('carries the user and conversation onto the chat span', async () => {
    // Loaded through Node's require, after enable(), so the require hook patches it.
    const { default: OpenAI } = createRequire(import.meta.url)('openai') as { default: typeof OpenAIClient };
    const client = new OpenAI({ apiKey: 'test-key', baseURL, maxRetries: 0 });

    const intent = await env.tracker.withContext({ userId: '+254712345678', conversationId: 'conv-42' }, () =>
      env.tracker.classify({ model: 'gpt-4o-mini' }, async (h) => {
        const res = await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'I want to file nil returns' }],
        });
        h.setModel(res.model).setUsage({
          inputTokens: res.usage?.prompt_tokens,
          outputTokens: res.usage?.completion_tokens,
        });
        return { intent: res.choices[0]?.message.content ?? '', confidence: 0.99 };
      }),
    );
    expect(intent.intent).toBe('nil_filing');

    const chat = env.spans().find((s) => s.name.startsWith('chat gpt-'));
    expect(chat, `spans: ${env.spans().map((s) => s.name)}`).toBeDefined();
    expect(chat!.instrumentationScope.name).toBe('@opentelemetry/instrumentation-openai');
    expect(chat!.attributes).toMatchObject({
      'user.id': '+254712345678',
      'gen_ai.conversation.id': 'conv-42',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 120,
    });
    const classify = env.named('classify default');
    expect(chat!.parentSpanContext?.spanId).toBe(classify.spanContext().spanId);
    expect(classify.attributes).toMatchObject({
      'user.id': '+254712345678',
      'gen_ai.conversation.id': 'conv-42',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'spantrack.intent.name': 'nil_filing',
    });
  });
});
