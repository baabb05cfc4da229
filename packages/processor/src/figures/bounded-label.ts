/** Label value for everything past a label's cap. */
export const OTHER = 'other';

/**
 * Keeps a label's cardinality bounded: the first `max` distinct values keep their names, later
 * ones become `other` (a metrics backend pays per series; intents and channels are open-ended).
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    private readonly max: number,
    initial: readonly string[] = [],
  ) {
    for (const value of initial) this.seen.add(value);
  }

  value(raw: unknown): string {
    if (typeof raw !== 'string' || raw === '') return OTHER;
    if (this.seen.has(raw)) return raw;
    if (this.seen.size >= this.max) return OTHER;
    this.seen.add(raw);
    return raw;
  }
}
