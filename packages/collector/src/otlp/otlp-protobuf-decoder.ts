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
import {
  OtlpDecodeError,
  ProtobufReader,
  utf8,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_VARINT,
} from './protobuf-reader';
import { MAX_RECENT_LENGTH, MIN_RECENT_LENGTH, RecentBytes } from './recent-bytes';

// Field numbers from opentelemetry-proto: collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
// common/v1/common.proto, resource/v1/resource.proto. Unknown fields are skipped by wire type, so
// newer senders (links, flags, entity refs, ...) decode fine.

const NO_EVENTS: readonly SpanEventLike[] = Object.freeze([]);
const UNSET_STATUS = Object.freeze({ code: 0 as const });

/**
 * Decodes an `ExportTraceServiceRequest` (OTLP/HTTP protobuf body, OTLP/gRPC message) straight
 * into `SpanLike`s: no intermediate message objects, ids to hex from a table, strings sliced from
 * the buffer. Resource and scope objects are shared by the spans under them.
 * @throws OtlpDecodeError when the bytes are not such a message (truncated, bad wire type, invalid UTF-8)
 */
export function decodeProtobufTraces(body: Buffer, maxSpans = Number.POSITIVE_INFINITY): DecodedTraces {
  const out = emptyTraces(maxSpans);
  walkRequest(new ProtobufReader(body), (r, resource, scope) => readSpan(r, resource, scope, out));
  return out;
}

/** The resource and scope above some of the spans found on the wire. */
interface SpansUnder {
  resource: Attributes;
  scope: SpanLike['scope'];
}

/**
 * `decodeProtobufTraces` in slices: the spans are located first (cheap: no strings decoded, three
 * numbers a span), counted against `maxSpans`, then decoded a few milliseconds at a time with a
 * yield to the event loop in between, so that a large request does not hold up the others (or
 * `/healthz`).
 * @throws OtlpDecodeError as decodeProtobufTraces; TooManySpansError before any span is decoded
 */
export async function decodeProtobufTracesSliced(
  body: Buffer,
  maxSpans: number,
  slice = new TimeSlice(),
): Promise<DecodedTraces> {
  const r = new ProtobufReader(body);
  // Per span found: its start, its end and the index of what it is under in `under`.
  const found: number[] = [];
  const under: SpansUnder[] = [];
  let last: SpansUnder | undefined;
  walkRequest(r, (r, resource, scope) => {
    if (found.length >= maxSpans * 3) throw new TooManySpansError(maxSpans);
    if (last === undefined || last.resource !== resource || last.scope !== scope) {
      last = { resource, scope };
      under.push(last);
    }
    found.push(r.pos, r.end, under.length - 1);
  });
  const out = emptyTraces(maxSpans);
  for (let k = 0, i = 0; k < found.length; k += 3, i++) {
    r.pos = found[k]!;
    r.end = found[k + 1]!;
    const at = under[found[k + 2]!]!;
    readSpan(r, at.resource, at.scope, out);
    if ((i & 63) === 63 && slice.spent) await slice.yield();
  }
  return out;
}

/** Called with the reader bounded to one span's bytes. */
type VisitSpan = (r: ProtobufReader, resource: Attributes, scope: SpanLike['scope']) => void;

function walkRequest(r: ProtobufReader, visit: VisitSpan): void {
  while (r.pos < r.end) {
    const tag = r.strictUint32();
    if (tag === (1 << 3) + WIRE_LEN) {
      const end = r.lengthEnd();
      const outer = r.end;
      r.end = end;
      readResourceSpans(r, visit);
      r.pos = end;
      r.end = outer;
    } else skipField(r, tag);
  }
}

function skipField(r: ProtobufReader, tag: number): void {
  if (tag >>> 3 === 0) throw new OtlpDecodeError('field number 0');
  r.skip(tag & 7);
}

/** Runs `read` over the length-delimited field at the cursor, then moves past it. */
function nested<T>(r: ProtobufReader, read: (r: ProtobufReader) => T): T {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  const value = read(r);
  r.pos = end;
  r.end = outer;
  return value;
}

