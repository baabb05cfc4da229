import { isUtf8 } from 'node:buffer';
import { MAX_RECENT_LENGTH, MIN_RECENT_LENGTH, RecentBytes } from './recent-bytes';

/** The body is not a well-formed message of the expected type. Answered 400 / INVALID_ARGUMENT. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;

let lastHigh = -1;
let lastHighShifted = 0n;

/** Node's Buffer slicers, skipping `toString`'s encoding dispatch (present on every Buffer, untyped). */
type SlicingBuffer = Buffer & {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
};

/**
 * A cursor over protobuf wire-format bytes: varints, fixed-width numbers and length-delimited
 * fields, every read bounds-checked against `end` (a truncated body is an error, never a crash).
 */
export class ProtobufReader {
  pos: number;
  end: number;
  readonly buf: Buffer;
  /** The same bytes, for reading four at a time (string lookups). */
  readonly view: DataView;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
    this.end = end;
  }

  /**
   * A uint32/int32/enum/bool field's varint, truncated to its low 32 bits as proto3 parsers do
   * (a negative int32 enum is sent as 10 bytes).
   */
  uint32(): number {
    return this.varint32(false);
  }

  /**
   * A tag or a length prefix: any bit above the 32nd set is an error, never wrapped (2^32 + 206
   * must not read as 206 and send the cursor into the middle of a field).
   */
  strictUint32(): number {
    return this.varint32(true);
  }

  private varint32(strict: boolean): number {
    const buf = this.buf;
    let pos = this.pos;
    const end = this.end;
    if (pos >= end) throw truncated();
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let value = b & 0x7f;
    let shift = 7;
    for (;;) {
      if (pos >= end) throw truncated();
      b = buf[pos++]!;
      if (shift < 28) {
        value |= (b & 0x7f) << shift;
      } else if (shift === 28) {
        if (strict && b & 0x70) throw tooLarge();
        value = (value >>> 0) + (b & 0x0f) * 0x10000000;
      } else if (strict && b & 0x7f) throw tooLarge();
      if (b < 0x80) break;
      shift += 7;
      if (shift > 63) throw new OtlpDecodeError('varint longer than 10 bytes');
    }
    this.pos = pos;
    return value >>> 0;
  }

  /** A length prefix; returns the end offset of the field, checked against the enclosing message. */
  lengthEnd(): number {
    const length = this.strictUint32();
    const end = this.pos + length;
    if (end > this.end) throw truncated();
    return end;
  }

  /** An int64 varint as a JS number (exact up to 2^53; two's-complement negatives honoured). */
  int64(): number {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    let b: number;
    // Low 28 bits, then 4 bits straddling, then the high 32 bits.
    do {
      if (pos >= this.end) throw truncated();
      b = buf[pos++]!;
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else if (shift < 64) hi |= (b & 0x7f) << (shift - 32);
      shift += 7;
      if (shift > 70) throw new OtlpDecodeError('varint longer than 10 bytes');
    } while (b >= 0x80);
    this.pos = pos;
    lo >>>= 0;
    if (hi & 0x80000000) {
      // Negative: -(~value + 1)
      const nlo = (~lo + 1) >>> 0;
      const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
      return -(nhi * TWO_32 + nlo);
    }
    return (hi >>> 0) * TWO_32 + lo;
  }

  /** A fixed64 (nanosecond timestamps) as a bigint. */
  fixed64(): bigint {
    const pos = this.pos;
    if (pos + 8 > this.end) throw truncated();
    this.pos = pos + 8;
    const buf = this.buf;
    const lo = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
    const hi = (buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16) | (buf[pos + 7]! << 24)) >>> 0;
    if (hi === 0) return BigInt(lo);
    // The high word of a time changes every 4.3 s: its shifted BigInt is made once, not per field.
    if (hi !== lastHigh) {
      lastHigh = hi;
      lastHighShifted = BigInt(hi) << 32n;
    }
    return lastHighShifted + BigInt(lo);
  }

  double(): number {
    const pos = this.pos;
    if (pos + 8 > this.end) throw truncated();
    this.pos = pos + 8;
    return this.buf.readDoubleLE(pos);
  }

  /** A length-delimited UTF-8 string; invalid UTF-8 is an error (proto3 requires valid UTF-8). */
  string(): string {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    return utf8(this.buf, start, end, this.view);
  }

  /**
   * A length-delimited bytes field as lowercase hex (trace and span ids), through `recent`: ids
   * repeat within a request (a trace's spans share its id, siblings their parent's), and a hit gives
   * back the string made the last time, with no native call.
   */
  hexRecent(recent: RecentBytes<string>): string {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    const length = end - start;
    if (length < MIN_RECENT_LENGTH || length > MAX_RECENT_LENGTH) return hexOf(this.buf, start, end);
    const view = this.view;
    const slot = recent.slot(view, start, end);
    if (recent.found(slot, view, start, end)) return recent.value(slot);
    const made = hexOf(this.buf, start, end);
    recent.remember(slot, view, start, end, made);
    return made;
  }

  /** Skips one field of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT: {
        const buf = this.buf;
        let pos = this.pos;
        for (let n = 0; ; n++) {
          if (pos >= this.end) throw truncated();
          if (n >= 10) throw new OtlpDecodeError('varint longer than 10 bytes');
          if (buf[pos++]! < 0x80) break;
        }
        this.pos = pos;
        return;
      }
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) throw truncated();
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.lengthEnd();
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) throw truncated();
        this.pos += 4;
        return;
      default:
        // Groups (3, 4) are not used by OTLP; anything else is not protobuf at all.
        throw new OtlpDecodeError(`unsupported wire type ${wireType}`);
    }
  }
}

function tooLarge(): OtlpDecodeError {
  return new OtlpDecodeError('tag or length varint above 2^32 - 1');
}

function truncated(): OtlpDecodeError {
  return new OtlpDecodeError('truncated message');
}

/**
 * Lowercase hex of `buf[start, end)`. Node's native slice beat a 256-entry lookup table here (419k
 * vs 386k spans/s decoded) and, being flat rather than a concatenation, makes the translator's
 * later use of the ids cheaper too (276k vs 216k spans/s decoded and translated).
 */
