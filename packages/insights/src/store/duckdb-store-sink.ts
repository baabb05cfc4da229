import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { AnalyticsMessage, DeliveryResult, Sink } from '@spantrack/processor';
import { Insights } from '../insights';
import { type AppendPath, BatchWriter, storedAmong } from './append-rows';
import {
  type EncodedSends,
  InThreadEncoder,
  rebuiltError,
  type StoreEncoder,
  type Unstorable,
} from './encoder';
import { findEncoderScript, ThreadEncoder } from './encoder-thread';
import { type EventValues, toEventValues, UnstorableMessageError } from './message-row';
import { type EventStoreOptions, type ResolvedStoreOptions, resolveStoreOptions } from './options';
import { CREATE_EVENTS_TABLE, CREATE_STAGING_TABLE, DELETE_EXPIRED } from './schema';
import { ConnectionPool, SerialConnection } from './serial-connection';
import { StoreClosedError, StoreFullError, StoreWriteError } from './store-errors';
import { StoredIds } from './stored-ids';

/**
 * DuckDB's settings for the store. A checkpoint rewrites the table's last, partly filled row group
 * and compresses it again; at DuckDB's default threshold (16 MB of write-ahead log) that happened
 * several times per row group: 64 MB took a fifth off the store's CPU per event (27 to 21-23 µs,
 * alternated runs). 64 MB keeps the log small to replay after a crash and its rows small in memory.
 */
const DATABASE_SETTINGS = { checkpoint_threshold: '64MB' };

interface ShrinkWaiter {
  limit: number;
  resolve: () => void;
  /** Gives the wait up after `maxWaitMs`; undefined when the wait is unbounded. */
  timer: NodeJS.Timeout | undefined;
}

interface Pending {
  /** The send's number in the encoder. */
  send: number;
  messages: readonly AnalyticsMessage[];
  result: DeliveryResult;
  resolve: (result: DeliveryResult) => void;
}

/**
 * A sink that keeps messages in DuckDB for the insights queries. `send` only hands the messages to
 * the store's encoder (a worker thread of its own, see `ThreadEncoder`) and queues; a writer stores
 * queued messages in batches (`batchSize` or every `flushIntervalMs`), so the pipeline never waits
 * on a disk write per message. `send` resolves once its messages are committed.
 */
