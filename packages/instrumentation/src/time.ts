import type { HrTime } from '@opentelemetry/api';
import type { Diagnostics } from './diagnostics';

/*
 * Times are handed to the SDK as HrTime, never as numbers: the SDK reads a small number as a
 * `performance.now()` offset, so an epoch-millisecond number would be ambiguous.
 */

export function millisToHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) nanos = 999_999_999;
  return [seconds, nanos];
}

/** Now, on the same wall clock the SDK uses for span start times. */
export function nowHrTime(): HrTime {
  return millisToHrTime(Date.now());
}

export function addMillis(t: HrTime, ms: number): HrTime {
  return millisToHrTime(t[0] * 1000 + t[1] / 1e6 + ms);
}

/** A `timestamp` option: a valid Date or epoch milliseconds. */
export function readTimestamp(d: Diagnostics, where: string, v: unknown): HrTime | undefined {
  if (v instanceof Date) {
    const ms = v.getTime();
    if (!Number.isNaN(ms)) return millisToHrTime(ms);
  } else if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
    return millisToHrTime(v);
  }
  if (v != null) d.invalid(where, 'timestamp', 'expected a valid Date or epoch milliseconds', v);
  return undefined;
}

/** The start time of an SDK span, when the span is one (the API's Span does not expose it). */
export function spanStartTime(span: object): HrTime | undefined {
  const t = (span as { startTime?: unknown }).startTime;
  return Array.isArray(t) && t.length === 2 ? (t as HrTime) : undefined;
}
