import type { AnalyticsMessage } from '../message';
import { type DedupeWindowOptions, DeliveredIdWindow } from './delivered-id-window';
import { messageIdOf } from './serialize';
import type { DeliveryResult, Sink } from './sink';

/** Counters of a {@link DeduplicatingSink}, totals since construction. */
export interface DeduplicationStats {
  /** Messages not handed to the sink: their id was in flight, or delivered within the window. */
  deduplicated: number;
}

/**
 * Exactly once within a window, in process, in front of any sink: a messageId in flight is not
 * handed over again (the later `send` waits for the delivery under way and reports its outcome),
 * and one delivered within the window (`DedupeWindowOptions`: 100,000 ids, 10 minutes by default)
 * is reported delivered at once without being sent. Failed messages are not remembered: sending
 * them again retries them. Messages without a string messageId pass through untouched.
 */
export class DeduplicatingSink implements Sink {
  readonly stats: DeduplicationStats = { deduplicated: 0 };
  private readonly window: DeliveredIdWindow;
  /** Outcome of each id in flight: its error, or undefined once delivered. */
  private readonly inFlight = new Map<string, Promise<Error | undefined>>();

  constructor(
    readonly inner: Sink,
    window?: DedupeWindowOptions,
  ) {
    this.window = new DeliveredIdWindow(window);
  }

  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    const result: DeliveryResult = { delivered: 0, failed: 0, errors: [] };
    const fresh: AnalyticsMessage[] = [];
    const settle = new Map<string, (error: Error | undefined) => void>();
    const joined: Promise<void>[] = [];
    for (const message of messages) {
      const id = messageIdOf(message);
      if (id === '') {
        fresh.push(message);
        continue;
      }
      const pending = this.inFlight.get(id);
      if (pending !== undefined) {
        this.stats.deduplicated++;
        joined.push(pending.then((error) => count(result, id, error)));
        continue;
      }
      if (this.window.has(id)) {
        this.stats.deduplicated++;
        count(result, id, undefined);
        continue;
      }
      this.inFlight.set(
        id,
        new Promise<Error | undefined>((resolve) => {
          settle.set(id, resolve);
        }),
      );
      fresh.push(message);
    }
    if (fresh.length > 0) {
      const outcome = await this.inner.send(fresh).catch(
        (error: unknown): DeliveryResult => ({
          delivered: 0,
          failed: fresh.length,
          errors: fresh.map((m) => ({
            messageId: messageIdOf(m),
            error: error instanceof Error ? error : new Error(String(error)),
          })),
        }),
      );
      result.delivered += outcome.delivered;
      result.failed += outcome.failed;
      for (const e of outcome.errors) result.errors.push(e);
      const errors = new Map(outcome.errors.map((e) => [e.messageId, e.error]));
      for (const [id, resolve] of settle) {
        this.inFlight.delete(id);
        const error = errors.get(id);
        if (error === undefined) this.window.add(id);
        resolve(error);
      }
    }
    await Promise.all(joined);
    return result;
  }

  flush(timeoutMs?: number): Promise<void> {
    return this.inner.flush(timeoutMs);
  }

  shutdown(timeoutMs?: number): Promise<void> {
    return this.inner.shutdown(timeoutMs);
  }
}

function count(result: DeliveryResult, messageId: string, error: Error | undefined): void {
  if (error === undefined) result.delivered += 1;
  else {
    result.failed += 1;
    result.errors.push({ messageId, error });
  }
}
