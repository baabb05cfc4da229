/** The dashboard filters; every one optional. Times are UTC, `to` exclusive. */
export interface Filters {
  /** Start of the range: `YYYY-MM-DD` (midnight UTC) or an ISO 8601 time. */
  from?: string;
  /** End of the range, exclusive: an ISO 8601 time, or `YYYY-MM-DD` meaning the end of that day (UTC). */
  to?: string;
  /** Conversation type: the event's `context.channel` (`whatsapp`, `web_widget`, `test`, ...). */
  channel?: string;
  /** The `assistant` property. */
  assistant?: string;
  /** Customer identifier: `userId`, else `anonymousId`. */
  customer?: string;
}

/** The filters as bound to the SQL: NULL for a filter not applied; times as `YYYY-MM-DD HH:MM:SS.mmm` UTC. */
export interface BoundFilters {
  from: string | null;
  to: string | null;
  channel: string | null;
  assistant: string | null;
  customer: string | null;
}

export const FILTER_FIELDS = ['from', 'to', 'channel', 'assistant', 'customer'] as const;

/** A filter value that cannot be used: the HTTP API answers 400 with this message. */
export class InvalidFilterError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`invalid filter ${field}: ${reason}`);
    this.name = 'InvalidFilterError';
  }
}

/** Longest text filter value accepted; ids and channel names are far shorter. */
export const MAX_FILTER_LENGTH = 512;
/** Years accepted in a date filter: a wider range has no events and is likely a mistake or a probe. */
const MIN_YEAR = 1970;
const MAX_YEAR = 9999;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

function parseTime(field: string, value: string, endOfDay: boolean): string {
  let ms: number;
  if (DATE_ONLY.test(value)) {
    ms = Date.parse(`${value}T00:00:00Z`);
    // The date must exist as written (no 2026-02-31 rolled over into March).
    if (Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) !== value) ms = Number.NaN;
    if (endOfDay) ms += 86_400_000;
  } else if (ISO_TIME.test(value)) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
    ms = Date.parse(zoned.replace(' ', 'T'));
  } else {
    throw new InvalidFilterError(field, 'expected YYYY-MM-DD or an ISO 8601 time');
  }
  if (!Number.isFinite(ms)) throw new InvalidFilterError(field, 'not a valid date');
  const year = new Date(ms).getUTCFullYear();
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new InvalidFilterError(field, `year outside ${MIN_YEAR}..${MAX_YEAR}`);
  }
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function text(field: string, value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (value.length > MAX_FILTER_LENGTH)
    throw new InvalidFilterError(field, `longer than ${MAX_FILTER_LENGTH} characters`);
  return value;
}

/** Checks and normalises filters. Throws `InvalidFilterError`. */
export function bindFilters(filters: Filters = {}): BoundFilters {
  for (const key of Object.keys(filters)) {
    if (!(FILTER_FIELDS as readonly string[]).includes(key))
      throw new InvalidFilterError(key, 'unknown filter');
  }
  for (const field of FILTER_FIELDS) {
    const v = filters[field];
    if (v !== undefined && typeof v !== 'string') throw new InvalidFilterError(field, 'not a string');
  }
  const from = filters.from ? parseTime('from', filters.from, false) : null;
  const to = filters.to ? parseTime('to', filters.to, true) : null;
  if (from !== null && to !== null && from > to) throw new InvalidFilterError('to', 'before from');
  return {
    from,
    to,
    channel: text('channel', filters.channel),
    assistant: text('assistant', filters.assistant),
    customer: text('customer', filters.customer),
  };
}

/**
 * Reads filters from a URL query. A parameter that is neither a filter nor one of `extra`, or one
 * given twice, is an `InvalidFilterError` (an API that silently ignored a misspelt filter would
 * show unfiltered figures as if filtered).
 */
export function filtersFromQuery(query: URLSearchParams, extra: readonly string[] = []): Filters {
  const filters: Filters = {};
  const seen = new Set<string>();
  for (const [key, value] of query) {
    if (seen.has(key)) throw new InvalidFilterError(key, 'given more than once');
    seen.add(key);
    if ((FILTER_FIELDS as readonly string[]).includes(key)) filters[key as keyof Filters] = value;
    else if (!extra.includes(key)) throw new InvalidFilterError(key, 'unknown filter');
  }
  return filters;
}