export class DuckDbStoreSink implements Sink {
  readonly options: ResolvedStoreOptions;
  /** Connections the queries use; writes go through their own, so a dashboard never blocks ingest. */
  readonly reader: ConnectionPool;
  private readonly writer: SerialConnection;
  private readonly queue: Pending[] = [];
  private queuedRows = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;
  private readonly listeners = new Set<() => void>();
  /** Callers of `queuedAtMost` waiting for the queue to shrink. */
  private readonly shrinkWaiters: ShrinkWaiter[] = [];
  /** The metric queries over this store. */
  readonly insights: Insights;
  /** Batches written, by how (see `BatchWriter`): at once, or the slow way (text DuckDB's JSON reader refuses). */
  readonly batches: Record<AppendPath, number> = { fast: 0, slow: 0 };
  /**
   * Messages the store held already when they came again (redeliveries, a conversation's start
   * reported by every turn): answered as stored, not written twice.
   */
  duplicates = 0;
  /**
   * Converts sends, checks each batch's ids against those stored (see `StoredIds`, which it holds)
   * and makes the INSERT's text: on its own thread, or on this one where that cannot run.
   */
  private encoder: StoreEncoder;
  /** The id set's figures as of the last batch (the set itself is the encoder's). */
  private idFigures: { ids: number; bytes: number };
  private nextSend = 0;
  /** Rows deleted by retention since the id set was read from the table (their ids still in it). */
  private expiredSinceLoad = 0;
  /** Set by retention when the id set is to be read again, which the writer does between two batches. */
  private idsStale = false;
  /** The writer connection's INSERT. */
  private readonly batchWriter: BatchWriter;
  /** Resolved by `send` once a whole batch is queued, for a drain waiting to take the next one. */
  private batchQueued: { promise: Promise<void>; resolve: () => void } | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    writer: SerialConnection,
    reader: ConnectionPool,
    options: ResolvedStoreOptions,
    ids: StoredIds,
  ) {
    this.idFigures = { ids: ids.size, bytes: ids.bytes };
    this.encoder = startEncoder(ids, options.encoderThread);
    this.writer = writer;
    this.batchWriter = new BatchWriter(writer.connection);
    this.reader = reader;
    this.options = options;
    this.insights = new Insights(reader, 'local');
  }

  /** Opens (creating when missing) the database, applies retention once, and starts the retention timer. */
  static async open(options: EventStoreOptions = {}): Promise<DuckDbStoreSink> {
    const resolved = resolveStoreOptions(options);
    if (resolved.path !== ':memory:') mkdirSync(dirname(resolved.path), { recursive: true });
    const instance = await DuckDBInstance.create(resolved.path, DATABASE_SETTINGS);
    const writeConnection = await instance.connect();
    await writeConnection.run(CREATE_EVENTS_TABLE);
    await writeConnection.run(CREATE_STAGING_TABLE);
    const store = new DuckDbStoreSink(
      instance,
      new SerialConnection(writeConnection),
      new ConnectionPool([
        new SerialConnection(await instance.connect()),
        new SerialConnection(await instance.connect()),
      ]),
      resolved,
      await StoredIds.load(writeConnection),
    );
    await store.applyRetention();
    if (resolved.retentionDays > 0) {
      store.retentionTimer = setInterval(() => {
        store.applyRetention().catch(() => {});
      }, resolved.retentionIntervalMs);
      store.retentionTimer.unref();
    }
    return store;
  }

  /** Queues messages; resolves when they are stored (or have failed). Never rejects. */
  send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    const result: DeliveryResult = { delivered: 0, failed: 0, errors: [] };
    if (messages.length === 0) return Promise.resolve(result);
    const refuse = (error: Error) => {
      for (const m of messages) result.errors.push({ messageId: String(m?.messageId ?? ''), error });
      result.failed = messages.length;
      return Promise.resolve(result);
    };
    if (this.closed) return refuse(new StoreClosedError());
    if (this.queuedRows + messages.length > this.options.maxQueuedMessages) {
      return refuse(new StoreFullError(this.options.maxQueuedMessages));
    }
    const send = this.nextSend++;
    this.encoder.add(send, messages);
    return new Promise((resolve) => {
      // A copy: the caller (or another sink beside this one) may reuse its array once `send` returns.
      this.queue.push({ send, messages: messages.slice(), result, resolve });
      this.queuedRows += messages.length;
      if (this.batchQueued !== undefined && this.queuedRows >= this.options.batchSize) this.wakeBatchQueued();
      this.schedule();
    });
  }

  /** Writes everything queued so far. */
  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    while (this.queue.length > 0 || this.writing) {
      await (this.writing ?? this.drain());
    }
  }

  /** Flushes, stops the timers and closes the database; later `send`s fail with `StoreClosedError`. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeShrinkWaiters();
    this.wakeBatchQueued();
    await this.flush();
    await this.encoder.close();
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await this.writer.exclusive(async (c) => {
      this.batchWriter.close();
      c.closeSync();
    });
    for (const reader of this.reader.all()) await reader.exclusive(async (c) => c.closeSync());
    this.instance.closeSync();
  }

  /**
   * Deletes events older than `retentionDays` (nothing when it is 0). Returns how many were deleted.
   * Once a quarter of the ids held are of deleted events, the writer reads the ids from the table
   * again before its next batch (an expired id only costs a lookup when it comes back, but memory).
   */
  async applyRetention(): Promise<number> {
    if (this.options.retentionDays <= 0) return 0;
    return this.writer.exclusive(async (c) => {
      const cutoff = new Date(Date.now() - this.options.retentionDays * 86_400_000);
      const result = await c.run(DELETE_EXPIRED, {
        cutoff: cutoff.toISOString().replace('T', ' ').replace('Z', ''),
      });
      const deleted = Number(result.rowsChanged);
      this.expiredSinceLoad += deleted;
      // Read again by the writer before it checks its next batch: a batch checked but not yet
      // written would be missing from a set read now.
      if (deleted > 0 && this.expiredSinceLoad * 4 > this.idFigures.ids) this.idsStale = true;
      return deleted;
    });
  }

  /** Message ids held in memory to keep each message once, and the bytes they take. */
  get idSet(): { ids: number; bytes: number } {
    return { ...this.idFigures };
  }

  /** Whether the store's encoding runs on its encoder thread (false: on the caller's thread). */
  get encoderThread(): boolean {
    return this.encoder.thread;
  }

  /** Messages queued and not yet taken by the writer. */
  get queued(): number {
    return this.queuedRows;
  }

  /**
   * Resolves once at most `limit` messages are queued (at once if that is already so, or once the
   * store is shut down), or after `maxWaitMs`, when the wait is given up and forgotten (a stalled
   * writer does not collect one waiter per caller). A producer that waits on it before taking more
   * work keeps the queue bounded by its own pace instead of by `maxQueuedMessages`, past which
   * `send` refuses messages.
   */
  queuedAtMost(limit: number, maxWaitMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.queuedRows <= limit || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: ShrinkWaiter = { limit, resolve, timer: undefined };
      if (Number.isFinite(maxWaitMs)) {
        waiter.timer = setTimeout(() => {
          this.shrinkWaiters.splice(this.shrinkWaiters.indexOf(waiter), 1);
          resolve();
        }, maxWaitMs);
      }
      this.shrinkWaiters.push(waiter);
    });
  }

  /** Called after each batch is stored (the dashboard's live updates). Returns the unsubscribe function. */
  onStored(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private schedule() {
    if (this.writing) return;
    if (this.queuedRows >= this.options.batchSize) {
      this.drain();
      return;
    }
    if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.drain();
        // Not unref'd: queued messages keep the process alive until they are stored.
      }, this.options.flushIntervalMs);
    }
  }

  private wakeBatchQueued() {
    const waiter = this.batchQueued;
    this.batchQueued = undefined;
    waiter?.resolve();
  }

  private wakeShrinkWaiters() {
    const waiting = this.shrinkWaiters.splice(0);
    for (const w of waiting) {
      if (this.queuedRows <= w.limit || this.closed) {
        clearTimeout(w.timer);
        w.resolve();
      } else this.shrinkWaiters.push(w);
    }
  }

  /**
   * Writes queued batches until the queue is empty, one INSERT at a time and in order. While DuckDB
   * writes one batch, the next is taken (once full, or when the write ends first), its ids checked
   * and its JSON made: that JavaScript work no longer waits for the write before it.
   */
  private drain(): Promise<void> {
    if (this.writing) return this.writing;
    this.writing = (async () => {
      let previous: Promise<void> | undefined;
      while (this.queue.length > 0) {
        if (previous !== undefined && this.queuedRows < this.options.batchSize) {
          await Promise.race([previous, this.untilBatchQueued()]);
        }
        if (this.idsStale) {
          await previous;
          try {
            this.setIds(await this.writer.exclusive((c) => StoredIds.load(c)));
            this.expiredSinceLoad = 0;
            this.idsStale = false;
          } catch {
            // The set held is still every stored id and more: read it again before the next batch.
          }
        }
        const batch = this.take();
        const before = previous;
        let encoded: EncodedSends | Error;
        try {
          encoded = await this.encode(batch, before);
          this.duplicates += encoded.duplicates;
          this.idFigures = encoded.idSet;
        } catch (error) {
          encoded = error instanceof Error ? error : new Error(String(error));
        }
        await before;
        previous = this.write(batch, encoded);
      }
      await previous;
    })().finally(() => {
      this.writing = undefined;
      // A send that arrived while the last batch was finishing found a writer busy: pick it up.
      if (this.queue.length > 0) this.schedule();
    });
    return this.writing;
  }

  /**
   * The batch encoded. An id already seen is looked up in the table once the write before has
   * ended: it may be there. If the encoder thread has stopped, the store goes on with an encoder on
   * its own thread, given every send still queued, and encodes the batch with it.
   */
  private async encode(batch: Pending[], before: Promise<void> | undefined): Promise<EncodedSends> {
    const lookUp = async (ids: string[]) => {
      await before;
      return this.writer.exclusive((c) => storedAmong(c, ids));
    };
    const sends = batch.map((p) => p.send);
    try {
      return await this.encoder.encode(sends, lookUp);
    } catch (error) {
      if (this.encoder.failure === undefined) throw error;
      // The set the thread held is gone: read it from the table once what was encoded is written.
      await before;
      const ids = await this.writer.exclusive((c) => StoredIds.load(c));
      const encoder = new InThreadEncoder(ids);
      for (const p of [...batch, ...this.queue]) encoder.add(p.send, p.messages);
      this.encoder = encoder;
      return encoder.encode(sends, lookUp);
    }
  }

  /** Gives the encoder the id set read again from the table. */
  private setIds(ids: StoredIds) {
    this.idFigures = { ids: ids.size, bytes: ids.bytes };
    this.encoder.replaceIds(ids);
  }

  /** Takes queued sends up to a batch (at least one send). */
  private take(): Pending[] {
    const batch: Pending[] = [];
    let size = 0;
    while (
      this.queue.length > 0 &&
      (size === 0 || size + this.queue[0]!.messages.length <= this.options.batchSize)
    ) {
      const next = this.queue.shift()!;
      batch.push(next);
      size += next.messages.length;
    }
    this.queuedRows -= size;
    if (this.shrinkWaiters.length > 0) this.wakeShrinkWaiters();
    return batch;
  }

  /** Resolves once a whole batch is queued (or the store is closing). */
  private untilBatchQueued(): Promise<void> {
    if (this.queuedRows >= this.options.batchSize || this.closed) return Promise.resolve();
    if (this.batchQueued === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.batchQueued = { promise, resolve };
    }
    return this.batchQueued.promise;
  }

  /** Writes one batch (or reports why it could not be made), resolves its sends, tells the listeners. */
  private async write(batch: Pending[], encoded: EncodedSends | Error): Promise<void> {
    const refused = encoded instanceof Error ? undefined : refusedBySend(encoded.unstorable);
    try {
      if (encoded instanceof Error) throw encoded;
      for (const p of batch) {
        for (const u of refused?.get(p.send)?.values() ?? []) {
          p.result.failed += 1;
          p.result.errors.push({ messageId: u.messageId, error: unstorableError(u) });
        }
      }
      const rows = () => encoded.rows ?? valuesAgain(batch, refused, encoded.dropped);
      this.batches[await this.writer.exclusive(() => this.batchWriter.write(encoded.batch, rows))]++;
      for (const p of batch) p.result.delivered += p.messages.length - (refused?.get(p.send)?.size ?? 0);
    } catch (error) {
      const failure = new StoreWriteError(error);
      for (const p of batch) {
        const skip = refused?.get(p.send);
        p.messages.forEach((m, i) => {
          if (skip?.has(i)) return;
          p.result.failed += 1;
          p.result.errors.push({ messageId: String(m?.messageId ?? ''), error: failure });
        });
      }
    }
    for (const p of batch) p.resolve(p.result);
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the store goes on.
      }
    }
  }
}

