import type { AnalyticsMessage } from '../message';
import { failAll } from './serialize';
import type { DeliveryResult, Sink } from './sink';
import { SinkClosedError } from './sink-errors';

/** Keeps every message in memory, in order: for tests and for inspecting a pipeline's output. */
export class MemorySink implements Sink {
  readonly messages: AnalyticsMessage[] = [];
  private closed = false;

  /** Keeps the message objects as they are (nothing is serialized). Never rejects. */
  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    if (this.closed) return failAll(messages, new SinkClosedError());
    // One push per message: spreading a very large batch into push() overflows the stack.
    for (let i = 0; i < messages.length; i++) this.messages.push(messages[i]!);
    return { delivered: messages.length, failed: 0, errors: [] };
  }

  /** messageIds of the kept messages, in order. */
  messageIds(): string[] {
    return this.messages.map((m) => m.messageId);
  }

  clear(): void {
    this.messages.length = 0;
  }

  async flush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.closed = true;
  }
}
