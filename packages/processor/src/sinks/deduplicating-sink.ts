import type { AnalyticsMessage } from '../message';
import { type DedupeWindowOptions, DeliveredIdWindow, IdBatch } from './delivered-id-window';
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
  /** Every id sent recently with its batch: one lookup tells in flight, delivered or to send. */
  private readonly window: DeliveredIdWindow;

  constructor(
    readonly inner: Sink,
    window?: DedupeWindowOptions,
  ) {
    this.window = new DeliveredIdWindow(window);
  }

  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    const result: DeliveryResult = { delivered: 0, failed: 0, errors: [] };
    const fresh: AnalyticsMessage[] = [];
    // Ids already in flight, with the batch each waits for.
    const joinedIds: string[] = [];
    const joinedBatches: IdBatch[] = [];
    // One record per batch, shared by its ids: no promise per message.
    let batch: IdBatch | undefined;
    const now = Date.now();
    for (const message of messages) {
      const id = messageIdOf(message);
      if (id === '') {
        fresh.push(message);
        continue;
      }
      const seen = this.window.find(id, now);
      if (seen === true) {
        this.stats.deduplicated++;
        count(result, id, undefined);
        continue;
      }
      if (seen !== undefined) {
        this.stats.deduplicated++;
        joinedIds.push(id);
        joinedBatches.push(seen);
        continue;
      }
      batch ??= new IdBatch();
      this.window.add(id, batch);
      fresh.push(message);
    }
    if (fresh.length > 0) {
      let outcome: DeliveryResult;
      try {
        outcome = await this.inner.send(fresh);
      } catch (error) {
        // Thrown or rejected alike: the batch fails, and settles (nothing waits on it for ever).
        outcome = {
          delivered: 0,
          failed: fresh.length,
          errors: fresh.map((m) => ({
            messageId: messageIdOf(m),
            error: error instanceof Error ? error : new Error(String(error)),
          })),
        };
      }
      result.delivered += outcome.delivered;
      result.failed += outcome.failed;
      for (const e of outcome.errors) result.errors.push(e);
      const errors =
        outcome.errors.length === 0 ? undefined : new Map(outcome.errors.map((e) => [e.messageId, e.error]));
      // Every id of the batch is now delivered (at this time) or failed: failed ones are forgotten.
      batch?.settle(errors, Date.now());
    }
    for (let k = 0; k < joinedIds.length; k++) {
      const errors = await joinedBatches[k]!.settled;
      const id = joinedIds[k]!;
      count(result, id, errors?.get(id));
    }
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
