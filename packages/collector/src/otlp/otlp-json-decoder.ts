import type { Attributes, AttributeValue, SpanEventLike, SpanLike } from '@spantrack/processor/translate';
import { TimeSlice } from '../slicing/time-slice';
import {
  arrayAttribute,
  countSpan,
  type DecodedTraces,
  EMPTY_ATTRIBUTES,
  emptyTraces,
  invalidIds,
  MAX_VALUE_DEPTH,
  type PlainValue,
  spanKind,
  statusCode,
  TooManySpansError,
  toPlain,
} from './decoded-traces';
import { hexOf, OtlpDecodeError } from './protobuf-reader';
import { parseJsonSliced } from './sliced-json-parser';

/**
 * JSON nesting (objects and arrays) past which a body is refused (before `JSON.parse` sees it; by
 * the sliced parser as it reads). A span attribute holding a kvlist of arrays sits at depth ~12; 64 leaves room for nested values.
 */
export const MAX_JSON_DEPTH = 64;

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });
const NO_EVENTS: readonly SpanEventLike[] = Object.freeze([]);

type Json = Record<string, unknown>;

/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest` (the OTLP JSON mapping: hex ids, 64-bit integers
 * as strings or numbers, enums as integers, lowerCamelCase keys; the proto field names are accepted
 * too, as the protobuf JSON mapping allows).
 * @throws OtlpDecodeError on invalid UTF-8, nesting deeper than `MAX_JSON_DEPTH`, invalid JSON, or
 *   a body that is not an object
 */
export function decodeJsonTraces(body: Buffer, maxSpans = Number.POSITIVE_INFINITY): DecodedTraces {
  checkDepth(body, MAX_JSON_DEPTH);
  // Before JSON.parse builds the whole object tree: every span has a span id key (links too, so this
  // is an upper bound; the exact count is checked while reading).
  if (Number.isFinite(maxSpans) && countSpanIdKeys(body) > 2 * maxSpans)
    throw new TooManySpansError(maxSpans);
  let text: string;
  try {
    text = fatalUtf8.decode(body);
  } catch {
    throw new OtlpDecodeError('body is not valid UTF-8');
  }
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch (error) {
    throw new OtlpDecodeError(`invalid JSON: ${(error as Error).message}`);
  }
  const out = emptyTraces(maxSpans);
  const walk = walkRequest(request, out);
  while (!walk.next().done);
  return out;
}

/**
 * `decodeJsonTraces` in slices, for the receivers: the body is parsed by `parseJsonSliced` and its
 * spans read a few milliseconds at a time, with a yield to the event loop in between, so that a
 * 32 MiB body does not hold up other requests (or `/healthz`). Same spans, same errors.
 * @throws OtlpDecodeError as decodeJsonTraces; TooManySpansError
 */
export async function decodeJsonTracesSliced(
  body: Buffer,
  maxSpans = Number.POSITIVE_INFINITY,
): Promise<DecodedTraces> {
  const slice = new TimeSlice();
  // The span count bound of decodeJsonTraces, a few MiB of search at a time.
  if (Number.isFinite(maxSpans)) {
    let count = 0;
    for (let from = 0; from < body.length; from += COUNT_STEP) {
      count += countSpanIdKeys(body, from, from + COUNT_STEP);
      if (slice.spent) await slice.yield();
    }
    if (count > 2 * maxSpans) throw new TooManySpansError(maxSpans);
  }
  const request = await parseJsonSliced(body, MAX_JSON_DEPTH, slice);
  const out = emptyTraces(maxSpans);
  const walk = walkRequest(request, out);
  for (let n = 1; !walk.next().done; n++) {
    if ((n & 63) === 0 && slice.spent) await slice.yield();
  }
  return out;
}

/** Reads the parsed request into `out`, pausing after each span (the sliced decoder yields there). */
function* walkRequest(request: unknown, out: DecodedTraces): Generator<void, void, void> {
  if (!isObject(request)) throw new OtlpDecodeError('body is not a JSON object');
  for (const rs of list(field(request, 'resourceSpans', 'resource_spans'), 'resourceSpans')) {
    if (!isObject(rs)) throw new OtlpDecodeError('resourceSpans[] must hold objects');
    const resourceJson = field(rs, 'resource', 'resource');
    const resource = isObject(resourceJson) ? attributes(resourceJson) : EMPTY_ATTRIBUTES;
    for (const ss of list(field(rs, 'scopeSpans', 'scope_spans'), 'scopeSpans')) {
      if (!isObject(ss)) throw new OtlpDecodeError('scopeSpans[] must hold objects');
      const scopeJson = field(ss, 'scope', 'scope');
      let scope: SpanLike['scope'] = { name: '' };
      if (isObject(scopeJson)) {
        const version = str(scopeJson.version);
        scope = version ? { name: str(scopeJson.name), version } : { name: str(scopeJson.name) };
      }
      for (const s of list(field(ss, 'spans', 'spans'), 'spans')) {
        if (!isObject(s)) throw new OtlpDecodeError('spans[] must hold objects');
        readSpan(s, resource, scope, out);
        yield;
      }
    }
  }
}

/** Occurrences of `"spanId"` and `"span_id"` in the raw body that start within [from, to). */
function countSpanIdKeys(body: Buffer, from = 0, to = body.length): number {
  let count = 0;
  for (const key of SPAN_ID_KEYS) {
    const part = body.subarray(from, Math.min(to + key.length - 1, body.length));
    for (let at = part.indexOf(key); at !== -1; at = part.indexOf(key, at + key.length)) count++;
  }
  return count;
}
/** Bytes searched for span id keys at a time by the sliced decoder (1–5 ms of `indexOf`, for two keys). */
const COUNT_STEP = 1024 * 1024;
const SPAN_ID_KEYS = [Buffer.from('"spanId"'), Buffer.from('"span_id"')];

function readSpan(s: Json, resource: Attributes, scope: SpanLike['scope'], out: DecodedTraces): void {
  countSpan(out);
  const traceId = id(field(s, 'traceId', 'trace_id'));
  const spanId = id(field(s, 'spanId', 'span_id'));
  const invalid = invalidIds(traceId, spanId);
  if (invalid !== undefined) {
    out.invalidSpans++;
    out.invalidReason ??= invalid;
    return;
  }
  const eventsJson = s.events;
  let events: SpanEventLike[] | readonly SpanEventLike[] = NO_EVENTS;
  if (Array.isArray(eventsJson) && eventsJson.length > 0) {
    events = eventsJson.filter(isObject).map((e) => ({
      name: str(e.name),
      timeUnixNano: nanos(field(e, 'timeUnixNano', 'time_unix_nano')),
      attributes: attributes(e),
    }));
  }
  const statusJson = s.status;
  let status: SpanLike['status'] = { code: 0 };
  if (isObject(statusJson)) {
    const code = statusCode(enumValue(statusJson.code, STATUS_CODES));
    const message = str(statusJson.message);
    status = message ? { code, message } : { code };
  }
  const parent = id(field(s, 'parentSpanId', 'parent_span_id'));
  const span: SpanLike = {
    traceId,
    spanId,
    // Always present (undefined for a root), as the protobuf decoder makes it: one shape of span.
    parentSpanId: parent === '' ? undefined : parent,
    name: str(s.name),
    kind: spanKind(enumValue(s.kind, SPAN_KINDS)),
    startTimeUnixNano: nanos(field(s, 'startTimeUnixNano', 'start_time_unix_nano')),
    endTimeUnixNano: nanos(field(s, 'endTimeUnixNano', 'end_time_unix_nano')),
    attributes: attributes(s),
    events,
    status,
    resource,
    scope,
  };
  out.spans.push(span);
}

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

/** OTLP/JSON requires integer enums; enum names (the plain protobuf JSON mapping) are read leniently. */
function enumValue(value: unknown, names: Record<string, number>): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return names[value] ?? (/^\d+$/.test(value) ? Number(value) : 0);
  return 0;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function field(object: Json, camel: string, snake: string): unknown {
  const value = object[camel];
  return value === undefined ? object[snake] : value;
}

function list(value: unknown, name: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${name} must be an array`);
  return value;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

