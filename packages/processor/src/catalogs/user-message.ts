import type { AnalyticsMessage, JsonObject, JsonValue } from '../message';
import { MESSAGE_ID_PATTERN } from '../message-id';

/*
 * Messages of user catalogs are checked before they go anywhere: the built-in catalogs build theirs
 * through the `CatalogContext` from normalized values, user code may return anything. The check
 * also copies the message into plain JSON objects, so getters, proxies and class instances are read
 * once here and what the privacy policy and the sinks see is data.
 */

/** ISO 8601 date and time, as Segment reads `timestamp`: `2024-05-01T12:00:00.000Z`, offsets allowed. */
const ISO_8601 = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:?\d\d)$/;
/** Deeper than this is refused: the redact hook stops there, and a cycle never ends. */
export const MAX_MESSAGE_DEPTH = 32;

class Malformed extends Error {}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor
      ?.name;
    return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.getPrototypeOf(value) === Object.prototype;
}

/** A plain JSON copy of `value`; throws `Malformed` naming the path of the first non-JSON value. */
function copyJson(value: unknown, path: string, depth: number): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value;
      throw new Malformed(`${path} is ${value}, not a finite number`);
    case 'object': {
      if (value === null) return null;
      if (depth >= MAX_MESSAGE_DEPTH) {
        throw new Malformed(`${path} is nested deeper than ${MAX_MESSAGE_DEPTH} levels (or cyclic)`);
      }
      if (Array.isArray(value)) {
        const out: JsonValue[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          if (item === undefined) throw new Malformed(`${path}[${i}] is undefined`);
          out[i] = copyJson(item, `${path}[${i}]`, depth + 1);
        }
        return out;
      }
      if (!isPlainObject(value)) throw new Malformed(`${path} is ${describeType(value)}, not a plain object`);
      return copyObject(value, path, depth);
    }
    default:
      throw new Malformed(`${path} is ${describeType(value)}, not a JSON value`);
  }
}

function copyObject(value: Record<string, unknown>, path: string, depth: number): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') throw new Malformed(`${path} has a "__proto__" key`);
    const v = value[key];
    // As JSON.stringify does: an undefined member is left out.
    if (v !== undefined) out[key] = copyJson(v, `${path}.${key}`, depth + 1);
  }
  return out;
}

function checkId(value: unknown, name: string): void {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
    throw new Malformed(`${name} must be a non-empty string when set, got ${describeType(value)}`);
  }
}

/**
 * A user catalog's message as plain JSON, or the reason it cannot be sent: `type` track / identify,
 * `messageId` of 1 to 64 `[A-Za-z0-9._-]`, an ISO 8601 `timestamp`, a non-empty `userId` or
 * `anonymousId`, `event` and `properties` (track) or `traits` (identify), and nothing anywhere that
 * JSON cannot carry unchanged (bigint, function, symbol, non-finite number, undefined array item,
 * class instance, cycle). Throws only if reading the message throws (a getter, a proxy).
 */
export function copyUserMessage(m: unknown): AnalyticsMessage | string {
  try {
    if (!isPlainObject(m)) return `the message is ${describeType(m)}, not a plain object`;
    const type = m.type;
    if (type !== 'track' && type !== 'identify') return 'type must be "track" or "identify"';
    const messageId = m.messageId;
    if (typeof messageId !== 'string' || !MESSAGE_ID_PATTERN.test(messageId)) {
      return 'messageId must be 1 to 64 characters of [A-Za-z0-9._-]';
    }
    const timestamp = m.timestamp;
    if (typeof timestamp !== 'string' || !ISO_8601.test(timestamp) || Number.isNaN(Date.parse(timestamp))) {
      return 'timestamp must be an ISO 8601 date and time';
    }
    checkId(m.userId, 'userId');
    checkId(m.anonymousId, 'anonymousId');
    if (m.userId === undefined && m.anonymousId === undefined) return 'needs a userId or an anonymousId';
    if (type === 'track') {
      if (typeof m.event !== 'string' || m.event.length === 0) return 'event must be a non-empty string';
      if (!isPlainObject(m.properties)) return 'properties must be a plain object';
    } else if (!isPlainObject(m.traits)) return 'traits must be a plain object';
    if (m.context !== undefined && !isPlainObject(m.context)) return 'context must be a plain object';
    return copyObject(m, 'message', 0) as unknown as AnalyticsMessage;
  } catch (error) {
    if (error instanceof Malformed) return error.message;
    throw error;
  }
}
