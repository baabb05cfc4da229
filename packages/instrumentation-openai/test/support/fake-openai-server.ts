import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A local stand-in for the OpenAI HTTP API on 127.0.0.1: `/v1/chat/completions` (whole, or
 * streamed as server-sent events with a usage chunk when `stream_options.include_usage` is set)
 * and `/v1/embeddings`. Model `missing` answers 404 as the API does for an unknown model; model
 * `slow` never answers (until the server closes), so the client's timeout ends the call. A request
 * offering tools and holding no tool result is answered with a call of the first tool.
 */

export const ANSWER = 'Sure, I can help you file a nil return.';
export const PROMPT_TOKENS = 120;
export const COMPLETION_TOKENS = 15;
/** Of the prompt tokens, those the answer says came from the prompt cache. */
export const CACHED_TOKENS = 100;

export interface FakeOpenAI {
  baseURL: string;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

const usage = {
  prompt_tokens: PROMPT_TOKENS,
  completion_tokens: COMPLETION_TOKENS,
  total_tokens: 135,
  prompt_tokens_details: { cached_tokens: CACHED_TOKENS },
};

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const model = String(body.model ?? '');
        if (model === 'slow') return;
        if (model === 'missing') {
          return json(res, 404, {
            error: { message: `The model \`${model}\` does not exist`, type: 'invalid_request_error' },
          });
        }
        if (req.url === '/v1/embeddings') {
          return json(res, 200, {
            object: 'list',
            model: `${model}-v1`,
            data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
            usage: { prompt_tokens: 6, total_tokens: 6 },
          });
        }
        if (req.url !== '/v1/chat/completions') return json(res, 404, { error: { message: 'not found' } });
        const id = 'chatcmpl-123';
        const resolved = `${model}-2026-01-01`;
        const tools = body.tools as { function?: { name?: string } }[] | undefined;
        const messages = (body.messages ?? []) as { role?: string }[];
        if (tools !== undefined && tools.length > 0 && !messages.some((m) => m.role === 'tool')) {
          const call = {
            id: 'call_1',
            type: 'function',
            function: { name: tools[0]!.function?.name ?? 'tool', arguments: '{"pin":"A1"}' },
          };
          return json(res, 200, {
            id,
            object: 'chat.completion',
            created: 1_700_000_000,
            model: resolved,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: null, tool_calls: [call] },
                finish_reason: 'tool_calls',
                logprobs: null,
              },
            ],
            usage,
          });
        }
        if (body.stream !== true) {
          return json(res, 200, {
            id,
            object: 'chat.completion',
            created: 1_700_000_000,
            model: resolved,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: ANSWER },
                finish_reason: 'stop',
                logprobs: null,
              },
            ],
            usage,
          });
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
        const chunk = (delta: unknown, finish: string | null) => ({
          id,
          object: 'chat.completion.chunk',
          created: 1_700_000_000,
          model: resolved,
          choices: [{ index: 0, delta, finish_reason: finish }],
        });
        send(chunk({ role: 'assistant', content: '' }, null));
        for (const word of ANSWER.split(/(?<= )/)) send(chunk({ content: word }, null));
        send(chunk({}, 'stop'));
        const options = body.stream_options as { include_usage?: boolean } | undefined;
        if (options?.include_usage === true) {
          send({
            id,
            object: 'chat.completion.chunk',
            created: 1_700_000_000,
            model: resolved,
            choices: [],
            usage,
          });
        }
        res.end('data: [DONE]\n\n');
      },
      () => json(res, 400, { error: { message: 'invalid JSON body' } }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
