import { createHash } from 'node:crypto';

/** The identity of a request body: a sender's retry carries the same bytes, so the same digest. */
export function digestOf(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('base64');
}

/**
 * The digests of the last `capacity` requests taken for forwarding, oldest dropped first, so that
 * a request the sender sends again (after a 503 from the analytics side, or a lost answer) is not
 * forwarded twice while it is remembered.
 */
export class RecentDigests {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** False when `digest` is already remembered; otherwise remembers it. */
  add(digest: string): boolean {
    if (this.seen.has(digest)) return false;
    this.seen.add(digest);
    if (this.seen.size > this.capacity) {
      // A Set iterates in insertion order: the first entry is the oldest.
      const oldest = this.seen.values().next().value as string;
      this.seen.delete(oldest);
    }
    return true;
  }

  /** Forgets `digest` (its forwarding failed), so that a retry of the request is forwarded again. */
  forget(digest: string): void {
    this.seen.delete(digest);
  }

  get size(): number {
    return this.seen.size;
  }
}
