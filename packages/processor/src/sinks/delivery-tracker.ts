import { diag } from '@opentelemetry/api';
import type { DeliveryResult } from './sink';

/** Called once per message: without `error` when the destination accepted it. */
export type DeliveryCallback = (messageId: string, error?: Error) => void;

/** One `send` call: its result fills as its messages settle, and resolves when the last one does. */
export interface SendCall {
  remaining: number;
  readonly result: DeliveryResult;
  readonly resolve: (result: DeliveryResult) => void;
}

/** A message the sink must deliver, and the call waiting on it. */
export interface TrackedMessage {
  readonly messageId: string;
  settled: boolean;
  readonly call: SendCall;
}

/** Counters of the tracker, totals since construction. */
export interface DeliveryTrackerStats {
  /** Messages the destination accepted. */
  delivered: number;
  /** Messages that failed for good. */
  failed: number;
  /** `onDelivery` calls that threw (caught: the bookkeeping goes on). */
  callbackErrors: number;
}

/**
 * The per-message bookkeeping shared by the Segment transports: which messages are pending,
 * delivered or failed, the counts, and `onDelivery`. A callback that throws is caught and counted,
 * so it can neither break the counts nor leave a `send` pending.
 */
export class DeliveryTracker {
  readonly stats: DeliveryTrackerStats = { delivered: 0, failed: 0, callbackErrors: 0 };
  private readonly pending = new Set<TrackedMessage>();

  constructor(private readonly onDelivery?: DeliveryCallback) {}

  /** Messages admitted and not settled yet. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Starts one `send` of `count` messages; the promise resolves once all of them settled. */
  open(count: number): { call: SendCall; done: Promise<DeliveryResult> } {
    const result: DeliveryResult = { delivered: 0, failed: 0, errors: [] };
    let resolve!: (r: DeliveryResult) => void;
    const done = new Promise<DeliveryResult>((r) => {
      resolve = r;
    });
    const call: SendCall = { remaining: count, result, resolve };
    if (count === 0) resolve(result);
    return { call, done };
  }

  /** A message the sink now owes an outcome for. */
  admit(call: SendCall, messageId: string): TrackedMessage {
    const message: TrackedMessage = { messageId, settled: false, call };
    this.pending.add(message);
    return message;
  }

  /** A message that was never admitted (invalid, too large, sink closed): it fails for this call alone. */
  reject(call: SendCall, messageId: string, error: Error): void {
    this.stats.failed++;
    this.notify(messageId, error);
    count(call, messageId, error);
  }

  /** Settles an admitted message, once; later calls for it are ignored. */
  settle(message: TrackedMessage, error?: Error): void {
    if (message.settled) return;
    message.settled = true;
    this.pending.delete(message);
    if (error) this.stats.failed++;
    else this.stats.delivered++;
    this.notify(message.messageId, error);
    count(message.call, message.messageId, error);
  }

  /** Every admitted message not settled yet (for a shutdown that gives up on them). */
  unsettled(): TrackedMessage[] {
    return [...this.pending];
  }

  private notify(messageId: string, error: Error | undefined): void {
    if (this.onDelivery === undefined) return;
    try {
      this.onDelivery(messageId, error);
    } catch (callbackError) {
      this.stats.callbackErrors++;
      diag.warn('spantrack: an onDelivery callback threw; delivery bookkeeping goes on', callbackError);
    }
  }
}

function count(call: SendCall, messageId: string, error?: Error): void {
  if (error) {
    call.result.failed += 1;
    call.result.errors.push({ messageId, error });
  } else {
    call.result.delivered += 1;
  }
  call.remaining -= 1;
  if (call.remaining === 0) call.resolve(call.result);
}
