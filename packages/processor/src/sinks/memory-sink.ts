import type { AnalyticsMessage } from '../message';
import type { DeliveryResult, Sink } from './sink';
import { SinkClosedError } from './sink-errors';

/** Keeps every message in memory, in order: for tests and for inspecting a pipeline's output. */
export class MemorySink implements Sink {
  readonly messages: AnalyticsMessage[] = [];
  private closed = false;

  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    if (this.closed) {
      const error = new SinkClosedError();
      return {
        delivered: 0,
        failed: messages.length,
        errors: messages.map((m) => ({ messageId: m.messageId, error })),
      };
    }
    this.messages.push(...messages);
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
