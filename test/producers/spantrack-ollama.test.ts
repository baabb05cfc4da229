import { createRequire } from 'node:module';
import { OllamaInstrumentation } from '@spantrack/instrumentation-ollama';
import type * as OllamaModule from 'ollama';
import { afterAll, beforeAll } from 'vitest';
import {
  COMPLETION_TOKENS,
  type FakeOllama,
  PROMPT_TOKENS,
  startFakeOllama,
} from '../../packages/instrumentation-ollama/test/support/fake-ollama-server';
import { disableContext, enableContext, type Pipeline } from './harness';
import { describeModelClientMatrix, LOOKUP_ORDER_TOOLS, SdkCase } from './scenarios-sdk';

/*
 * spantrack's own `@spantrack/instrumentation-ollama` seen through the processor: the real `ollama`
 * client (loaded with require() once the instrumentation is enabled, so its hook patches it)
 * against the package's fake Ollama server on 127.0.0.1.
 */

const MODEL = 'llama3.2:3b';
/** The model the fake server says answered, priced here: local models are in no public table. */
const RESOLVED = `${MODEL}-resolved`;
const PRICES = { [RESOLVED]: { input: 0.1, output: 0.2 } };

const instrumentation = new OllamaInstrumentation({ enabled: false });
let ollama: typeof OllamaModule;
let server: FakeOllama;
let client: OllamaModule.Ollama;
/** A client that gives up after 100 ms: ollama has no timeout option, its fetch is bounded. */
let impatient: OllamaModule.Ollama;

beforeAll(async () => {
  enableContext();
  server = await startFakeOllama();
  instrumentation.enable();
  ollama = createRequire(import.meta.url)('ollama');
});
afterAll(async () => {
  instrumentation.disable();
  disableContext();
  await server.close();
});

function bind(pipeline: Pipeline): void {
  instrumentation.setTracerProvider(pipeline.provider);
  client = new ollama.Ollama({ host: server.url });
  impatient = new ollama.Ollama({
    host: server.url,
    fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(100) }),
  });
}

const ask = { role: 'user', content: 'where is my order?' };

async function run(c: SdkCase): Promise<string> {
  switch (c) {
    case SdkCase.CHAT:
      return (await client.chat({ model: MODEL, messages: [ask], stream: false })).message.content;
    case SdkCase.STREAM: {
      let text = '';
      for await (const part of await client.chat({ model: MODEL, messages: [ask], stream: true }))
        text += part.message.content;
      return text;
    }
    case SdkCase.TOOL_LOOP: {
      const first = await client.chat({
        model: MODEL,
        messages: [ask],
        tools: LOOKUP_ORDER_TOOLS,
        stream: false,
      });
      const name = first.message.tool_calls?.[0]?.function.name ?? '';
      const result = { role: 'tool', tool_name: name, content: '{"status":"shipped"}' };
      const messages = [ask, first.message, result];
      return (await client.chat({ model: MODEL, messages, tools: LOOKUP_ORDER_TOOLS, stream: false })).message
        .content;
    }
    case SdkCase.SERVER_ERROR:
      return (await client.chat({ model: 'overloaded', messages: [ask], stream: false })).message.content;
    case SdkCase.RATE_LIMIT:
      return (await client.chat({ model: 'rate-limited', messages: [ask], stream: false })).message.content;
    case SdkCase.TIMEOUT:
      return (await impatient.chat({ model: 'slow', messages: [ask], stream: false })).message.content;
  }
}

describeModelClientMatrix({
  name: '@spantrack/instrumentation-ollama',
  slug: 'st-ollama',
  prices: PRICES,
  bind,
  run,
  // 120 × 0.1 + 15 × 0.2 µUSD.
  generation: {
    model: RESOLVED,
    prompt_tokens: PROMPT_TOKENS,
    completion_tokens: COMPLETION_TOKENS,
    cost_usd: 15e-6,
  },
  errorClasses: { serverError: 'ResponseError', rateLimit: 'ResponseError', timeout: 'TimeoutError' },
});
