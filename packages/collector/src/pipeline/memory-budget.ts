/**
 * Bytes held by all requests at once, over HTTP and gRPC: bodies as received, decompressed, and an
 * estimate of their decoded spans. Bounds the collector's memory whatever the mix of requests.
 * One `Reservation` per request.
 */
export class MemoryBudget {
  used = 0;
  /** Called whenever bytes are given back (calls waiting for room try again). */
  readonly onFreed = new Set<() => void>();
  constructor(readonly limit: number) {}

  freed(): void {
    for (const listener of this.onFreed) listener();
  }
}

/**
 * Decoded span objects and their translated messages cost about this much each beyond the body
 * bytes they came from (measured: about 1.5 KiB per GenAI span with its events and message).
 */
export const SPAN_COST_BYTES = 2048;

/** One request's share of a `MemoryBudget`. */
export class Reservation {
  held = 0;
  constructor(private readonly budget: MemoryBudget) {}

  /** Takes `bytes` more; false when that passes the budget while other requests hold some of it. */
  take(bytes: number): boolean {
    const budget = this.budget;
    if (budget.used + bytes > budget.limit && budget.used > this.held) return false;
    budget.used += bytes;
    this.held += bytes;
    return true;
  }

  giveBack(bytes: number): void {
    const n = Math.min(bytes, this.held);
    this.budget.used -= n;
    this.held -= n;
    if (n > 0) this.budget.freed();
  }

  release(): void {
    this.giveBack(this.held);
  }
}
