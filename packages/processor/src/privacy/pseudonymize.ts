import { createHmac } from 'node:crypto';

const MAX_CACHED_IDS = 10_000;

/**
 * Replaces user ids with HMAC-SHA256(secret, id) in hex: stable for one secret (so a user's events
 * still join), different across secrets, and not reversible without the secret. A bounded cache
 * keeps the HMAC off the per-span path for active users.
 */
export class Pseudonymizer {
  readonly #secret: string;
  readonly #cache = new Map<string, string>();

  constructor(secret: string) {
    this.#secret = secret;
  }

  pseudonymize(id: string): string {
    let out = this.#cache.get(id);
    if (out === undefined) {
      out = pseudonymizeUserId(id, this.#secret);
      if (this.#cache.size >= MAX_CACHED_IDS) this.#cache.clear();
      this.#cache.set(id, out);
    }
    return out;
  }
}

/** HMAC-SHA256 of `id` keyed with `secret`, lowercase hex (64 characters). */
export function pseudonymizeUserId(id: string, secret: string): string {
  return createHmac('sha256', secret).update(id).digest('hex');
}