export function hexOf(buf: Buffer, start: number, end: number): string {
  return (buf as SlicingBuffer).hexSlice(start, end);
}

/** Recently made strings, by their bytes. */
const recentStrings = new RecentBytes<string>(4096, '');

/**
 * `buf[start, end)` as a string. ASCII (nearly every key and value in telemetry) takes a latin1
 * slice after a byte scan; anything else is validated as UTF-8 first.
 *
 * Strings repeat from span to span (attribute keys, models, operation names): a string made earlier
 * from the same bytes is returned again (`RecentBytes`; only checked ASCII is kept, so a hit proves
 * its bytes ASCII). A hit skips the native slice, and for keys lets the attribute store reuse a
 * string the engine has already internalized. `view` reads `buf`'s bytes (the reader keeps one).
 */
export function utf8(
  buf: Buffer,
  start: number,
  end: number,
  view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength),
): string {
  const length = end - start;
  if (length < MIN_RECENT_LENGTH || length > MAX_RECENT_LENGTH) {
    return length === 0 ? '' : asciiOrUtf8(buf, start, end);
  }
  const slot = recentStrings.slot(view, start, end);
  if (recentStrings.found(slot, view, start, end)) return recentStrings.value(slot);
  const made = asciiOrUtf8(buf, start, end);
  // Only ASCII strings are kept: a hit must prove its bytes ASCII.
  if (made.length === length) recentStrings.remember(slot, view, start, end, made);
  return made;
}

function asciiOrUtf8(buf: Buffer, start: number, end: number): string {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return nonAscii(buf, start, end);
  return (buf as SlicingBuffer).latin1Slice(start, end);
}

function nonAscii(buf: Buffer, start: number, end: number): string {
  if (!isUtf8(buf.subarray(start, end))) throw new OtlpDecodeError('string field is not valid UTF-8');
  return (buf as SlicingBuffer).utf8Slice(start, end);
}
