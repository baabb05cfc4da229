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
  /** The batch each id in flight was sent in: a later `send` of the id waits for that batch. */
  private readonly inFlight = new Map<string, InFlightBatch>();

  constructor(
    readonly inner: Sink,
    window?: DedupeWindowOptions,
  ) {
    this.window = new DeliveredIdWindow(window);
  }

  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    const result: DeliveryResult = { delivered: 0, failed: 0, errors: [] };
    const fresh: AnalyticsMessage[] = [];
    const freshIds: string[] = [];
    // Ids already in flight, with the batch each waits for.
    const joinedIds: string[] = [];
    const joinedBatches: InFlightBatch[] = [];
    let batch: InFlightBatch | undefined;
    const now = Date.now();
    for (const message of messages) {
      const id = messageIdOf(message);
      if (id === '') {
        fresh.push(message);
        continue;
      }
      const pending = this.inFlight.get(id);
      if (pending !== undefined) {
        this.stats.deduplicated++;
        joinedIds.push(id);
        joinedBatches.push(pending);
        continue;
      }
      if (this.window.has(id, now)) {
        this.stats.deduplicated++;
        count(result, id, undefined);
        continue;
      }
      // One record per batch, shared by its ids: no promise per message.
      batch ??= new InFlightBatch();
      this.inFlight.set(id, batch);
      freshIds.push(id);
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
      const errors =
        outcome.errors.length === 0 ? undefined : new Map(outcome.errors.map((e) => [e.messageId, e.error]));
      const deliveredAt = Date.now();
      for (const id of freshIds) {
        this.inFlight.delete(id);
        if (errors?.get(id) === undefined) this.window.add(id, deliveredAt);
      }
      batch?.settle(errors);
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

/** One `send`'s messages in flight: settles with the errors of those that failed, by id. */
class InFlightBatch {
  readonly settled: Promise<Map<string, Error> | undefined>;
  settle!: (errors: Map<string, Error> | undefined) => void;

  constructor() {
    this.settled = new Promise((resolve) => {
      this.settle = resolve;
    });
  }
}

function count(result: DeliveryResult, messageId: string, error: Error | undefined): void {
  if (error === undefined) result.delivered += 1;
  else {
    result.failed += 1;
    result.errors.push({ messageId, error });
  }
}
