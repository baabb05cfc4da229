import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';

/** A set as plain data, for another thread (`StoredIds.fromState`): its table's buffer can be transferred. */
export interface StoredIdsState {
  readonly slots: Int32Array<ArrayBuffer>;
  readonly count: number;
  readonly seedA: number;
  readonly seedB: number;
}

/** Slots of a new set (8 bytes each): room for about 49,000 ids before it first grows. */
const INITIAL_SLOTS = 1 << 16;

/**
 * A 64-bit hash of every messageId the store holds, in one open-addressing table of 32-bit pairs
 * (8 bytes a slot, at most three quarters full: 11 to 22 bytes per id; 10 million ids in 107 to
 * 214 MB). The store keeps each messageId once by asking it before each INSERT, instead of a
 * primary key: DuckDB's index on the text ids (about 60 characters each) cost about a quarter of
 * its work per stored event, and grows with the table.
 *
 * An answer of "new" is exact: an id not in the set was never stored (every stored id is added).
 * An answer of "seen" means the id or another one with the same 64-bit hash was added, so the
 * store looks the id up in the table before it drops anything (see `withoutStored`). The seeds are
 * random per set, so that ids made to collide in one process do not collide in another; a flood of
 * colliding ids costs lookups, never an event.
 */
export class StoredIds {
  private slots = new Int32Array(2 * INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;
  private count = 0;
  private readonly seedA: number;
  private readonly seedB: number;
  /** The last hash computed (`hash` writes both halves here: no object per id). */
  private hi = 0;
  private lo = 0;

  constructor(seed: Buffer = randomBytes(8)) {
    this.seedA = seed.readInt32LE(0);
    this.seedB = seed.readInt32LE(4);
  }

  /** Ids (hashes) held. */
  get size(): number {
    return this.count;
  }

  /** Bytes the table takes. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /**
   * Adds the id; true when its hash was not there yet (the id is new), false when it was (the id,
   * or one with the same 64-bit hash, was added before).
   */
  add(id: string): boolean {
    this.hash(id);
    const { hi, lo, slots, mask } = this;
    let i = lo & mask;
    for (;;) {
      const h = slots[2 * i]!;
      const l = slots[2 * i + 1]!;
      if (h === 0 && l === 0) break;
      if (h === hi && l === lo) return false;
      i = (i + 1) & mask;
    }
    slots[2 * i] = hi;
    slots[2 * i + 1] = lo;
    this.count += 1;
    if (this.count * 4 > (mask + 1) * 3) this.grow();
    return true;
  }

  /** Whether the id's hash is in the set (without adding it). */
  has(id: string): boolean {
    this.hash(id);
    const { hi, lo, slots, mask } = this;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const h = slots[2 * i]!;
      const l = slots[2 * i + 1]!;
      if (h === 0 && l === 0) return false;
      if (h === hi && l === lo) return true;
    }
  }

  /** The set as plain data; the set must not be used once its table has been transferred. */
  state(): StoredIdsState {
    return { slots: this.slots, count: this.count, seedA: this.seedA, seedB: this.seedB };
  }

  /** The set `state()` gave (on another thread). */
  static fromState(state: StoredIdsState): StoredIds {
    const seed = Buffer.alloc(8);
    seed.writeInt32LE(state.seedA, 0);
    seed.writeInt32LE(state.seedB, 4);
    const ids = new StoredIds(seed);
    ids.slots = state.slots;
    ids.mask = (state.slots.length >> 1) - 1;
    ids.count = state.count;
    return ids;
  }

  /**
   * The ids of `events` (`message_id`), read chunk by chunk, when the store opens and after
   * retention has deleted many: about half a second per million stored events.
   */
  static async load(connection: DuckDBConnection): Promise<StoredIds> {
    const ids = new StoredIds();
    const result = await connection.stream('SELECT message_id FROM events');
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      for (const id of chunk.getColumnValues(0)) if (typeof id === 'string') ids.add(id);
    }
    return ids;
  }

  private grow() {
    const old = this.slots;
    const size = 2 * (this.mask + 1);
    this.slots = new Int32Array(2 * size);
    this.mask = size - 1;
    const { slots, mask } = this;
    for (let j = 0; j < old.length; j += 2) {
      const hi = old[j]!;
      const lo = old[j + 1]!;
      if (hi === 0 && lo === 0) continue;
      let i = lo & mask;
      while (slots[2 * i] !== 0 || slots[2 * i + 1] !== 0) i = (i + 1) & mask;
      slots[2 * i] = hi;
      slots[2 * i + 1] = lo;
    }
  }

  /**
   * Two 32-bit hashes of the id's UTF-16 code units taken two at a time, with MurmurHash3's
   * mixing steps and finalizer, one per seed; (0, 0) marks an empty slot, so it becomes (0, 1).
   */
  private hash(id: string) {
    const n = id.length;
    let a = this.seedA ^ n;
    let b = this.seedB ^ n;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const k = id.charCodeAt(i) | (id.charCodeAt(i + 1) << 16);
      a = mixBlock(a, k);
      b = mixBlock(b, k);
    }
    if (i < n) {
      const k = id.charCodeAt(i);
      a ^= Math.imul(rotl(Math.imul(k, 0xcc9e2d51), 15), 0x1b873593);
      b ^= Math.imul(rotl(Math.imul(k, 0xcc9e2d51), 15), 0x1b873593);
    }
    this.hi = finalize(a, n);
    const lo = finalize(b, n);
    this.lo = this.hi === 0 && lo === 0 ? 1 : lo;
  }
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function mixBlock(h: number, block: number): number {
  let k = Math.imul(block, 0xcc9e2d51);
  k = Math.imul(rotl(k, 15), 0x1b873593);
  const x = rotl(h ^ k, 13);
  return (Math.imul(x, 5) + 0xe6546b64) | 0;
}

function finalize(h: number, n: number): number {
  let x = h ^ n;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}
