import { isUtf8 } from 'node:buffer';
import { TimeSlice } from '../slicing/time-slice';
import { OtlpDecodeError } from './protobuf-reader';

// What the parser expects next.
const VALUE = 0;
/** After `[`: a value or `]`. */
const ARRAY_FIRST = 1;
/** After `{`: a key or `}`. */
const OBJECT_FIRST = 2;
/** After `,` in an object: a key. */
const KEY = 3;
/** After a key: `:`. */
const COLON = 4;
/** After a value: `,` or the container's close, or the end of the body at the top level. */
const AFTER_VALUE = 5;

/** An open array or object and, for an object, the key its next value goes under. */
interface Frame {
  container: unknown[] | Record<string, unknown>;
  isArray: boolean;
  key: string;
}

/** Tokens, or bytes, parsed between two looks at the clock. */
const CLOCK_TOKENS = 64;
const CLOCK_BYTES = 256 * 1024;
/** Bytes checked as UTF-8 per step (the check runs at several GB/s). */
const UTF8_STEP = 2 * 1024 * 1024;

/**
 * Parses a JSON body into the value `JSON.parse` would build from its UTF-8 text (a leading BOM
 * skipped, as `TextDecoder` does; a `__proto__` key is an own property), in slices: it yields to
 * the event loop every few milliseconds, so that a 32 MiB body does not hold up other requests.
 * Works on the bytes: the body is never turned into one string.
 * @throws OtlpDecodeError on invalid UTF-8, nesting deeper than `maxDepth` or invalid JSON (with
 *   the byte offset)
 */
export async function parseJsonSliced(
  body: Buffer,
  maxDepth: number,
  slice = new TimeSlice(),
): Promise<unknown> {
  for (let at = 0; at < body.length; ) {
    let end = Math.min(at + UTF8_STEP, body.length);
    // Steps end at a character boundary: never before a continuation byte.
    while (end < body.length && (body[end]! & 0xc0) === 0x80 && end > at + 1) end--;
    if (!isUtf8(body.subarray(at, end))) throw new OtlpDecodeError('body is not valid UTF-8');
    at = end;
    if (slice.spent) await slice.yield();
  }
  const parser = new SlicedJsonParser(body, maxDepth);
  while (!parser.run(slice)) await slice.yield();
  return parser.result;
}

/** A resumable JSON parser over UTF-8 bytes known to be valid: `run` parses until a slice is spent. */
class SlicedJsonParser {
  result: unknown;
  private pos: number;
  private state = VALUE;
  private readonly stack: Frame[] = [];

  constructor(
    private readonly b: Buffer,
    private readonly maxDepth: number,
  ) {
    this.pos = b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  }

