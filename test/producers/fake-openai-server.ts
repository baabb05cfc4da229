import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Usage every answer reports: 12 prompt tokens (4 of them cached), 3 completion tokens. */
export const USAGE = {
  prompt_tokens: 12,
  completion_tokens: 3,
  total_tokens: 15,
  prompt_tokens_details: { cached_tokens: 4 },
};
export const MODEL = 'gpt-4o-mini-2024-07-18';

/** What the last user message asks the server to do. */
export const Trigger = {
  SERVER_ERROR: 'please fail with 500',
  RATE_LIMIT: 'please fail with 429',
  CONTEXT_LENGTH: 'please overflow the context',
  SLOW: 'please answer slowly',
} as const;

export interface FakeOpenAI {
  url: string;
  /** Chat requests received. */
  requests: number;
  close(): Promise<void>;
}

interface ChatBody {
  model?: string;
  stream?: boolean;
  tools?: unknown[];
  messages?: { role: string; content?: unknown }[];
}

/**
 * A local OpenAI-compatible server on 127.0.0.1: chat completions (plain and streamed with usage),
 * a tool loop (a request offering tools and holding no tool result is answered with a call of the
 * first tool), and failures chosen by the last user message (500, 429, context length, a reply
 * slower than any client timeout).
 */
export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const slow = new Set<ServerResponse>();
  const state = { requests: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
    });
    req.on('end', () => {
      state.requests++;
      let body: ChatBody;
      try {
        body = JSON.parse(raw) as ChatBody;
      } catch {
        return json(res, 400, { error: { message: 'invalid JSON body', type: 'invalid_request_error' } });
      }
      const messages = body.messages ?? [];
      const last = [...messages].reverse().find((m) => m.role === 'user');
      const said = typeof last?.content === 'string' ? last.content : '';
      if (said === Trigger.SERVER_ERROR)
        return json(res, 500, { error: { message: 'boom', type: 'server_error' } });
      if (said === Trigger.RATE_LIMIT)
        return json(res, 429, {
          error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' },
        });
      if (said === Trigger.CONTEXT_LENGTH) {
        return json(res, 400, {
          error: {
            message: "This model's maximum context length is 128000 tokens.",
            type: 'invalid_request_error',
            code: 'context_length_exceeded',
          },
        });
      }
      if (said === Trigger.SLOW) {
        slow.add(res);
        return;
      }
      const tools = body.tools as { function?: { name?: string } }[] | undefined;
      const callTool = tools !== undefined && tools.length > 0 && !messages.some((m) => m.role === 'tool');
      const message = callTool
        ? {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: tools[0]!.function?.name ?? 'tool', arguments: '{"id":"42"}' },
              },
            ],
          }
        : { role: 'assistant', content: 'Your order has shipped.' };
      const finish = callTool ? 'tool_calls' : 'stop';
      if (body.stream === true) return stream(res, message, finish);
      json(res, 200, {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: MODEL,
        choices: [{ index: 0, message, finish_reason: finish }],
        usage: USAGE,
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    get requests() {
      return state.requests;
    },
    async close() {
      for (const res of slow) res.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Server-sent chunks: the content, the finish reason, then a usage-only chunk (`include_usage`). */
function stream(res: ServerResponse, message: { content: string | null }, finish: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (choices: unknown[], usage?: unknown) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: MODEL, choices, usage: usage ?? null })}\n\n`;
  res.write(
    chunk([{ index: 0, delta: { role: 'assistant', content: message.content ?? '' }, finish_reason: null }]),
  );
  res.write(chunk([{ index: 0, delta: {}, finish_reason: finish }]));
  res.write(chunk([], USAGE));
  res.end('data: [DONE]\n\n');
}
