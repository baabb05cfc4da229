import type { AnalyticsMessage } from '../message';

/** What became of each message handed to a sink. */
export interface DeliveryResult {
  /** Messages the destination accepted. */
  delivered: number;
  /** Messages that will never be delivered (rejected as invalid, or retries exhausted). */
  failed: number;
  /** Per failed message: its id and why. */
  errors: { messageId: string; error: Error }[];
}

/** A destination for analytics messages. */
export interface Sink {
  /** Delivers a batch. Resolves once every message is delivered or has failed; never rejects. */
  send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult>;
  /** Delivers anything still buffered. */
  flush(timeoutMs?: number): Promise<void>;
  /** Flushes and releases resources; `send` after `shutdown` fails every message. */
  shutdown(timeoutMs?: number): Promise<void>;
}
