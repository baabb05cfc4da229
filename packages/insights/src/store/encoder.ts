// The store's JavaScript work on messages, apart from DuckDB: each send's column values when it is
// queued, and for each batch the id check and the INSERT's text. `EncoderCore` does it; the store
// runs it on its encoder thread (`ThreadEncoder`) or, where that thread cannot start, on its own
// (`InThreadEncoder`). Nothing here touches DuckDB.
import type { AnalyticsMessage } from '@spantrack/processor';
import { type EncodedBatch, encodeBatch, withoutStored } from './batch-encoding';
import { type EventValues, toEventValues, UnstorableMessageError } from './message-row';
import type { StoredIds } from './stored-ids';

/** A message that cannot be stored, as plain data: its send, its place there, and why. */
export interface Unstorable {
  readonly send: number;
  readonly index: number;
  readonly messageId: string;
  /** The error, as plain data: its name and message, and for an `UnstorableMessageError` its fields. */
  readonly error: { name: string; message: string; messageId?: string; reason?: string };
}

/** What became of a batch of sends. */
export interface EncodedSends {
  /** The new rows as the INSERT takes them. */
  readonly batch: EncodedBatch;
  /** The messages that cannot be stored. */
  readonly unstorable: readonly Unstorable[];
  /**
   * Over the batch's storable messages (its sends in order, each without its unstorable ones): 1
   * at each message the store holds already or that came earlier in the batch. Undefined when none.
   */
  readonly dropped: Uint8Array | undefined;
  readonly duplicates: number;
  /** The id set after the batch: ids held and the bytes of its table. */
  readonly idSet: { ids: number; bytes: number };
  /** The new rows as values, where the encoder ran on the store's own thread (the slow path's input). */
  readonly rows?: readonly EventValues[];
}

/** An error rebuilt on this side of a thread from its name and message. */
export function rebuiltError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Looks up which of `ids` are stored (`storedAmong` on the store's writer). */
export type LookUp = (ids: string[]) => Promise<Set<string>>;

/** How the store hands its messages to an encoder. */
export interface StoreEncoder {
  /** Whether the work runs on the encoder thread. */
  readonly thread: boolean;
  /** Set once the encoder cannot go on (its thread stopped); the store then moves to another. */
  readonly failure: Error | undefined;
  /** Queues one send's messages under the number `send`. */
  add(send: number, messages: readonly AnalyticsMessage[]): void;
  /** Encodes the sends queued under these numbers, in this order, as one batch. */
  encode(sends: readonly number[], lookUp: LookUp): Promise<EncodedSends>;
  /** Uses `ids` from now on (read again from the table); this encoder owns it afterwards. */
  replaceIds(ids: StoredIds): void;
  close(): Promise<void>;
}

interface QueuedSend {
  readonly rows: EventValues[];
  readonly unstorable: Unstorable[];
}

/** One send's messages as rows, with those that cannot be stored and why. */
export function convertSend(send: number, messages: readonly AnalyticsMessage[]): QueuedSend {
  const rows: EventValues[] = [];
  const unstorable: Unstorable[] = [];
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index]!;
    try {
      rows.push(toEventValues(message));
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      unstorable.push({
        send,
        index,
        messageId: String(message?.messageId ?? ''),
        error:
          e instanceof UnstorableMessageError
            ? { name: e.name, message: e.message, messageId: e.messageId, reason: e.reason }
            : { name: e.name, message: e.message },
      });
    }
  }
  return { rows, unstorable };
}

/** The encoder's state and work, wherever it runs. */
export class EncoderCore {
  private readonly queued = new Map<number, QueuedSend>();

  constructor(private ids: StoredIds) {}

  add(send: number, messages: readonly AnalyticsMessage[]): void {
    this.queued.set(send, convertSend(send, messages));
  }

  /** Queues a send converted elsewhere (messages that are not JSON text: see `ThreadEncoder.add`). */
  addConverted(send: number, converted: QueuedSend): void {
    this.queued.set(send, converted);
  }

  replaceIds(ids: StoredIds): void {
    this.ids = ids;
  }

  async encode(sends: readonly number[], lookUp: LookUp): Promise<EncodedSends> {
    const rows: EventValues[] = [];
    const unstorable: Unstorable[] = [];
    const missing: number[] = [];
    for (const send of sends) {
      const queued = this.queued.get(send);
      if (queued === undefined) {
        missing.push(send);
        continue;
      }
      this.queued.delete(send);
      for (const row of queued.rows) rows.push(row);
      for (const u of queued.unstorable) unstorable.push(u);
    }
    if (missing.length > 0) throw new Error(`sends ${missing.join(', ')} were never queued in the encoder`);
    const fresh = await withoutStored(rows, this.ids, lookUp);
    return {
      batch: encodeBatch(fresh.rows),
      unstorable,
      dropped: fresh.dropped,
      duplicates: fresh.duplicates,
      idSet: { ids: this.ids.size, bytes: this.ids.bytes },
      rows: fresh.rows,
    };
  }
}

/** The encoder on the store's own thread: the fallback where the encoder thread cannot run. */
export class InThreadEncoder implements StoreEncoder {
  readonly thread = false;
  readonly failure = undefined;
  private readonly core: EncoderCore;

  constructor(ids: StoredIds) {
    this.core = new EncoderCore(ids);
  }

  add(send: number, messages: readonly AnalyticsMessage[]): void {
    this.core.add(send, messages);
  }

  encode(sends: readonly number[], lookUp: LookUp): Promise<EncodedSends> {
    return this.core.encode(sends, lookUp);
  }

  replaceIds(ids: StoredIds): void {
    this.core.replaceIds(ids);
  }

  async close(): Promise<void> {}
}
