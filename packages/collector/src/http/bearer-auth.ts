import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Longest `Authorization` value looked at; a longer one is refused without being parsed. */
export const MAX_AUTHORIZATION_LENGTH = 64 * 1024;

const isSpace = (code: number) => code === 0x20 || code === 0x09;

/**
 * The credentials of `Bearer <token>` (scheme case-insensitive, surrounding blanks trimmed), or
 * undefined. One pass over the string: a regular expression with a lazy group backtracks
 * quadratically on a run of blanks.
 */
export function bearerCredentials(header: string): string | undefined {
  let start = 0;
  let end = header.length;
  while (start < end && isSpace(header.charCodeAt(start))) start++;
  while (end > start && isSpace(header.charCodeAt(end - 1))) end--;
  if (end - start < 6 || header.slice(start, start + 6).toLowerCase() !== 'bearer') return undefined;
  let at = start + 6;
  if (at < end && !isSpace(header.charCodeAt(at))) return undefined;
  while (at < end && isSpace(header.charCodeAt(at))) at++;
  return header.slice(at, end);
}

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
    if (header === undefined || header.length > MAX_AUTHORIZATION_LENGTH) return false;
    const credentials = bearerCredentials(header);
    const presented = sha256(credentials ?? '');
    // A missing scheme still costs one hash and one comparison.
    return timingSafeEqual(presented, this.expected) && credentials !== undefined;
  }
}
