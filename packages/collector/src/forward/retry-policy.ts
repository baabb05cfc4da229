/** Answers of a trace backend worth retrying (the OTLP/HTTP specification's list). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Delay before attempt `attempt + 1` (0-based): exponential from `initialMs`, capped at `maxMs`,
 * with equal jitter so that senders that failed together do not retry together.
 */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + random() * (base / 2));
}

/** `Retry-After` (seconds or an HTTP date) in ms, capped at `maxMs`; undefined when absent or unreadable. */
export function retryAfterMs(
  header: string | string[] | undefined,
  maxMs: number,
  now = Date.now(),
): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  let ms: number;
  if (Number.isFinite(seconds)) ms = seconds * 1000;
  else {
    const date = Date.parse(value);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(maxMs, Math.max(0, Math.round(ms)));
}