function readResourceSpans(r: ProtobufReader, visit: VisitSpan): void {
  let resource: Attributes = EMPTY_ATTRIBUTES;
  // The resource may follow its scope spans on the wire: remember where they are, read them after.
  let scopeStarts: number[] | undefined;
  while (r.pos < r.end) {
    const tag = r.strictUint32();
    if (tag === (1 << 3) + WIRE_LEN) {
      resource = nested(r, readResource);
    } else if (tag === (2 << 3) + WIRE_LEN) {
      scopeStarts = defer(r, scopeStarts);
    } else skipField(r, tag);
  }
  if (scopeStarts !== undefined) readDeferred(r, scopeStarts, (r) => readScopeSpans(r, resource, visit));
}

/** Skips a length-delimited field, remembering where it starts, to read it once its context is known. */
function defer(r: ProtobufReader, starts: number[] | undefined): number[] {
  const start = r.pos;
  r.pos = r.lengthEnd();
  if (starts === undefined) return [start];
  starts.push(start);
  return starts;
}

/** Reads the fields `defer` skipped, each within its own bounds, and leaves `r` at the end. */
function readDeferred(r: ProtobufReader, starts: readonly number[], read: (r: ProtobufReader) => void): void {
  const end = r.end;
  for (const start of starts) {
    r.pos = start;
    r.end = r.lengthEnd();
    read(r);
    r.end = end;
  }
  r.pos = end;
}

function readResource(r: ProtobufReader): Attributes {
  let attributes: Record<string, AttributeValue> | undefined;
  while (r.pos < r.end) {
    const tag = r.strictUint32();
    if (tag === (1 << 3) + WIRE_LEN) {
      attributes ??= {};
      readKeyValue(r, attributes, 0);
    } else skipField(r, tag);
  }
  return attributes ?? EMPTY_ATTRIBUTES;
}

function readScope(r: ProtobufReader): SpanLike['scope'] {
  let name = '';
  let version: string | undefined;
  while (r.pos < r.end) {
    const tag = r.strictUint32();
    if (tag === (1 << 3) + WIRE_LEN) name = r.string();
    else if (tag === (2 << 3) + WIRE_LEN) version = r.string();
    else skipField(r, tag);
  }
  return version === undefined || version === '' ? { name } : { name, version };
}

function readScopeSpans(r: ProtobufReader, resource: Attributes, visit: VisitSpan): void {
  let scope: SpanLike['scope'] = { name: '' };
  let spanStarts: number[] | undefined;
  // The usual order is scope first, then spans, decoded in place; spans before the scope wait for it.
  let scopeSeen = false;
  while (r.pos < r.end) {
    const tag = r.strictUint32();
    if (tag === (1 << 3) + WIRE_LEN) {
      scope = nested(r, readScope);
      scopeSeen = true;
    } else if (tag === (2 << 3) + WIRE_LEN) {
      if (scopeSeen) {
        const end = r.lengthEnd();
        const outer = r.end;
        r.end = end;
        visit(r, resource, scope);
        r.pos = end;
        r.end = outer;
        continue;
      }
      spanStarts = defer(r, spanStarts);
    } else skipField(r, tag);
  }
  if (spanStarts !== undefined) readDeferred(r, spanStarts, (r) => visit(r, resource, scope));
}

/**
 * Ids as hex, recently made: a request's spans mostly share a few trace ids, and a parent's span id
 * comes once as its own and again as each child's parent.
 */
const recentTraceIds = new RecentBytes<string>(256, '');
const recentSpanIds = new RecentBytes<string>(1024, '');

