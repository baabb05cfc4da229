import type { OllamaMessage, OllamaResponse } from './internal-types';

/**
 * Folds a streamed answer's chunks into the one response a non-streamed call would have returned:
 * text and thinking concatenated, tool calls collected, the rest (model, usage, `done_reason`)
 * from the final chunk, which is the only one that carries the token counts.
 */
export class StreamAccumulator {
  private readonly text: string[] = [];
  private readonly thinking: string[] = [];
  private readonly toolCalls: NonNullable<OllamaMessage['tool_calls']> = [];
  private last: OllamaResponse | undefined;
  private role: string | undefined;
  private generated = false;

  add(chunk: OllamaResponse): void {
    this.last = chunk;
    if (chunk.message !== undefined) {
      this.role ??= chunk.message.role;
      if (typeof chunk.message.content === 'string') this.text.push(chunk.message.content);
      if (typeof chunk.message.thinking === 'string') this.thinking.push(chunk.message.thinking);
      if (Array.isArray(chunk.message.tool_calls)) this.toolCalls.push(...chunk.message.tool_calls);
    } else if (typeof chunk.response === 'string') {
      this.generated = true;
      this.text.push(chunk.response);
    }
  }

  /** Whether the final chunk (`done: true`) arrived. */
  get done(): boolean {
    return this.last?.done === true;
  }

  response(): OllamaResponse {
    const { message: _m, response: _r, ...rest } = this.last ?? {};
    if (this.generated) return { ...rest, response: this.text.join('') };
    const message: OllamaMessage = { role: this.role ?? 'assistant', content: this.text.join('') };
    if (this.thinking.length > 0) message.thinking = this.thinking.join('');
    if (this.toolCalls.length > 0) message.tool_calls = this.toolCalls;
    return { ...rest, message };
  }
}