const HEX_ID = /^[0-9a-fA-F]*$/;

/** Hex (case-insensitive) as OTLP/JSON specifies; base64 (the plain protobuf JSON mapping) leniently. */
function id(value: unknown): string {
  if (typeof value !== 'string' || value === '') return '';
  if ((value.length === 32 || value.length === 16) && HEX_ID.test(value)) return value.toLowerCase();
  if (value.length === 24 || value.length === 12) {
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length === 16 || bytes.length === 8) return hexOf(bytes, 0, bytes.length);
  }
  return HEX_ID.test(value) ? value.toLowerCase() : '';
}

/** A 64-bit unsigned nanosecond count from a decimal string or a number. */
function nanos(value: unknown): bigint {
  if (typeof value === 'string') {
    if (/^\d{1,20}$/.test(value)) return BigInt(value);
    return 0n;
  }
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.trunc(value));
  return 0n;
}

function attributes(holder: Json): Attributes {
  const list = holder.attributes;
  if (!Array.isArray(list) || list.length === 0) return EMPTY_ATTRIBUTES;
  const out: Record<string, AttributeValue> = {};
  for (const kv of list) {
    if (!isObject(kv) || typeof kv.key !== 'string') continue;
    const value = anyValue(kv.value, 0);
    if (value !== undefined) out[kv.key] = value;
  }
  return out;
}

