import { SpantrackConfigError } from '../config-error';

// Parsers of the shared settings' text (an environment variable or a CLI flag). Each throws a
// `SpantrackConfigError` naming `source`, the variable or flag the text came from.

/** Node's timers fire after 1 ms when asked for more than this (TimeoutOverflowWarning). */
export const MAX_TIMEOUT_MILLIS = 2_147_483_647;

export function nonEmptyText(raw: string, source: string): string {
  const v = raw.trim();
  if (v === '') throw new SpantrackConfigError(source, 'must not be empty');
  return v;
}

export function oneOfText<const T extends string>(raw: string, allowed: readonly T[], source: string): T {
  const v = raw.trim().toLowerCase();
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new SpantrackConfigError(source, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
}

/** spantrack's own booleans: `true` / `false` in any case; anything else is an error. */
export function booleanText(raw: string, source: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new SpantrackConfigError(source, `must be true or false, got ${JSON.stringify(raw)}`);
}

/**
 * OpenTelemetry's boolean variables: only `true` (any case) is true; any other value is false,
 * with a warning unless it is `false` (the OpenTelemetry specification reads them so).
 */
export function otelBooleanText(raw: string, source: string, warn: (message: string) => void): boolean {
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v !== 'false') warn(`${source}=${raw} is not true or false; treated as false`);
  return false;
}

export function httpUrlText(raw: string, source: string, example: string): string {
  const v = raw.trim();
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new SpantrackConfigError(
      source,
      `${JSON.stringify(raw)} is not an http(s) URL; set a full URL such as ${example}`,
    );
  return v;
}

export function integerText(raw: string, source: string, min: number, max: number, unit: string): number {
  const v = raw.trim();
  const n = v === '' ? Number.NaN : Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new SpantrackConfigError(
      source,
      `must be an integer number of ${unit} from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  return n;
}
