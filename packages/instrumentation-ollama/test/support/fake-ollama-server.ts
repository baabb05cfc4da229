import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A local stand-in for the Ollama HTTP API on 127.0.0.1: `/api/chat` and `/api/generate` (whole
 * or streamed as NDJSON, usage on the final chunk only, as Ollama sends it), `/api/embed` and
 * `/api/embeddings`. Model `missing` answers 404 as Ollama does for an unpulled model; model
 * `broken-stream` fails in the middle of a stream with an `{"error": ...}` line; `overloaded`
 * answers 500, `rate-limited` 429 (as a proxy in front of Ollama would); `slow` never answers
 * (until the server closes). A chat offering tools and holding no tool result is answered with a
 * call of the first tool.
 */

export const ANSWER = 'Sure, I can help you file a nil return.';
export const PROMPT_TOKENS = 120;
export const COMPLETION_TOKENS = 15;

export interface FakeOllama {
  url: string;
  /** Request bodies received, by path. */
  requests: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function final(model: string, kind: 'chat' | 'generate') {
  return {
    model,
    created_at: '2026-01-01T00:00:00Z',
    ...(kind === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '' }),
    done: true,
    done_reason: 'stop',
    total_duration: 1_000_000,
    prompt_eval_count: PROMPT_TOKENS,
    eval_count: COMPLETION_TOKENS,
  };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

export async function startFakeOllama(): Promise<FakeOllama> {
  const requests: FakeOllama['requests'] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    readBody(req).then(
      (body) => {
        requests.push({ path, body });
        const model = String(body.model ?? '');
        if (model === 'missing') return json(res, 404, { error: `model '${model}' not found` });
        if (model === 'overloaded') return json(res, 500, { error: 'server overloaded, please retry' });
        if (model === 'rate-limited') return json(res, 429, { error: 'too many requests' });
        if (model === 'slow') return;
        if (path === '/api/embed') {
          const inputs = Array.isArray(body.input) ? body.input : [body.input];
          return json(res, 200, {
            model,
            embeddings: inputs.map(() => [0.1, 0.2, 0.3, 0.4]),
            prompt_eval_count: 8,
          });
        }
        if (path === '/api/embeddings') return json(res, 200, { embedding: [0.1, 0.2, 0.3] });
        if (path !== '/api/chat' && path !== '/api/generate') return json(res, 404, { error: 'not found' });
        const kind = path === '/api/chat' ? 'chat' : 'generate';
        const last = final(`${model}-resolved`, kind);
        const tools = body.tools as { function?: { name?: string } }[] | undefined;
        const messages = (body.messages ?? []) as { role?: string }[];
        if (
          kind === 'chat' &&
          tools !== undefined &&
          tools.length > 0 &&
          !messages.some((m) => m.role === 'tool')
        ) {
          const call = { function: { name: tools[0]!.function?.name ?? 'tool', arguments: { pin: 'A1' } } };
          const message = { role: 'assistant', content: '', tool_calls: [call] };
          if (body.stream === false) return json(res, 200, { ...last, message });
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          res.write(`${JSON.stringify({ model: last.model, message, done: false })}\n`);
          res.end(`${JSON.stringify(last)}\n`);
          return;
        }
        if (body.stream === false) {
          const whole =
            kind === 'chat'
              ? { ...last, message: { role: 'assistant', content: ANSWER } }
              : { ...last, response: ANSWER };
          return json(res, 200, whole);
        }
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        const words = ANSWER.split(/(?<= )/);
        for (const [i, word] of words.entries()) {
          if (model === 'broken-stream' && i === 2) {
            res.end(`${JSON.stringify({ error: 'model runner has unexpectedly stopped' })}\n`);
            return;
          }
          const chunk =
            kind === 'chat'
              ? { model: last.model, message: { role: 'assistant', content: word }, done: false }
              : { model: last.model, response: word, done: false };
          res.write(`${JSON.stringify(chunk)}\n`);
        }
        res.end(`${JSON.stringify(last)}\n`);
      },
      () => json(res, 400, { error: 'invalid JSON body' }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
