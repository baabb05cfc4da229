import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AnalyticsMessage } from '@spantrack/processor';
import {
  convertSend,
  type EncodedSends,
  type LookUp,
  rebuiltError,
  type StoreEncoder,
  type Unstorable,
} from './encoder';
import type { EventValues } from './message-row';
import type { StoredIds, StoredIdsState } from './stored-ids';

/** What the store sends its encoder thread. */
export type ToEncoderThread =
  /** One send's messages, as structured clone copies them. */
  | { kind: 'messages'; send: number; messages: AnalyticsMessage[] }
  /** One send's messages as one JSON text, where structured clone refuses a value. */
  | { kind: 'add'; send: number; json: string }
  /** One send converted on the store's thread: messages `JSON.stringify` refuses (a BigInt, a cycle). */
  | { kind: 'converted'; send: number; rows: EventValues[]; unstorable: Unstorable[] }
  | { kind: 'encode'; batch: number; sends: readonly number[] }
  /** The answer to a `lookup`: the ids found, or why the lookup failed. */
  | { kind: 'found'; batch: number; ids: string[] }
  | { kind: 'lookup-failed'; batch: number; name: string; message: string }
  | { kind: 'ids'; state: StoredIdsState };

/** What the encoder thread answers. */
export type FromEncoderThread =
  | { kind: 'lookup'; batch: number; ids: string[] }
  | { kind: 'encoded'; batch: number; result: EncodedSends }
  | { kind: 'failed'; batch: number; name: string; message: string };

/** The encoder thread's script, built beside the package's entry points. */
const SCRIPT = 'store-encoder';

/**
 * The built encoder thread's script, found from this module (in `dist/` when built; from
 * `src/store/` in tests, the package's `dist/`), or undefined when it is missing.
 */
export function findEncoderScript(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const file = `${SCRIPT}${here.endsWith('.cjs') ? '.cjs' : '.js'}`;
  let dir = dirname(here);
  for (let i = 0; i < 4; i++) {
    for (const candidate of [join(dir, file), join(dir, 'dist', file)]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = dirname(dir);
  }
  return undefined;
}

interface Waiting {
  resolve: (result: EncodedSends) => void;
  reject: (error: Error) => void;
  lookUp: LookUp;
}

/**
 * The store's encoder on a worker thread of its own: the store's thread only posts each send (its
 * messages copied by structured clone, about 1.2 µs a message) and gets back each batch's INSERT
 * text; the conversion, the id set and the JSON the INSERT reads are the thread's. Lookups in the
 * table come back to the store, which owns the DuckDB connection. (Posting each send as one JSON
 * text instead took the store's thread more time, and the encoder thread 3 µs a message to parse.)
 *
 * If the thread stops (it should not: an out-of-memory, a bug), `failure` is set, every batch it
 * held is rejected and the store moves to an `InThreadEncoder`, giving it every send again.
 */
export class ThreadEncoder implements StoreEncoder {
  readonly thread = true;
  failure: Error | undefined;
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextBatch = 0;
  private closing = false;

  constructor(script: string, ids: StoredIds) {
    const state = ids.state();
    this.worker = new Worker(script, {
      workerData: state,
      transferList: [state.slots.buffer as ArrayBuffer],
    });
    // Held by the process only while a batch is being encoded (see `encode`): an idle store never
    // keeps the process alive, a batch on its way to DuckDB does.
    this.worker.unref();
    this.worker.on('message', (m: FromEncoderThread) => this.receive(m));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('messageerror', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`the store's encoder thread stopped (exit code ${code})`));
    });
  }

  add(send: number, messages: readonly AnalyticsMessage[]): void {
    try {
      this.post({ kind: 'messages', send, messages: messages as AnalyticsMessage[] });
      return;
    } catch {
      // A value structured clone refuses (a function, a symbol): sent as JSON text, which leaves
      // such values out as the store's JSON of the payload does.
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(messages);
    } catch {
      // And a BigInt or a cycle as well: converted here, where each message's own error is told.
    }
    if (json !== undefined) this.post({ kind: 'add', send, json });
    else this.post({ kind: 'converted', send, ...convertSend(send, messages) });
  }

  encode(sends: readonly number[], lookUp: LookUp): Promise<EncodedSends> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const batch = this.nextBatch++;
    return new Promise<EncodedSends>((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(batch, { resolve, reject, lookUp });
      this.post({ kind: 'encode', batch, sends });
    });
  }

  replaceIds(ids: StoredIds): void {
    const state = ids.state();
    this.post({ kind: 'ids', state }, [state.slots.buffer as ArrayBuffer]);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }

  /** Stops the thread as a crash would (tests of the store's recovery). */
  async crashForTest(): Promise<void> {
    await this.worker.terminate();
  }

  private post(message: ToEncoderThread, transfer?: ArrayBuffer[]) {
    if (this.failure === undefined) this.worker.postMessage(message, transfer);
  }

  private receive(m: FromEncoderThread) {
    const waiting = this.waiting.get(m.batch);
    if (waiting === undefined) return;
    if (m.kind === 'lookup') {
      waiting.lookUp(m.ids).then(
        (found) => this.post({ kind: 'found', batch: m.batch, ids: [...found] }),
        (error: Error) =>
          this.post({ kind: 'lookup-failed', batch: m.batch, name: error.name, message: error.message }),
      );
      return;
    }
    this.settle(m.batch);
    if (m.kind === 'encoded') waiting.resolve(m.result);
    else waiting.reject(rebuiltError(m.name, m.message));
  }

  private settle(batch: number) {
    this.waiting.delete(batch);
    if (this.waiting.size === 0) this.worker.unref();
  }

  private fail(error: Error) {
    this.failure ??= error;
    for (const [batch, waiting] of [...this.waiting]) {
      this.settle(batch);
      waiting.reject(this.failure);
    }
  }
}