function anyValue(value: unknown, depth: number): AttributeValue | undefined {
  if (!isObject(value)) return undefined;
  const plain = plainValue(value, depth);
  if (plain === null) return undefined;
  if (Array.isArray(plain)) return arrayAttribute(plain);
  if (typeof plain === 'object') return JSON.stringify(plain);
  return plain;
}

function plainValue(value: Json, depth: number): PlainValue {
  if (depth > MAX_VALUE_DEPTH) throw new OtlpDecodeError(`values nested deeper than ${MAX_VALUE_DEPTH}`);
  for (const key in value) {
    const v = value[key];
    switch (key) {
      case 'stringValue':
      case 'string_value':
        return typeof v === 'string' ? v : null;
      case 'boolValue':
      case 'bool_value':
        return typeof v === 'boolean' ? v : v === 'true';
      case 'intValue':
      case 'int_value':
        return typeof v === 'number'
          ? Math.trunc(v)
          : typeof v === 'string' && /^-?\d+$/.test(v)
            ? Number(v)
            : null;
      case 'doubleValue':
      case 'double_value':
        return typeof v === 'number' ? v : typeof v === 'string' ? toPlain(Number(v)) : null;
      case 'bytesValue':
      case 'bytes_value':
        return typeof v === 'string' ? v : null;
      case 'arrayValue':
      case 'array_value': {
        const values = isObject(v) && Array.isArray(v.values) ? v.values : [];
        return values.map((item) => (isObject(item) ? plainValue(item, depth + 1) : null));
      }
      case 'kvlistValue':
      case 'kvlist_value': {
        const values = isObject(v) && Array.isArray(v.values) ? v.values : [];
        const object: { [key: string]: PlainValue } = {};
        for (const kv of values) {
          if (!isObject(kv) || typeof kv.key !== 'string') continue;
          object[kv.key] = isObject(kv.value) ? plainValue(kv.value, depth + 1) : null;
        }
        return object;
      }
    }
  }
  return null;
}

/**
 * Refuses JSON nested deeper than `max` with one pass over the bytes (strings and their escapes
 * skipped), so neither `JSON.parse` nor the walk above ever recurses on hostile input.
 */
export function checkDepth(body: Uint8Array, max: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) throw new OtlpDecodeError(`JSON nested deeper than ${max} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}