function readSpan(
  r: ProtobufReader,
  resource: Attributes,
  scope: SpanLike['scope'],
  out: DecodedTraces,
): void {
  let traceId = '';
  let spanId = '';
  let parentSpanId: string | undefined;
  let name = '';
  let kind = 0;
  let start = 0n;
  let end = 0n;
  let attributes: Record<string, AttributeValue> | undefined;
  let events: SpanEventLike[] | undefined;
  let status: SpanLike['status'] = UNSET_STATUS;
  while (r.pos < r.end) {
    const tag = r.strictUint32();
    switch (tag) {
      case (1 << 3) + WIRE_LEN:
        traceId = r.hexRecent(recentTraceIds);
        break;
      case (2 << 3) + WIRE_LEN:
        spanId = r.hexRecent(recentSpanIds);
        break;
      case (4 << 3) + WIRE_LEN:
        parentSpanId = r.hexRecent(recentSpanIds);
        break;
      case (5 << 3) + WIRE_LEN:
        name = r.string();
        break;
      case (6 << 3) + WIRE_VARINT:
        kind = r.uint32();
        break;
      case (7 << 3) + WIRE_FIXED64:
        start = r.fixed64();
        break;
      case (8 << 3) + WIRE_FIXED64:
        end = r.fixed64();
        break;
      case (9 << 3) + WIRE_LEN:
        attributes ??= {};
        readKeyValue(r, attributes, 0);
        break;
      case (11 << 3) + WIRE_LEN:
        events ??= [];
        events.push(nested(r, readEvent));
        break;
      case (15 << 3) + WIRE_LEN:
        status = nested(r, readStatus);
        break;
      default:
        skipField(r, tag);
    }
  }
  countSpan(out);
  const invalid = invalidIds(traceId, spanId);
  if (invalid !== undefined) {
    out.invalidSpans++;
    out.invalidReason ??= invalid;
    return;
  }
  const span: SpanLike = {
    traceId,
    spanId,
    // Always present (undefined for a root), so that every span has one shape for the translator.
    parentSpanId: parentSpanId === '' ? undefined : parentSpanId,
    name,
    kind: spanKind(kind),
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: attributes ?? EMPTY_ATTRIBUTES,
    events: events ?? NO_EVENTS,
    status,
    resource,
    scope,
  };
  out.spans.push(span);
}

function readEvent(r: ProtobufReader): SpanEventLike {
  let time = 0n;
  let name = '';
  let attributes: Record<string, AttributeValue> | undefined;
  while (r.pos < r.end) {
    const tag = r.strictUint32();
    if (tag === (1 << 3) + WIRE_FIXED64) time = r.fixed64();
    else if (tag === (2 << 3) + WIRE_LEN) name = r.string();
    else if (tag === (3 << 3) + WIRE_LEN) {
      attributes ??= {};
      readKeyValue(r, attributes, 0);
    } else skipField(r, tag);
  }
  return { name, timeUnixNano: time, attributes: attributes ?? EMPTY_ATTRIBUTES };
}

function readStatus(r: ProtobufReader): SpanLike['status'] {
  let code = 0;
  let message: string | undefined;
  while (r.pos < r.end) {
    const tag = r.strictUint32();
    if (tag === (2 << 3) + WIRE_LEN) message = r.string();
    else if (tag === (3 << 3) + WIRE_VARINT) code = r.uint32();
    else skipField(r, tag);
  }
  const c = statusCode(code);
  return message === undefined || message === '' ? { code: c } : { code: c, message };
}

/**
 * Recently decoded key-value pairs whose value is a string, number or boolean, by their bytes: the
 * same attribute (`gen_ai.system` = `openai`) comes in span after span, and one lookup of its bytes
 * replaces reading the key, the value's message and the value (about 8 % more spans decoded and
 * translated per second). Decoding is a function of the bytes alone, so a hit is exactly what
 * decoding would give; arrays and maps (made as fresh objects) are never kept.
 */
const recentPairs = new RecentBytes<{ key: string; value: AttributeValue } | undefined>(4096, undefined);

/** One `KeyValue` (length-delimited at the cursor) into `into`; an empty value leaves the key out. */
function readKeyValue(r: ProtobufReader, into: Record<string, AttributeValue>, depth: number): void {
  const end = r.lengthEnd();
  const start = r.pos;
  const length = end - start;
  const cacheable = length >= MIN_RECENT_LENGTH && length <= MAX_RECENT_LENGTH;
  let slot = -1;
  if (cacheable) {
    slot = recentPairs.slot(r.view, start, end);
    if (recentPairs.found(slot, r.view, start, end)) {
      const pair = recentPairs.value(slot)!;
      into[pair.key] = pair.value;
      r.pos = end;
      return;
    }
  }
  const outer = r.end;
  r.end = end;
  let key = '';
  let value: AttributeValue | undefined;
  while (r.pos < r.end) {
    const tag = r.strictUint32();
    if (tag === (1 << 3) + WIRE_LEN) key = r.string();
    else if (tag === (2 << 3) + WIRE_LEN) {
      const valueEnd = r.lengthEnd();
      r.end = valueEnd;
      value = readAnyValue(r, depth);
      r.pos = valueEnd;
      r.end = end;
    } else skipField(r, tag);
  }
  r.pos = end;
  r.end = outer;
  if (value === undefined) return;
  if (key === '__proto__') {
    // An attribute like any other: an own property, never the object's prototype.
    Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
    return;
  }
  into[key] = value;
  if (cacheable && typeof value !== 'object') recentPairs.remember(slot, r.view, start, end, { key, value });
}

