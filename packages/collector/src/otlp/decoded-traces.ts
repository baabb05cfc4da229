import type { Attributes, AttributeValue, SpanLike } from '@spantrack/processor/translate';

/** What a decoder made of one `ExportTraceServiceRequest`. */
export interface DecodedTraces {
  /** Spans ready for translation, in request order. */
  spans: SpanLike[];
  /** Spans left out because they cannot be translated (ids missing or of the wrong length). */
  invalidSpans: number;
  /** Why the first invalid span was left out. */
  invalidReason: string | undefined;
}

/** A request holding more spans than a decoder was allowed to read; answered 413 by the receivers. */
export class TooManySpansError extends Error {
  constructor(readonly limit: number) {
    super(`request holds more than ${limit} spans (the limit on spans per request); send smaller batches`);
    this.name = 'TooManySpansError';
  }
}

const spanLimits = new WeakMap<DecodedTraces, number>();

/** A decoder's empty result that holds at most `maxSpans` spans (see `countSpan`). */
export function emptyTraces(maxSpans: number): DecodedTraces {
  const out: DecodedTraces = { spans: [], invalidSpans: 0, invalidReason: undefined };
  if (Number.isFinite(maxSpans)) spanLimits.set(out, maxSpans);
  return out;
}

/** Counts one more span of `out` against its limit, so that decoding stops at the first span past it. */
export function countSpan(out: DecodedTraces): void {
  const limit = spanLimits.get(out);
  if (limit !== undefined && out.spans.length + out.invalidSpans >= limit) throw new TooManySpansError(limit);
}

/** Nesting of `AnyValue` arrays / kvlists past which a request is refused (OTLP data nests a few levels). */
export const MAX_VALUE_DEPTH = 32;

export const EMPTY_ATTRIBUTES: Attributes = Object.freeze({});

/** A value inside an array or kvlist before it is flattened to an `AttributeValue`. */
export type PlainValue = string | number | boolean | null | PlainValue[] | { [key: string]: PlainValue };

/**
 * An OTLP array as an attribute value: homogeneous arrays of primitives stay arrays (as the SDK
 * would have recorded them); mixed or nested ones become their JSON text, so nothing is lost.
 */
export function arrayAttribute(values: PlainValue[]): AttributeValue {
  let type: string | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) continue;
    const t = typeof v;
    if (t === 'object') return JSON.stringify(values);
    if (type === undefined) type = t;
    else if (type !== t) return JSON.stringify(values);
  }
  return values as unknown as AttributeValue;
}

/** An `AnyValue` nested in an array or kvlist, flattened for JSON text. */
export function toPlain(value: AttributeValue | PlainValue | undefined): PlainValue {
  return value === undefined ? null : (value as PlainValue);
}

/** SpanKind and status code as the OTLP enums define them; anything else is read as unset. */
export function spanKind(kind: number): number {
  // OTLP's SpanKind is the API's + 1 (0 is UNSPECIFIED); SpanLike uses the API's numbering.
  return kind >= 1 && kind <= 5 ? kind - 1 : 0;
}

export function statusCode(code: number): 0 | 1 | 2 {
  return code === 1 || code === 2 ? code : 0;
}

const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';

/** Why the span's ids make it untranslatable, or undefined when they are fine. */
export function invalidIds(traceId: string, spanId: string): string | undefined {
  if (traceId.length !== 32 || traceId === ZERO_TRACE_ID) return 'trace_id must be 16 bytes, not all zero';
  if (spanId.length !== 16 || spanId === ZERO_SPAN_ID) return 'span_id must be 8 bytes, not all zero';
  return undefined;
}
