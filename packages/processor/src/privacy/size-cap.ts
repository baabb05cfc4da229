import type { AnalyticsMessage, JsonObject, JsonValue } from '../message';

/** Segment's limit on one message. */
export const SEGMENT_MAX_EVENT_BYTES = 32 * 1024;
/**
 * Default cap: Segment's limit minus room for what the delivery client adds (`context.library`,
 * `_metadata`, `sentAt`, `integrations`).
 */
export const DEFAULT_MAX_EVENT_BYTES = SEGMENT_MAX_EVENT_BYTES - 1024;
/** The smallest cap accepted: below it even an event without payload may not fit. */
export const MIN_MAX_EVENT_BYTES = 1024;

const TRUNCATED_SUFFIX = '_truncated';

/**
 * An upper bound of the JSON size of a value in bytes, without serialising it: a UTF-16 code unit
 * never takes more than 6 bytes in JSON (`\u00XX`), a number at most 24 characters.
 */
export function jsonSizeUpperBound(value: JsonValue | undefined, depth = 0): number {
  if (typeof value === 'string') return value.length * 6 + 2;
  if (typeof value === 'number') return 24;
  if (typeof value === 'boolean' || value === null || value === undefined) return 5;
  if (depth > 32) return Number.POSITIVE_INFINITY;
  let size = 2;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) size += jsonSizeUpperBound(value[i], depth + 1) + 1;
    return size;
  }
  for (const key in value) size += key.length * 6 + 3 + jsonSizeUpperBound(value[key], depth + 1) + 1;
  return size;
}

/** Exact size of the message as JSON, in UTF-8 bytes. */
export function messageBytes(message: AnalyticsMessage): number {
  return Buffer.byteLength(JSON.stringify(message), 'utf8');
}

function jsonBytes(value: string): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** The longest prefix of `value` whose JSON form takes at most `maxBytes` bytes. */
function cutToBytes(value: string, maxBytes: number): string {
  const bytes = jsonBytes(value);
  if (bytes <= maxBytes) return value;
  let n = Math.floor((value.length * Math.max(0, maxBytes - 2)) / bytes);
  for (;;) {
    // Never split a surrogate pair.
    const last = value.charCodeAt(n - 1);
    if (n > 0 && last >= 0xd800 && last <= 0xdbff) n--;
    const cut = value.slice(0, n);
    if (n === 0 || jsonBytes(cut) <= maxBytes) return cut;
    n = Math.floor(n * 0.9);
  }
}

/** One field cut by the size cap. */
export interface TruncatedField {
  /** `properties.input_text`, `traits.bio`, ... */
  path: string;
  /** Bytes before and after. */
  from: number;
  to: number;
}

/** What `capMessageSize` did. */
export interface SizeCapOutcome {
  /** Whether the message now fits. When false it must not be sent. */
  fits: boolean;
  truncated: TruncatedField[];
  /** User properties (or traits) dropped as a last resort. */
  droppedUserFields: string[];
}

/** Strings at least this long are cut before user fields are dropped; shorter ones only after. */
const LONG_STRING = 256;

/**
 * Brings a message under `maxBytes` in place, in this order, stopping as soon as it fits:
 * 1. cut content fields (`input_text`, `message_body`, ...), longest first;
 * 2. cut other long strings (256+ characters) of `properties` / `traits`, longest first;
 * 3. drop the user-supplied fields named by `userKeys` (the keys merged from the span's user
 *    properties or traits; a documented field of the same name is never among them);
 * 4. cut whatever strings remain, longest first.
 * Each cut field gets `<field>_truncated: true` next to it.
 */
export function capMessageSize(
  message: AnalyticsMessage,
  maxBytes: number,
  contentFields: ReadonlySet<string>,
  userKeys: readonly string[] | undefined,
): SizeCapOutcome {
  const outcome: SizeCapOutcome = { fits: true, truncated: [], droppedUserFields: [] };
  let size = messageBytes(message);
  if (size <= maxBytes) return outcome;

  const bag: JsonObject = message.type === 'track' ? message.properties : message.traits;
  const bagName = message.type === 'track' ? 'properties' : 'traits';

  /** Cuts the string fields `pick` selects, longest first, until the message fits. */
  const cutFields = (pick: (key: string, length: number) => boolean): boolean => {
    const keys: string[] = [];
    for (const key in bag) {
      const v = bag[key];
      if (typeof v === 'string' && v.length > 0 && !key.endsWith(TRUNCATED_SUFFIX) && pick(key, v.length))
        keys.push(key);
    }
    keys.sort((a, b) => (bag[b] as string).length - (bag[a] as string).length);
    for (const key of keys) {
      const value = bag[key] as string;
      const flagKey = key + TRUNCATED_SUFFIX;
      const flagBytes = bag[flagKey] === true ? 0 : flagKey.length + 8;
      const before = jsonBytes(value);
      const target = Math.max(2, before - (size - maxBytes) - flagBytes);
      const cut = cutToBytes(value, target);
      if (cut.length === value.length) continue;
      bag[key] = cut;
      bag[flagKey] = true;
      outcome.truncated.push({ path: `${bagName}.${key}`, from: before, to: jsonBytes(cut) });
      size = messageBytes(message);
      if (size <= maxBytes) return true;
    }
    return false;
  };

  if (cutFields((key) => contentFields.has(key))) return outcome;
  if (cutFields((_, length) => length >= LONG_STRING)) return outcome;
  if (userKeys !== undefined && userKeys.length > 0) {
    for (const key of userKeys) {
      if (Object.hasOwn(bag, key)) {
        delete bag[key];
        delete bag[key + TRUNCATED_SUFFIX];
        outcome.droppedUserFields.push(`${bagName}.${key}`);
      }
    }
    size = messageBytes(message);
    if (size <= maxBytes) return outcome;
  }
  if (cutFields(() => true)) return outcome;
  outcome.fits = size <= maxBytes;
  return outcome;
}