/** The encoder thread where asked for and its script is there; otherwise this thread. */
function startEncoder(ids: StoredIds, thread: boolean): StoreEncoder {
  const script = thread ? findEncoderScript() : undefined;
  if (script !== undefined) {
    try {
      return new ThreadEncoder(script, ids);
    } catch {
      // No worker threads here (a restricted runtime): the work stays on this thread.
    }
  }
  return new InThreadEncoder(ids);
}

/** The unstorable messages of each send, by their index there. */
function refusedBySend(unstorable: readonly Unstorable[]): Map<number, Map<number, Unstorable>> {
  const bySend = new Map<number, Map<number, Unstorable>>();
  for (const u of unstorable) {
    const ofSend = bySend.get(u.send) ?? new Map<number, Unstorable>();
    bySend.set(u.send, ofSend);
    ofSend.set(u.index, u);
  }
  return bySend;
}

function unstorableError({ error }: Unstorable): Error {
  if (error.name === 'UnstorableMessageError' && error.reason !== undefined) {
    return new UnstorableMessageError(error.messageId ?? '', error.reason);
  }
  return rebuiltError(error.name, error.message);
}

/**
 * The batch's new rows as values, for the slow path when the encoder thread sent only their text:
 * converted again here from each message as the thread got it.
 */
function valuesAgain(
  batch: readonly Pending[],
  refused: Map<number, Map<number, Unstorable>> | undefined,
  dropped: Uint8Array | undefined,
): EventValues[] {
  const rows: EventValues[] = [];
  let k = 0;
  for (const p of batch) {
    const skip = refused?.get(p.send);
    p.messages.forEach((m, i) => {
      if (skip?.has(i)) return;
      if (dropped?.[k++] !== 1) rows.push(toEventValues(asSent(m)));
    });
  }
  return rows;
}

/**
 * The message as the encoder thread got it: its structured clone, else its JSON, else as it is
 * (see `ThreadEncoder.add`).
 */
function asSent(message: AnalyticsMessage): AnalyticsMessage {
  try {
    return structuredClone(message);
  } catch {
    // Not cloneable: the thread got its JSON.
  }
  try {
    return JSON.parse(JSON.stringify(message)) as AnalyticsMessage;
  } catch {
    return message;
  }
}

/** Opens the DuckDB event store: a `Sink` plus the connection the metric queries run on. */
export function createEventStore(options: EventStoreOptions = {}): Promise<DuckDbStoreSink> {
  return DuckDbStoreSink.open(options);
}
