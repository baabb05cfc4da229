/** Statuses retried besides 5xx (minus 501 / 505) and network errors; the same list analytics-node uses. */
const RETRIED_4XX = new Set([408, 410, 429, 460]);

/** What an answer means for a batch, in one table. */
export type AnswerVerdict = 'delivered' | 'retry' | 'fail';

/**
 * 2xx / 3xx delivered; 5xx (but 501 and 505) and 408 / 410 / 429 / 460 retried; everything else
 * fails at once. 400 above all is never retried: Segment drops a malformed or oversized batch
 * whole, and a retry cannot help.
 */
export function verdictFor(status: number): AnswerVerdict {
  if (status >= 200 && status < 400) return 'delivered';
  if (status === 501 || status === 505) return 'fail';
  if (status >= 500 || RETRIED_4XX.has(status)) return 'retry';
  return 'fail';
}

/** Full jitter between 0 and min(maxBackoff, minBackoff * 2^(retry-1)); `retry` counts from 1. */
export function backoffDelay(retry: number, minBackoff: number, maxBackoff: number): number {
  return Math.random() * Math.min(maxBackoff, minBackoff * 2 ** (retry - 1));
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