  /** Parses until done (true) or until the slice is spent (false). */
  run(slice: TimeSlice): boolean {
    const b = this.b;
    const len = b.length;
    let tokens = 0;
    let checkedAt = this.pos;
    for (;;) {
      let c = b[this.pos];
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++this.pos];
      if (this.state === AFTER_VALUE && this.stack.length === 0) {
        if (this.pos < len) this.fail('unexpected content after the JSON value');
        return true;
      }
      if (c === undefined) this.fail('unexpected end of the body');
      if (++tokens === CLOCK_TOKENS || this.pos - checkedAt > CLOCK_BYTES) {
        tokens = 0;
        checkedAt = this.pos;
        if (slice.spent) return false;
      }
      switch (this.state) {
        case VALUE:
          this.value(c);
          break;
        case ARRAY_FIRST:
          if (c === 0x5d) {
            this.pos++;
            this.close();
          } else this.value(c);
          break;
        case OBJECT_FIRST:
          if (c === 0x7d) {
            this.pos++;
            this.close();
          } else this.key(c);
          break;
        case KEY:
          this.key(c);
          break;
        case COLON:
          if (c !== 0x3a) this.fail("expected ':' after a key");
          this.pos++;
          this.state = VALUE;
          break;
        default: {
          const top = this.stack[this.stack.length - 1]!;
          if (c === 0x2c) {
            this.pos++;
            this.state = top.isArray ? VALUE : KEY;
          } else if (c === (top.isArray ? 0x5d : 0x7d)) {
            this.pos++;
            this.close();
          } else this.fail(top.isArray ? "expected ',' or ']'" : "expected ',' or '}'");
        }
      }
    }
  }

  private key(c: number): void {
    if (c !== 0x22) this.fail('expected a string key');
    this.stack[this.stack.length - 1]!.key = this.string();
    this.state = COLON;
  }

  private value(c: number): void {
    if (c === 0x7b || c === 0x5b) {
      if (this.stack.length + 1 > this.maxDepth) {
        throw new OtlpDecodeError(`JSON nested deeper than ${this.maxDepth} levels`);
      }
      const isArray = c === 0x5b;
      this.stack.push({ container: isArray ? [] : {}, isArray, key: '' });
      this.pos++;
      this.state = isArray ? ARRAY_FIRST : OBJECT_FIRST;
      return;
    }
    let v: unknown;
    if (c === 0x22) v = this.string();
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) v = this.number();
    else if (c === 0x74) v = this.literal('true', true);
    else if (c === 0x66) v = this.literal('false', false);
    else if (c === 0x6e) v = this.literal('null', null);
    else this.fail('expected a value');
    this.add(v);
  }

  /** Closes the innermost container and adds it to the one around it. */
  private close(): void {
    this.add(this.stack.pop()!.container);
  }

  private add(v: unknown): void {
    const top = this.stack[this.stack.length - 1];
    this.state = AFTER_VALUE;
    if (top === undefined) this.result = v;
    else if (top.isArray) (top.container as unknown[]).push(v);
    else if (top.key === '__proto__') {
      // JSON.parse makes it an own property; assigning would set the prototype.
      Object.defineProperty(top.container, '__proto__', {
        value: v,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else (top.container as Record<string, unknown>)[top.key] = v;
  }

  private literal(word: string, v: boolean | null): boolean | null {
    for (let i = 0; i < word.length; i++) {
      if (this.b[this.pos + i] !== word.charCodeAt(i)) this.fail('expected a value');
    }
    this.pos += word.length;
    return v;
  }

  private number(): number {
    const b = this.b;
    const start = this.pos;
    let i = start;
    if (b[i] === 0x2d) i++;
    if (b[i] === 0x30) i++;
    else if (isDigit(b[i])) while (isDigit(b[i])) i++;
    else this.fail('invalid number', i);
    if (b[i] === 0x2e) {
      i++;
      if (!isDigit(b[i])) this.fail('invalid number', i);
      while (isDigit(b[i])) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (!isDigit(b[i])) this.fail('invalid number', i);
      while (isDigit(b[i])) i++;
    }
    this.pos = i;
    return Number(b.toString('latin1', start, i));
  }

  /** The string starting at the `"` under the cursor; the cursor ends past its closing quote. */
  private string(): string {
    const b = this.b;
    const len = b.length;
    let i = this.pos + 1;
    let from = i;
    let parts: string[] | undefined;
    for (;;) {
      // The common case: a run of plain bytes, sliced out in one go.
      let c = b[i]!;
      while (i < len && c !== 0x22 && c !== 0x5c && c >= 0x20) c = b[++i]!;
      if (i >= len) this.fail('unterminated string', i);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in a string', i);
      parts ??= [];
      if (i > from) parts.push(b.toString('utf8', from, i));
      parts.push(this.escape(i));
      i += b[i + 1] === 0x75 ? 6 : 2;
      from = i;
    }
    this.pos = i + 1;
    if (parts === undefined) return b.toString('utf8', from, i);
    if (i > from) parts.push(b.toString('utf8', from, i));
    return parts.join('');
  }

  /** The character the escape at `at` (a backslash) stands for. */
  private escape(at: number): string {
    const e = this.b[at + 1];
    switch (e) {
      case 0x22:
        return '"';
      case 0x5c:
        return '\\';
      case 0x2f:
        return '/';
      case 0x62:
        return '\b';
      case 0x66:
        return '\f';
      case 0x6e:
        return '\n';
      case 0x72:
        return '\r';
      case 0x74:
        return '\t';
      case 0x75: {
        let code = 0;
        for (let k = at + 2; k < at + 6; k++) {
          const h = hexValue(this.b[k]);
          if (h < 0) this.fail('invalid \\u escape', at);
          code = code * 16 + h;
        }
        // Lone surrogates stay as they are, as JSON.parse keeps them.
        return String.fromCharCode(code);
      }
      default:
        return this.fail('invalid escape', at);
    }
  }

  private fail(what: string, at = this.pos): never {
    throw new OtlpDecodeError(`invalid JSON: ${what} at byte ${at}`);
  }
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}
