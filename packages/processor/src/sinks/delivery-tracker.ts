import { diag } from '@opentelemetry/api';
import { type DedupeWindowOptions, DeliveredIdWindow } from './delivered-id-window';
import type { DeliveryResult } from './sink';

/** Called once per message: without `error` when the destination accepted it. */
export type DeliveryCallback = (messageId: string, error?: Error) => void;

/** One `send` call: its result fills as its messages settle, and resolves when the last one does. */
export interface SendCall {
  remaining: number;
  readonly result: DeliveryResult;
  readonly resolve: (result: DeliveryResult) => void;
}

/** A message the sink must deliver: the calls waiting on it (more than one when a send repeated it). */
export interface TrackedMessage {
  readonly messageId: string;
  settled: boolean;
  readonly calls: SendCall[];
}

/** Counters of the tracker, totals since construction. */
export interface DeliveryTrackerStats {
  /** Messages the destination accepted. */
  delivered: number;
  /** Messages that failed for good. */
  failed: number;
  /** Messages not sent because the same messageId was in flight or delivered within the window. */
  deduplicated: number;
  /** `onDelivery` calls that threw (caught: the bookkeeping goes on). */
  callbackErrors: number;
}

/**
 * The per-message bookkeeping shared by the Segment transports: which messages are pending,
 * delivered or failed, the counts, and `onDelivery`. A callback that throws is caught and counted,
 * so it can neither break the counts nor leave a `send` pending.
 *
 * Exactly once within a window: a messageId already in flight is not sent again (the new call
 * waits for the delivery under way), and one delivered within the window (`dedupe`, default
 * 100,000 ids and 10 minutes) is reported delivered at once without being sent.
 */
export class DeliveryTracker {
  readonly stats: DeliveryTrackerStats = { delivered: 0, failed: 0, deduplicated: 0, callbackErrors: 0 };
  private readonly pending = new Map<string, TrackedMessage>();
  private readonly window: DeliveredIdWindow | undefined;

  constructor(
    private readonly onDelivery?: DeliveryCallback,
    dedupe?: DedupeWindowOptions | false,
  ) {
    this.window = dedupe === false ? undefined : new DeliveredIdWindow(dedupe);
  }

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

  /**
   * The message to send, or undefined when it must not be sent: its id is in flight (the call now
   * waits for that delivery) or was delivered within the window (counted delivered for the call now).
   * Only well-formed ids are deduplicated; the sink checks them before admitting.
   */
  admit(call: SendCall, messageId: string): TrackedMessage | undefined {
    const inFlight = this.pending.get(messageId);
    if (inFlight !== undefined) {
      this.stats.deduplicated++;
      inFlight.calls.push(call);
      return undefined;
    }
    if (this.window?.has(messageId)) {
      this.stats.deduplicated++;
      count(call, messageId);
      return undefined;
    }
    const message: TrackedMessage = { messageId, settled: false, calls: [call] };
    this.pending.set(messageId, message);
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
    if (this.pending.get(message.messageId) === message) this.pending.delete(message.messageId);
    if (error) this.stats.failed++;
    else {
      this.stats.delivered++;
      this.window?.add(message.messageId);
    }
    this.notify(message.messageId, error);
    for (const call of message.calls) count(call, message.messageId, error);
  }

  /** Every admitted message not settled yet (for a shutdown that gives up on them). */
  unsettled(): TrackedMessage[] {
    return [...this.pending.values()];
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
