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

/**
 * Latest time a span may carry: 9999-12-31T23:59:59.999Z. The processor refuses later ones (their
 * ISO form has a signed six-digit year), as it refuses the epoch itself and anything before it.
 */
export const MAX_TIMESTAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * A `timestamp` option: a valid Date or epoch milliseconds after the Unix epoch and no later than
 * `MAX_TIMESTAMP_MS`. Anything else is reported (once) and undefined: the caller uses the current
 * time, so the event still arrives.
 */
export function readTimestamp(d: Diagnostics, where: string, v: unknown): HrTime | undefined {
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Number.NaN;
  if (ms > 0 && ms <= MAX_TIMESTAMP_MS) return millisToHrTime(ms);
  if (v != null) {
    d.invalid(
      where,
      'timestamp',
      'expected a valid Date or epoch milliseconds after 1970 and before year 10000; the current time is used',
      v,
    );
  }
  return undefined;
}

/** The start time of an SDK span, when the span is one (the API's Span does not expose it). */
export function spanStartTime(span: object): HrTime | undefined {
  const t = (span as { startTime?: unknown }).startTime;
  return Array.isArray(t) && t.length === 2 ? (t as HrTime) : undefined;
}
