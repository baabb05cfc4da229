import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>` in constant time: both sides are hashed first, so the
 * comparison takes the same time whatever the length or content of the presented value.
 */
export class BearerAuth {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = sha256(token);
  }

  /** Whether an `Authorization` header value carries the token (scheme case-insensitive). */
  check(header: string | undefined): boolean {
    if (header === undefined) return false;
    const match = /^\s*bearer\s+(.*?)\s*$/i.exec(header);
    const presented = sha256(match ? match[1]! : '');
    // A missing scheme still costs one hash and one comparison.
    return timingSafeEqual(presented, this.expected) && match !== null;
  }
}
