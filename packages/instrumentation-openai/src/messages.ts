import type { ChatChoice, ChatMessageParam, ChatToolCall } from './internal-types';

// The GenAI conventions' message shapes (`gen_ai.input.messages`, `gen_ai.output.messages`),
// recorded on spans as JSON strings because span attributes cannot hold structured values.

type Part =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id?: string; name: string; arguments?: unknown }
  | { type: 'tool_call_response'; id?: string; response: string };

function textOf(content: ChatMessageParam['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (typeof p.text === 'string' ? p.text : (p.refusal ?? ''))).join('');
}

function parsedArguments(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function toolCallPart(call: ChatToolCall): Part {
  return {
    type: 'tool_call',
    ...(call.id !== undefined ? { id: call.id } : {}),
    name: call.function?.name ?? '',
    arguments: parsedArguments(call.function?.arguments),
  };
}

function partsOf(message: ChatMessageParam): Part[] {
  const text = textOf(message.content);
  if (message.role === 'tool') {
    return [
      {
        type: 'tool_call_response',
        ...(message.tool_call_id !== undefined ? { id: message.tool_call_id } : {}),
        response: text,
      },
    ];
  }
  const parts: Part[] = text !== '' ? [{ type: 'text', content: text }] : [];
  for (const call of message.tool_calls ?? []) parts.push(toolCallPart(call));
  return parts;
}

/** `gen_ai.input.messages` of a chat completion request. */
export function inputMessages(messages: ChatMessageParam[] | undefined): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  return JSON.stringify(messages.map((m) => ({ role: m.role ?? 'user', parts: partsOf(m) })));
}

/** `gen_ai.output.messages` of a chat completion (or a stream's accumulated choices). */
export function outputMessages(choices: ChatChoice[] | undefined): string | undefined {
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  return JSON.stringify(
    choices.map((c) => ({
      role: c.message?.role ?? 'assistant',
      parts: c.message !== undefined ? partsOf(c.message) : [],
      ...(c.finish_reason ? { finish_reason: c.finish_reason } : {}),
    })),
  );
}
