import type { Diagnostics } from './diagnostics';

/*
 * Input checks. Each returns the value when it is usable and `undefined` otherwise, reporting the
 * problem once; absent values (`undefined`, `null`) are not a problem. Nothing here throws.
 */

export function readString(d: Diagnostics, where: string, option: string, v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (v != null) d.invalid(where, option, 'expected a string', v);
  return undefined;
}

export function readBoolean(d: Diagnostics, where: string, option: string, v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v != null) d.invalid(where, option, 'expected a boolean', v);
  return undefined;
}

/** A finite number that is at least 0 (durations, amounts). */
export function readNonNegative(
  d: Diagnostics,
  where: string,
  option: string,
  v: unknown,
): number | undefined {
  if (typeof v === 'number' && v >= 0 && v !== Number.POSITIVE_INFINITY) return v;
  if (v != null) d.invalid(where, option, 'expected a finite number >= 0', v);
  return undefined;
}

/** A whole number that is at least 0 (token counts, attempts, message counts). */
export function readCount(d: Diagnostics, where: string, option: string, v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (v != null) d.invalid(where, option, 'expected an integer >= 0', v);
  return undefined;
}

/** A confidence score: a number in 0..1 (the AI agent tracking plan). */
export function readConfidence(
  d: Diagnostics,
  where: string,
  option: string,
  v: unknown,
): number | undefined {
  if (typeof v === 'number' && v >= 0 && v <= 1) return v;
  if (v != null) d.invalid(where, option, 'expected a number in 0..1', v);
  return undefined;
}

/** Any finite number (ratings). */
export function readFinite(d: Diagnostics, where: string, option: string, v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v != null) d.invalid(where, option, 'expected a finite number', v);
  return undefined;
}

/** One of a closed set of values (the customer-signals events and `reply_mode`). */
export function readOneOf<T extends string>(
  d: Diagnostics,
  where: string,
  option: string,
  v: unknown,
  allowed: readonly T[],
): T | undefined {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  if (v != null) d.invalid(where, option, `expected one of ${allowed.join(', ')}`, v);
  return undefined;
}

/** `true` when `v` is a plain options object; anything else is reported and treated as `{}`. */
export function isOptions(d: Diagnostics, where: string, v: unknown): v is Record<string, unknown> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return true;
  if (v != null) d.invalid(where, 'options', 'expected an object', v);
  return false;
}
