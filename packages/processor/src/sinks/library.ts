import { version } from '../../package.json';
import { SpantrackConfigError } from '../config-error';
import type { JsonObject } from '../message';

/** `context.library` stamped on every message a sink writes: who produced the event. */
export interface SegmentLibrary {
  name: string;
  version: string;
}

/** What every sink names by default: this package, at its real version. */
export const SPANTRACK_LIBRARY: SegmentLibrary = Object.freeze({ name: '@spantrack/processor', version });

/**
 * What `@segment/analytics-node` 3.1.0 stamps when left alone. Pass it as `library` only to make a
 * payload claim Segment's client.
 */
export const ANALYTICS_NODE_LIBRARY: SegmentLibrary = Object.freeze({
  name: '@segment/analytics-node',
  version: '3.1.0',
});

/**
 * The context with `library.name` and `library.version` set, other `library` keys kept. A copy:
 * the caller's object is left untouched, and its key order is kept.
 */
export function withLibrary(context: JsonObject | undefined, library: SegmentLibrary): JsonObject {
  if (!context) return { library: { name: library.name, version: library.version } };
  const existing = context.library;
  const base = existing !== null && typeof existing === 'object' && !Array.isArray(existing) ? existing : {};
  return { ...context, library: { ...base, name: library.name, version: library.version } };
}

/** The `library` option of a sink, checked: a typed error instead of a malformed `context.library`. */
export function libraryOption(value: unknown): SegmentLibrary {
  if (value === undefined) return SPANTRACK_LIBRARY;
  const v = value as Partial<SegmentLibrary> | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    typeof v.name !== 'string' ||
    v.name === '' ||
    typeof v.version !== 'string'
  ) {
    throw new SpantrackConfigError('library', 'must be { name, version } with a non-empty string name');
  }
  return { name: v.name, version: v.version };
}
