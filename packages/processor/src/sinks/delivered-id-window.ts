/** Bounds of the window of recently delivered messageIds. */
export interface DedupeWindowOptions {
  /** Ids remembered: at least half this many of the most recent, at most this many. Default 100,000. */
  maxMessageIds?: number;
  /** How long an id is remembered after its delivery. Default 600,000 ms (10 minutes). */
  maxAgeMillis?: number;
}

export const DEFAULT_DEDUPE_WINDOW = { maxMessageIds: 100_000, maxAgeMillis: 600_000 } as const;

/**
 * The messageIds delivered recently, bounded by count and by age. Two generations: when `recent`
 * holds half the count it becomes `older` and the previous `older` is forgotten whole (deleting
 * the oldest key of one Map one at a time makes V8 rescan tombstones).
 */
export class DeliveredIdWindow {
  private recent = new Map<string, number>();
  private older = new Map<string, number>();
  private readonly generationSize: number;
  private readonly maxAgeMillis: number;

  constructor(options: DedupeWindowOptions = {}) {
    this.generationSize = Math.max(1, (options.maxMessageIds ?? DEFAULT_DEDUPE_WINDOW.maxMessageIds) >> 1);
    this.maxAgeMillis = options.maxAgeMillis ?? DEFAULT_DEDUPE_WINDOW.maxAgeMillis;
  }

  add(messageId: string, nowMs: number = Date.now()): void {
    this.recent.set(messageId, nowMs);
    if (this.recent.size >= this.generationSize) {
      this.older = this.recent;
      this.recent = new Map();
    }
  }

  has(messageId: string, nowMs: number = Date.now()): boolean {
    const at = this.recent.get(messageId) ?? this.older.get(messageId);
    return at !== undefined && nowMs - at < this.maxAgeMillis;
  }
}
