/**
 * How long CPU-bound request work (decoding, translation) runs before it yields to the event
 * loop, ms: small enough that `/healthz` and other requests wait well under 100 ms behind it.
 */
export const SLICE_MS = 8;

/** Resolves on the next turn of the event loop, after pending I/O callbacks. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Measures one slice of work: `spent` once `ms` have passed since the slice began. */
export class TimeSlice {
  private start = performance.now();

  /** @param ms length of a slice; defaults to `SLICE_MS`. */
  constructor(private readonly ms = SLICE_MS) {}

  get spent(): boolean {
    return performance.now() - this.start > this.ms;
  }

  /** The time this slice may still run until, in `performance.now()` milliseconds. */
  get deadline(): number {
    return this.start + this.ms;
  }

  /** Yields to the event loop and starts a new slice. */
  async yield(): Promise<void> {
    await nextTurn();
    this.start = performance.now();
  }
}
