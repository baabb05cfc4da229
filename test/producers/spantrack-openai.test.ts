import { createRequire } from 'node:module';
import { OpenAIInstrumentation } from '@spantrack/instrumentation-openai';
import type * as OpenAIModule from 'openai7';
import { MODEL } from './fake-openai-server';
import { type Pipeline, useFakeOpenAI } from './harness';
import { describeModelClientMatrix, runOpenAiCase } from './scenarios-sdk';

/*
 * spantrack's own `@spantrack/instrumentation-openai` (openai 7, which the official instrumentation
 * does not cover yet) seen through the processor: the real openai 7 client against the local fake
 * OpenAI server. The client is installed as `openai7` beside openai 6, a module name the load hook
 * does not match, so the test applies the instrumentation's own patch to it.
 */

const require = createRequire(import.meta.url);
const openai: typeof OpenAIModule = require('openai7');
const version: string = require('openai7/version').VERSION;
const instrumentation = new OpenAIInstrumentation({ enabled: false });
const [definition] = instrumentation.getModuleDefinitions();

let client: OpenAIModule.OpenAI;

const server = useFakeOpenAI({
  setUp: () => {
    instrumentation.enable();
    definition!.patch!(openai, version);
  },
  tearDown: () => {
    definition!.unpatch!(openai, version);
    instrumentation.disable();
  },
});

function bind(pipeline: Pipeline): void {
  instrumentation.setTracerProvider(pipeline.provider);
  client = new openai.OpenAI({ baseURL: server().url, apiKey: 'test-key', maxRetries: 0, timeout: 300 });
}

describeModelClientMatrix({
  name: '@spantrack/instrumentation-openai (openai 7)',
  slug: 'st-openai',
  bind,
  run: (c) => runOpenAiCase(client, c),
  // 8 uncached × 0.15 + 4 cached × 0.075 + 3 × 0.6 µUSD.
  generation: {
    model: MODEL,
    prompt_tokens: 12,
    completion_tokens: 3,
    cached_input_tokens: 4,
    cost_usd: 3.3e-6,
  },
  errorClasses: {
    serverError: 'InternalServerError',
    rateLimit: 'RateLimitError',
    timeout: 'APIConnectionTimeoutError',
  },
});
