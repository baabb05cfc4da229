/** Byte runs of this many bytes can be looked up in (and kept by) a {@link RecentBytes} table. */
export const MIN_RECENT_LENGTH = 4;
export const MAX_RECENT_LENGTH = 64;
const WORDS_PER_SLOT = MAX_RECENT_LENGTH / 4;

/**
 * A table of recently seen byte runs (4 to 64 bytes) with what was made from each, one per slot
 * (a power of two): a slot holds the last run that hashed there. The slot comes from the length and
 * three words of the bytes; a hit is confirmed against every byte, four at a time. Telemetry repeats
 * itself from span to span (attribute keys, models, channels), so most runs are found again.
 */
export class RecentBytes<T> {
  private readonly values: T[];
  /** Per slot: the byte length of its run (0: empty), its bytes four at a time, its last four bytes. */
  private readonly lengths: Int32Array;
  private readonly words: Int32Array;
  private readonly tails: Int32Array;
  private readonly mask: number;

  constructor(slots: number, empty: T) {
    this.values = new Array<T>(slots).fill(empty);
    this.lengths = new Int32Array(slots);
    this.words = new Int32Array(slots * WORDS_PER_SLOT);
    this.tails = new Int32Array(slots);
    this.mask = slots - 1;
  }

  /**
   * The slot of `[start, end)` of `view` (its length must be within the bounds above): found when
   * `found(slot)` (then `value(slot)` is what was made from the same bytes), else the slot
   * `remember` fills.
   */
  slot(view: DataView, start: number, end: number): number {
    const length = end - start;
    let hash = Math.imul(length ^ view.getInt32(start, true), 0x01000193);
    hash = Math.imul(hash ^ view.getInt32(start + ((length - 4) >> 1), true), 0x01000193);
    hash = Math.imul(hash ^ view.getInt32(end - 4, true), 0x01000193);
    return (hash ^ (hash >>> 15)) & this.mask;
  }

  /** Whether `slot` holds exactly the bytes `[start, end)`. */
  found(slot: number, view: DataView, start: number, end: number): boolean {
    const length = end - start;
    if (this.lengths[slot] !== length || this.tails[slot] !== view.getInt32(end - 4, true)) return false;
    // Whole words, then the last four bytes (compared above) cover every byte.
    const words = this.words;
    for (let i = 0, w = slot * WORDS_PER_SLOT; i + 4 <= length; i += 4, w++) {
      if (view.getInt32(start + i, true) !== words[w]) return false;
    }
    return true;
  }

  value(slot: number): T {
    return this.values[slot]!;
  }

  /** Keeps `value` as what the bytes `[start, end)` make, in `slot` (from `slot()`). */
  remember(slot: number, view: DataView, start: number, end: number, value: T): void {
    const length = end - start;
    this.values[slot] = value;
    this.lengths[slot] = length;
    this.tails[slot] = view.getInt32(end - 4, true);
    const words = this.words;
    for (let i = 0, w = slot * WORDS_PER_SLOT; i + 4 <= length; i += 4, w++)
      words[w] = view.getInt32(start + i, true);
  }
}
