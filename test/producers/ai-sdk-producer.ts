import { aiError, generation } from './scenarios';
import { type CaseReport, SdkCase } from './scenarios-sdk';

/*
 * What the Vercel AI SDK tests share, whichever major of the `ai` package (6 or 7) drives the
 * mock model: its steps and stream, the cases run through it, and what the SDK's spans report.
 */

export const MODEL = 'mock-model-id';
export const PRICES = { [MODEL]: { input: 1, output: 2, cachedInput: 0.5 } };

/** A step's usage as a mock model reports it. */
const usage = (input: number, cached: number, output: number) => ({
  inputTokens: { total: input, noCache: input - cached, cacheRead: cached, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

/** A step that calls `lookup_order` (10 input tokens, 4 of them cached, 2 output). */
export const CALL_TOOL = {
  content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'lookup_order', input: '{"id":"42"}' }],
  finishReason: { unified: 'tool-calls', raw: undefined },
  usage: usage(10, 4, 2),
  warnings: [],
};

/** A step that answers (20 input tokens, 5 output). */
export const ANSWER = {
  content: [{ type: 'text', text: 'Your order has shipped.' }],
  finishReason: { unified: 'stop', raw: undefined },
  usage: usage(20, 0, 5),
  warnings: [],
};

/** The answer streamed in two parts, then its usage. */
const STREAM_CHUNKS = [
  { type: 'stream-start', warnings: [] },
  { type: 'text-start', id: 't1' },
  { type: 'text-delta', id: 't1', delta: 'Your order ' },
  { type: 'text-delta', id: 't1', delta: 'has shipped.' },
  { type: 'text-end', id: 't1' },
  { type: 'finish', finishReason: { unified: 'stop', raw: undefined }, usage: usage(20, 0, 5) },
];

/** Call options and mock settings: each major of the `ai` package types them its own way. */
// biome-ignore lint/suspicious/noExplicitAny: the two majors' option types have nothing in common to name
type MajorSpecific = any;

/** What the cases use of one major of the `ai` package. */
export interface AiSdkPackage {
  generateText(options: MajorSpecific): PromiseLike<{ text: string }>;
  streamText(options: MajorSpecific): { textStream: AsyncIterable<string> };
  stepCountIs(count: number): unknown;
  simulateReadableStream(options: { chunks: never[] }): unknown;
  APICallError: new (options: {
    message: string;
    url: string;
    requestBodyValues: Record<string, unknown>;
    statusCode: number;
    isRetryable: boolean;
  }) => Error;
}

/** The major's mock language model class (`MockLanguageModelV3`, `MockLanguageModelV4`). */
type MockModelClass<Model> = new (settings: MajorSpecific) => Model;

/** Mock models and the matrix's cases, made with one major of the `ai` package and its mock model. */
export function aiSdkCases<Model>(sdk: AiSdkPackage, MockModel: MockModelClass<Model>) {
  /** A step that throws the HTTP error the provider would (`APICallError`). */
  const throwing = (statusCode: number, message: string) => (): never => {
    throw new sdk.APICallError({
      message,
      url: 'http://127.0.0.1/v1/chat/completions',
      requestBodyValues: {},
      statusCode,
      isRetryable: true,
    });
  };

  /** A model that answers with `steps` in order (a function step throws). */
  const model = (steps: readonly unknown[]): Model => {
    let i = 0;
    return new MockModel({
      doGenerate: async () => {
        const step = steps[Math.min(i++, steps.length - 1)];
        return typeof step === 'function' ? step() : step;
      },
    });
  };

  const streamingModel = (): Model =>
    new MockModel({
      doStream: async () => ({ stream: sdk.simulateReadableStream({ chunks: STREAM_CHUNKS as never[] }) }),
    });

  /** A model that never answers: it only gives up when the call is aborted (the SDK's `timeout`). */
  const slowModel = (): Model =>
    new MockModel({
      doGenerate: ({ abortSignal }: { abortSignal?: AbortSignal }) =>
        new Promise<never>((_resolve, reject) => {
          abortSignal?.addEventListener('abort', () => reject(abortSignal.reason), { once: true });
        }),
    });

  /** Runs a case with `common` call options (prompt, retries, telemetry); `lookupOrder` is the tool. */
  async function run(c: SdkCase, common: Record<string, unknown>, lookupOrder: unknown): Promise<string> {
    switch (c) {
      case SdkCase.CHAT:
        return (await sdk.generateText({ ...common, model: model([ANSWER]) })).text;
      case SdkCase.STREAM: {
        let text = '';
        for await (const part of sdk.streamText({ ...common, model: streamingModel() }).textStream) {
          text += part;
        }
        return text;
      }
      case SdkCase.TOOL_LOOP: {
        const loop = { tools: { lookup_order: lookupOrder }, stopWhen: sdk.stepCountIs(3) };
        return (await sdk.generateText({ ...common, ...loop, model: model([CALL_TOOL, ANSWER]) })).text;
      }
      case SdkCase.SERVER_ERROR:
        return (await sdk.generateText({ ...common, model: model([throwing(500, 'Internal Server Error')]) }))
          .text;
      case SdkCase.RATE_LIMIT:
        return (await sdk.generateText({ ...common, model: model([throwing(429, 'Rate limit reached')]) }))
          .text;
      case SdkCase.TIMEOUT:
        return (await sdk.generateText({ ...common, model: slowModel(), timeout: 50 })).text;
    }
  }

  return { model, throwing, run };
}

// Tool step: 6 uncached × 1 + 4 cached × 0.5 + 2 × 2 = 12; answer step: 20 × 1 + 5 × 2 = 30 (µUSD).
const toolStep = generation({
  model: MODEL,
  prompt_tokens: 10,
  completion_tokens: 2,
  cached_input_tokens: 4,
  cost_usd: 12e-6,
});
const answerStep = generation({
  model: MODEL,
  prompt_tokens: 20,
  completion_tokens: 5,
  cached_input_tokens: 0,
  cost_usd: 30e-6,
});

const REPORTS: Record<SdkCase, CaseReport> = {
  [SdkCase.CHAT]: { calls: [answerStep] },
  [SdkCase.STREAM]: { calls: [answerStep] },
  [SdkCase.TOOL_LOOP]: { calls: [toolStep, answerStep], actions: ['lookup_order'] },
  [SdkCase.SERVER_ERROR]: { calls: [aiError('server_error', 'AI_APICallError')], fails: true },
  [SdkCase.RATE_LIMIT]: { calls: [aiError('rate_limit', 'AI_APICallError')], fails: true },
  [SdkCase.TIMEOUT]: { calls: [aiError('timeout', 'TimeoutError')], fails: true },
};

/** What the SDK's spans report for a case, in either major. */
export const reportOfAiSdk = (c: SdkCase): CaseReport => REPORTS[c];
