// A deterministic stand-in for a local Ollama server, so the bot (and `npm start`) needs no model
// and no network. It speaks the part of Ollama's HTTP API the bot uses (`POST /api/chat`, plus
// `GET /api/version` and `/api/tags`), answers with fixed intents, confidences and token counts,
// and can be told to misbehave: return invalid JSON, time out (never answer), or fail with a 500.
//
//   const model = await startFakeModelServer();
//   model.failNext('invalid_json', 2);          // or: POST {model.url}/__faults {"kind":"invalid_json","times":2}
//   new Ollama({ host: model.url }).chat({ model: 'llama3.2:3b', format: 'json', messages });
import { createServer } from 'node:http';

export const FAKE_MODEL = 'llama3.2:3b';

/**
 * Intents of a Kenyan tax bot (KRA: Kenya Revenue Authority), first match wins. Each has fixed
 * confidence and token counts, so every run produces the same events (the AI agent tracking plan's example:
 * "I want to file nil returns" is nil_filing at 0.99 with 120 prompt and 15 completion tokens).
 */
export const INTENTS = [
  {
    intent: 'nil_filing',
    match: /\bnil\b/i,
    confidence: 0.99,
    promptTokens: 120,
    completionTokens: 15,
    answer: 'Sure, I can help you file a nil return. Please send your KRA PIN.',
  },
  {
    intent: 'pin_provided',
    match: /\b[AP]\d{9}[A-Z]\b/,
    confidence: 0.97,
    promptTokens: 124,
    completionTokens: 15,
    answer: 'Thank you. Your nil return for 2025 has been filed. Acknowledgement number: KRA-NIL-2025-0417.',
  },
  {
    intent: 'pin_registration',
    match: /regist|new pin|get a (kra )?pin/i,
    confidence: 0.95,
    promptTokens: 118,
    completionTokens: 14,
    answer:
      'To register for a KRA PIN, send your national ID number and date of birth, and I will guide you.',
  },
  {
    intent: 'tcc_application',
    match: /\btcc\b|compliance certificate|cheti/i,
    confidence: 0.91,
    promptTokens: 131,
    completionTokens: 16,
    answer: 'You can apply for a Tax Compliance Certificate once all your returns are filed. Shall I check?',
  },
  {
    intent: 'payment_query',
    match: /pay|penalt|balance|owe/i,
    confidence: 0.88,
    promptTokens: 122,
    completionTokens: 15,
    answer: 'Let me look up your payment history. Please confirm your KRA PIN.',
  },
  {
    intent: 'other',
    match: /./,
    confidence: 0.42,
    promptTokens: 110,
    completionTokens: 13,
    answer: 'I can help with nil returns, KRA PIN registration, compliance certificates and payments.',
  },
];

/** Finds the intent of a text, as the fake model "understands" it. */
export function intentOf(text) {
  return INTENTS.find((i) => i.match.test(text)) ?? INTENTS[INTENTS.length - 1];
}

const FAULT_KINDS = new Set(['invalid_json', 'timeout', 'error']);

/**
 * Starts the fake model server on 127.0.0.1 and a free port.
 * @param {{ port?: number, classifyDelayMs?: number, generateDelayMs?: number }} [options]
 *   delays stand for inference time (defaults 40 and 70 ms), so latency figures look like latency.
 */
export async function startFakeModelServer(options = {}) {
  const classifyDelayMs = options.classifyDelayMs ?? 40;
  const generateDelayMs = options.generateDelayMs ?? 70;
  /** Faults to apply to the next chat requests, in order. */
  const faults = [];
  /** Every chat request, for tests: { model, kind, text, fault }. */
  const requests = [];
  /** Responses held open by the `timeout` fault, ended when the client gives up or on close. */
  const held = new Set();

  function failNext(kind, times = 1) {
    if (!FAULT_KINDS.has(kind)) throw new Error(`unknown fault ${kind}: use invalid_json, timeout or error`);
    for (let i = 0; i < times; i++) faults.push(kind);
  }

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error) => {
        send(res, 500, { error: String(error) });
      });
    });
  });

  async function handle(req, res, body) {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/api/version') return send(res, 200, { version: '0.0.0-fake' });
    if (req.method === 'GET' && path === '/api/tags') {
      return send(res, 200, { models: [{ name: FAKE_MODEL, model: FAKE_MODEL, size: 0 }] });
    }
    if (req.method === 'POST' && path === '/__faults') {
      const { kind, times } = JSON.parse(body || '{}');
      try {
        failNext(kind, times ?? 1);
      } catch (error) {
        return send(res, 400, { error: error.message });
      }
      return send(res, 200, { queued: faults.length });
    }
    if (req.method !== 'POST' || path !== '/api/chat') return send(res, 404, { error: 'not found' });

    let request;
    try {
      request = JSON.parse(body);
    } catch {
      return send(res, 400, { error: 'invalid JSON body' });
    }
    const messages = Array.isArray(request.messages) ? request.messages : [];
    const text = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    // A JSON-format request is a classification; anything else asks for an answer.
    const kind = request.format ? 'classify' : 'generate';
    const fault = faults.shift();
    requests.push({ model: request.model, kind, text, fault });

    if (fault === 'timeout') {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    await sleep(kind === 'classify' ? classifyDelayMs : generateDelayMs);
    if (fault === 'error') return send(res, 500, { error: 'model runner has unexpectedly stopped' });

    const found = intentOf(text);
    let content;
    let completionTokens;
    let promptTokens = found.promptTokens;
    if (kind === 'classify') {
      content =
        fault === 'invalid_json'
          ? // What small models do under load: prose around half an object.
            `Sure! Here is the intent: {"intent": "${found.intent}", "confidence": `
          : JSON.stringify({ intent: found.intent, confidence: found.confidence });
      completionTokens = found.completionTokens;
    } else {
      content = found.answer;
      completionTokens = found.answer.split(/\s+/).length;
      promptTokens = 60 + Math.ceil(text.length / 4);
    }
    const now = new Date();
    send(res, 200, {
      model: request.model ?? FAKE_MODEL,
      created_at: now.toISOString(),
      message: { role: 'assistant', content },
      done: true,
      done_reason: 'stop',
      total_duration: 1_000_000 * (kind === 'classify' ? classifyDelayMs : generateDelayMs),
      load_duration: 0,
      prompt_eval_count: promptTokens,
      prompt_eval_duration: 0,
      eval_count: completionTokens,
      eval_duration: 0,
    });
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    requests,
    failNext,
    /** Faults still queued. */
    pendingFaults: () => [...faults],
    async close() {
      for (const res of held) res.destroy();
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
