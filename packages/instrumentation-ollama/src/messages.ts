import type { OllamaMessage, OllamaRequest, OllamaResponse } from './internal-types';

// The GenAI conventions' message shapes (`gen_ai.input.messages` and friends), recorded on spans as
// JSON strings because span attributes cannot hold structured values.

type Part =
  | { type: 'text'; content: string }
  | { type: 'reasoning'; content: string }
  | { type: 'tool_call'; name: string; arguments?: unknown }
  | { type: 'tool_call_response'; name?: string; response: string };

interface ChatMessage {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

function partsOf(message: OllamaMessage): Part[] {
  const parts: Part[] = [];
  if (message.role === 'tool') {
    parts.push({
      type: 'tool_call_response',
      ...(message.tool_name !== undefined ? { name: message.tool_name } : {}),
      response: message.content ?? '',
    });
    return parts;
  }
  if (typeof message.thinking === 'string' && message.thinking !== '') {
    parts.push({ type: 'reasoning', content: message.thinking });
  }
  if (typeof message.content === 'string' && message.content !== '') {
    parts.push({ type: 'text', content: message.content });
  }
  for (const call of message.tool_calls ?? []) {
    parts.push({ type: 'tool_call', name: call.function?.name ?? '', arguments: call.function?.arguments });
  }
  return parts;
}

/** `gen_ai.input.messages` of a chat or generate request. */
export function inputMessages(request: OllamaRequest): string | undefined {
  if (Array.isArray(request.messages)) {
    return JSON.stringify(request.messages.map((m) => ({ role: m.role ?? 'user', parts: partsOf(m) })));
  }
  if (typeof request.prompt === 'string') {
    return JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: request.prompt }] }]);
  }
  return undefined;
}

/** `gen_ai.system_instructions` of a generate request's `system` field. */
export function systemInstructions(request: OllamaRequest): string | undefined {
  if (typeof request.system !== 'string' || request.system === '') return undefined;
  return JSON.stringify([{ type: 'text', content: request.system }]);
}

/** `gen_ai.output.messages` of a chat or generate response (or a stream's accumulated one). */
export function outputMessages(response: OllamaResponse): string | undefined {
  let message: ChatMessage;
  if (response.message !== undefined) {
    message = { role: response.message.role ?? 'assistant', parts: partsOf(response.message) };
  } else if (typeof response.response === 'string') {
    message = { role: 'assistant', parts: [{ type: 'text', content: response.response }] };
  } else {
    return undefined;
  }
  if (response.done_reason !== undefined) message.finish_reason = response.done_reason;
  return JSON.stringify([message]);
}
