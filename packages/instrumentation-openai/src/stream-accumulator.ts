import type { ChatChoice, ChatCompletion, ChatToolCall } from './internal-types';

interface ChoiceState {
  role: string;
  text: string[];
  toolCalls: ChatToolCall[];
  finishReason: string | null;
}

/**
 * Folds streamed chat completion chunks into the completion a non-streamed call would have
 * returned: per choice, text concatenated and tool-call arguments joined by index; id, model and
 * usage (sent only with `stream_options.include_usage`, in the last chunk) from the chunks.
 */
export class StreamAccumulator {
  private id: string | undefined;
  private model: string | undefined;
  private usage: ChatCompletion['usage'];
  private readonly choices = new Map<number, ChoiceState>();

  add(chunk: ChatCompletion): void {
    if (chunk === null || typeof chunk !== 'object') return;
    this.id ??= chunk.id;
    this.model ??= chunk.model;
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      const index = choice.index ?? 0;
      let state = this.choices.get(index);
      if (state === undefined) {
        state = { role: 'assistant', text: [], toolCalls: [], finishReason: null };
        this.choices.set(index, state);
      }
      const delta = choice.delta;
      if (typeof delta?.role === 'string') state.role = delta.role;
      if (typeof delta?.content === 'string') state.text.push(delta.content);
      for (const call of delta?.tool_calls ?? []) {
        const at = call.index ?? state.toolCalls.length;
        const known = state.toolCalls[at];
        if (known === undefined) {
          state.toolCalls[at] = {
            ...(call.id !== undefined ? { id: call.id } : {}),
            function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' },
          };
        } else if (known.function !== undefined) {
          known.function.arguments = (known.function.arguments ?? '') + (call.function?.arguments ?? '');
        }
      }
      if (choice.finish_reason) state.finishReason = choice.finish_reason;
    }
  }

  completion(): ChatCompletion {
    const choices: ChatChoice[] = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, s]) => ({
        index,
        finish_reason: s.finishReason,
        message: {
          role: s.role,
          content: s.text.join(''),
          ...(s.toolCalls.length > 0 ? { tool_calls: s.toolCalls.filter(Boolean) } : {}),
        },
      }));
    return {
      ...(this.id !== undefined ? { id: this.id } : {}),
      ...(this.model !== undefined ? { model: this.model } : {}),
      choices,
      usage: this.usage ?? null,
    };
  }
}
