/** Bounds of the window of recently delivered messageIds. */
export interface DedupeWindowOptions {
  /**
   * Ids remembered: at least half this many of the most recently sent, at most this many (ids in
   * flight are never forgotten). Default 100,000.
   */
  maxMessageIds?: number;
  /** How long an id is remembered after its delivery. Default 600,000 ms (10 minutes). */
  maxAgeMillis?: number;
}

export const DEFAULT_DEDUPE_WINDOW = { maxMessageIds: 100_000, maxAgeMillis: 600_000 } as const;

/**
 * One `send`'s messages: in flight until `settle`, then delivered at `settledAt` except those in
 * `errors` (by id). Every id of the batch points at it, so settling a batch updates all its ids at
 * once, with no per-id work.
 */
export class IdBatch {
  readonly settled: Promise<Map<string, Error> | undefined>;
  /** When the batch's delivery ended (ms); undefined while in flight. */
  settledAt: number | undefined;
  errors: Map<string, Error> | undefined;
  /** The generations holding its ids (usually one), whose count of batches in flight it is in. */
  readonly generations: Generation[] = [];
  private resolve!: (errors: Map<string, Error> | undefined) => void;

  constructor() {
    this.settled = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  settle(errors: Map<string, Error> | undefined, nowMs: number): void {
    this.settledAt = nowMs;
    this.errors = errors;
    for (const g of this.generations) g.inFlight--;
    this.resolve(errors);
  }
}

interface Generation {
  readonly ids: Map<string, IdBatch>;
  /** Batches with ids in this generation still in flight. */
  inFlight: number;
}

/**
 * The messageIds sent recently, each with the batch it went in: in flight, delivered (remembered
 * for `maxAgeMillis` after delivery) or failed (forgotten: a new send retries it). Bounded by count
 * in two generations: when `recent` holds half the count it becomes `older` and the previous `older`
 * is forgotten whole (deleting the oldest key of one Map one at a time makes V8 rescan tombstones),
 * unless ids of it are still in flight: those are never forgotten, so that generation is held until
 * its batches settle.
 */
export class DeliveredIdWindow {
  private recent: Generation = { ids: new Map(), inFlight: 0 };
  private older: Generation = { ids: new Map(), inFlight: 0 };
  private held: Generation[] = [];
  private readonly generationSize: number;
  private readonly maxAgeMillis: number;

  constructor(options: DedupeWindowOptions = {}) {
    this.generationSize = Math.max(1, (options.maxMessageIds ?? DEFAULT_DEDUPE_WINDOW.maxMessageIds) >> 1);
    this.maxAgeMillis = options.maxAgeMillis ?? DEFAULT_DEDUPE_WINDOW.maxAgeMillis;
  }

  /**
   * The batch `messageId` is in flight in, `true` when it was delivered within the window, or
   * undefined when it is to be sent (never sent, forgotten, expired or failed).
   */
  find(messageId: string, nowMs: number): IdBatch | true | undefined {
    let batch = this.recent.ids.get(messageId) ?? this.older.ids.get(messageId);
    if (batch === undefined && this.held.length > 0) batch = this.findHeld(messageId);
    if (batch === undefined) return undefined;
    if (batch.settledAt === undefined) return batch;
    if (batch.errors?.has(messageId) === true) return undefined;
    return nowMs - batch.settledAt < this.maxAgeMillis ? true : undefined;
  }

  /** Records `messageId` as sent in `batch` (in flight until the batch settles). */
  add(messageId: string, batch: IdBatch): void {
    let g = this.recent;
    if (g.ids.size >= this.generationSize) g = this.rotate();
    g.ids.set(messageId, batch);
    const gens = batch.generations;
    if (gens[gens.length - 1] !== g) {
      gens.push(g);
      g.inFlight++;
    }
  }

  private rotate(): Generation {
    this.held = this.held.filter((g) => g.inFlight > 0);
    if (this.older.inFlight > 0) this.held.push(this.older);
    this.older = this.recent;
    this.recent = { ids: new Map(), inFlight: 0 };
    return this.recent;
  }

  private findHeld(messageId: string): IdBatch | undefined {
    // A held generation whose batches have all settled is forgotten, as it would have been.
    if (this.held.some((g) => g.inFlight === 0)) this.held = this.held.filter((g) => g.inFlight > 0);
    for (const g of this.held) {
      const batch = g.ids.get(messageId);
      if (batch !== undefined) return batch;
    }
    return undefined;
  }
}