/** An `AnyValue` spanning the reader's current window. */
function readAnyValue(r: ProtobufReader, depth: number): AttributeValue | undefined {
  let value: AttributeValue | undefined;
  while (r.pos < r.end) {
    const tag = r.strictUint32();
    switch (tag) {
      case (1 << 3) + WIRE_LEN:
        value = r.string();
        break;
      case (2 << 3) + WIRE_VARINT:
        value = r.uint32() !== 0;
        break;
      case (3 << 3) + WIRE_VARINT:
        value = r.int64();
        break;
      case (4 << 3) + WIRE_FIXED64:
        value = r.double();
        break;
      case (5 << 3) + WIRE_LEN:
        value = arrayAttribute(readArray(r, depth + 1));
        break;
      case (6 << 3) + WIRE_LEN:
        value = JSON.stringify(readKvList(r, depth + 1));
        break;
      case (7 << 3) + WIRE_LEN: {
        const end = r.lengthEnd();
        value = r.buf.toString('base64', r.pos, end);
        r.pos = end;
        break;
      }
      default:
        skipField(r, tag);
    }
  }
  return value;
}

/** `ArrayValue` at the cursor (length-delimited): its values as plain JS values. */
function readArray(r: ProtobufReader, depth: number): PlainValue[] {
  if (depth > MAX_VALUE_DEPTH) throw new OtlpDecodeError(`values nested deeper than ${MAX_VALUE_DEPTH}`);
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  const values: PlainValue[] = [];
  while (r.pos < r.end) {
    const tag = r.strictUint32();
    if (tag === (1 << 3) + WIRE_LEN) {
      const valueEnd = r.lengthEnd();
      r.end = valueEnd;
      values.push(readPlainValue(r, depth));
      r.pos = valueEnd;
      r.end = end;
    } else skipField(r, tag);
  }
  r.pos = end;
  r.end = outer;
  return values;
}

/** `KeyValueList` at the cursor (length-delimited) as an object. */
function readKvList(r: ProtobufReader, depth: number): { [key: string]: PlainValue } {
  if (depth > MAX_VALUE_DEPTH) throw new OtlpDecodeError(`values nested deeper than ${MAX_VALUE_DEPTH}`);
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  const object: { [key: string]: PlainValue } = {};
  while (r.pos < r.end) {
    const tag = r.strictUint32();
    if (tag === (1 << 3) + WIRE_LEN) {
      const kvEnd = r.lengthEnd();
      r.end = kvEnd;
      let key = '';
      let value: PlainValue = null;
      while (r.pos < r.end) {
        const t = r.strictUint32();
        if (t === (1 << 3) + WIRE_LEN) key = r.string();
        else if (t === (2 << 3) + WIRE_LEN) {
          const valueEnd = r.lengthEnd();
          r.end = valueEnd;
          value = readPlainValue(r, depth);
          r.pos = valueEnd;
          r.end = kvEnd;
        } else skipField(r, t);
      }
      object[key] = value;
      r.pos = kvEnd;
      r.end = end;
    } else skipField(r, tag);
  }
  r.pos = end;
  r.end = outer;
  return object;
}

/** An `AnyValue` inside an array or kvlist: nested arrays and kvlists stay structured. */
function readPlainValue(r: ProtobufReader, depth: number): PlainValue {
  let value: PlainValue = null;
  while (r.pos < r.end) {
    const tag = r.strictUint32();
    switch (tag) {
      case (5 << 3) + WIRE_LEN:
        value = readArray(r, depth + 1);
        break;
      case (6 << 3) + WIRE_LEN:
        value = readKvList(r, depth + 1);
        break;
      case (1 << 3) + WIRE_LEN:
        value = r.string();
        break;
      case (2 << 3) + WIRE_VARINT:
        value = r.uint32() !== 0;
        break;
      case (3 << 3) + WIRE_VARINT:
        value = r.int64();
        break;
      case (4 << 3) + WIRE_FIXED64:
        value = r.double();
        break;
      case (7 << 3) + WIRE_LEN: {
        const end = r.lengthEnd();
        value = r.buf.toString('base64', r.pos, end);
        r.pos = end;
        break;
      }
      default:
        skipField(r, tag);
    }
  }
  return toPlain(value);
}

export { OtlpDecodeError, utf8 };
