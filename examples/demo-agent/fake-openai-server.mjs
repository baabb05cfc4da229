// A deterministic stand-in for the OpenAI Chat Completions API on 127.0.0.1, so the demo's help
// desk runs the real `openai` client (and its OpenTelemetry instrumentation) with no key and no
// network. `POST /v1/chat/completions`: a request with `response_format: { type: 'json_object' }`
// is answered with an intent classification, any other with an answer; fixed intents, confidences,
// token counts and inference delays per intent, so every run makes the same events. It can be told
// to misbehave: drop the connection (`network`) or refuse an over-long prompt (`context_length`).
//
//   const model = await startFakeOpenAIServer();
//   model.failNext('context_length');
//   new OpenAI({ baseURL: model.baseURL, apiKey: 'demo', maxRetries: 0 }).chat.completions.create(...)
import { createServer } from 'node:http';

/** The dated snapshot the API answers with for a model name (priced as the model itself). */
const SNAPSHOTS = { 'gpt-4o': 'gpt-4o-2024-08-06', 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' };

/**
 * Intents of an online shop's help desk, first match wins; delays stand for inference time and
 * spread the latency figures over several buckets.
 */
export const HELP_DESK_INTENTS = [
  {
    intent: 'order_status',
    match: /order|deliver|track|parcel/i,
    confidence: 0.94,
    classifyMs: 35,
    answerMs: 140,
    answer: 'Your order left our warehouse yesterday and should arrive within two days.',
  },
  {
    intent: 'refund_request',
    match: /refund|money back|return/i,
    confidence: 0.89,
    classifyMs: 45,
    answerMs: 260,
    answer: 'I have opened a refund for you: it reaches your card in 3 to 5 working days.',
  },
  {
    intent: 'product_question',
    match: /size|colou?r|stock|come in/i,
    confidence: 0.81,
    classifyMs: 30,
    answerMs: 110,
    answer: 'Yes, the trail shoes come in sizes 39 to 47, and size 46 is in stock.',
  },
  {
    intent: 'account_access',
    match: /log ?in|password|account/i,
    confidence: 0.77,
    classifyMs: 50,
    answerMs: 560,
    answer: 'I have sent a password reset link to the e-mail address on your account.',
  },
  {
    intent: 'other',
    match: /./,
    confidence: 0.38,
    classifyMs: 25,
    answerMs: 90,
    answer: 'I can help with orders, refunds, products and your account. What do you need?',
  },
];

/** The intent the fake model "understands" in a text. */
export function helpDeskIntentOf(text) {
  return HELP_DESK_INTENTS.find((i) => i.match.test(text)) ?? HELP_DESK_INTENTS[HELP_DESK_INTENTS.length - 1];
}

const FAULT_KINDS = new Set(['network', 'context_length']);

/** Starts the server on 127.0.0.1 and a free port. */
export async function startFakeOpenAIServer() {
  const faults = [];
  /** Every chat request, for tests: { model, kind, text, fault }. */
  const requests = [];

  function failNext(kind, times = 1) {
    if (!FAULT_KINDS.has(kind)) throw new Error(`unknown fault ${kind}: use network or context_length`);
    for (let i = 0; i < times; i++) faults.push(kind);
  }

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error) => {
        send(res, 500, { error: { message: String(error), type: 'server_error' } });
      });
    });
  });

  async function handle(req, res, body) {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return send(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
    }
    let request;
    try {
      request = JSON.parse(body);
    } catch {
      return send(res, 400, { error: { message: 'invalid JSON body', type: 'invalid_request_error' } });
    }
    const messages = Array.isArray(request.messages) ? request.messages : [];
    const text = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const kind = request.response_format?.type === 'json_object' ? 'classify' : 'answer';
    const fault = faults.shift();
    requests.push({ model: request.model, kind, text, fault });
    const found = helpDeskIntentOf(text);
    await sleep(kind === 'classify' ? found.classifyMs : found.answerMs);

    // The connection drops before any answer: the client sees a network error.
    if (fault === 'network') return void req.socket.destroy();
    if (fault === 'context_length') {
      return send(res, 400, {
        error: {
          message:
            "This model's maximum context length is 128000 tokens. Please reduce the length of the messages.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      });
    }
    const content =
      kind === 'classify'
        ? JSON.stringify({ intent: found.intent, confidence: found.confidence })
        : found.answer;
    const promptTokens = 40 + messages.reduce((n, m) => n + Math.ceil(String(m.content ?? '').length / 4), 0);
    const completionTokens = Math.ceil(content.length / 4);
    send(res, 200, {
      id: `chatcmpl-demo-${requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: SNAPSHOTS[request.model] ?? request.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    });
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    failNext,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res, status, body) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
