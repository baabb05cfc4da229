// The sliced OTLP/JSON decoder (our own incremental parser) against the JSON.parse one, on bodies
// from the real serializer, on generated ones (every value kind, escapes, surrogates, int64 as
// strings, unknown fields, duplicate keys) and on hostile ones (deep nesting, invalid UTF-8,
// truncations, byte mutations): same spans, or the same kind of error.
import { describe, expect, it } from 'vitest';
import { TooManySpansError } from '../src/otlp/decoded-traces';
import { decodeJsonTraces, decodeJsonTracesSliced, MAX_JSON_DEPTH } from '../src/otlp/otlp-json-decoder';
import { OtlpDecodeError } from '../src/otlp/protobuf-reader';
import { agentTraces, everyFieldSpan, toJson } from './support/fixtures';

/** What a decoder made of a body: its result, or the class of the error it threw. */
type Outcome = { ok: unknown } | { error: string };

function errorOf(error: unknown): { error: string } {
  if (error instanceof TooManySpansError) return { error: `TooManySpansError ${error.limit}` };
  if (error instanceof OtlpDecodeError) return { error: 'OtlpDecodeError' };
  return { error: `unexpected ${String(error)}` };
}

async function bothDecoders(body: Buffer, maxSpans?: number): Promise<[Outcome, Outcome]> {
  let reference: Outcome;
  try {
    reference = { ok: decodeJsonTraces(body, maxSpans) };
  } catch (error) {
    reference = errorOf(error);
  }
  let sliced: Outcome;
  try {
    sliced = { ok: await decodeJsonTracesSliced(body, maxSpans) };
  } catch (error) {
    sliced = errorOf(error);
  }
  return [reference, sliced];
}

async function expectSame(body: Buffer, maxSpans?: number): Promise<Outcome> {
  const [reference, sliced] = await bothDecoders(body, maxSpans);
  expect(sliced, body.toString('utf8', 0, 200)).toEqual(reference);
  return reference;
}

/** A small seeded generator, so that a failure replays. */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
type Random = ReturnType<typeof random>;

const TEXTS = [
  '',
  'plain',
  'héllo wörld ✓',
  '😀 and 𝄞',
  'quote " backslash \\ slash /',
  'tab\tnewline\n\u0000\u001f',
  '\ud800 lone',
  'ends lone \udc00',
  '[{"spanId":"x"}]',
  '__proto__',
];

function text(r: Random): string {
  if (r.int(40) === 0) return r.pick(['x', 'é', '€', '😀', '\\"']).repeat(20_000 + r.int(50_000));
  return r.pick(TEXTS) + (r.int(3) === 0 ? String(r.int(1000)) : '');
}

function anyValue(r: Random, depth: number): unknown {
  const snake = r.int(4) === 0;
  const k = (camel: string, snakeName: string) => (snake ? snakeName : camel);
  switch (r.int(depth > 4 ? 6 : 8)) {
    case 0:
      return { [k('stringValue', 'string_value')]: text(r) };
    case 1:
      return { [k('boolValue', 'bool_value')]: r.pick([true, false, 'true', 'false', 1]) };
    case 2:
      return {
        [k('intValue', 'int_value')]: r.pick([
          r.int(1e6),
          -r.int(1e6),
          String(r.int(1e9)),
          '-42',
          '9223372036854775807',
          '12x',
          1.5,
          1e21,
        ]),
      };
    case 3:
      return {
        [k('doubleValue', 'double_value')]: r.pick([
          r.next(),
          -0,
          1e308,
          'NaN',
          'Infinity',
          '-Infinity',
          '1.5',
          'x',
        ]),
      };
    case 4:
      return { [k('bytesValue', 'bytes_value')]: Buffer.from(text(r).slice(0, 40)).toString('base64') };
    case 5:
      return r.pick([{}, { unknownValue: 1 }, null, 'not an object', { stringValue: 7 }]);
    case 6:
      return {
        [k('arrayValue', 'array_value')]: {
          values: Array.from({ length: r.int(5) }, () => anyValue(r, depth + 1)),
        },
      };
    default:
      return {
        [k('kvlistValue', 'kvlist_value')]: {
          values: Array.from({ length: r.int(4) }, () => ({
            key: text(r).slice(0, 12),
            value: anyValue(r, depth + 1),
          })),
        },
      };
  }
}

const hex = (r: Random, n: number) =>
  Array.from({ length: n }, () => '0123456789abcdefABCDEF'[r.int(22)]).join('');

function span(r: Random, trace: string): Record<string, unknown> {
  const snake = r.int(5) === 0;
  const k = (camel: string, snakeName: string) => (snake ? snakeName : camel);
  const s: Record<string, unknown> = {
    [k('traceId', 'trace_id')]:
      r.int(15) === 0
        ? r.pick(['', '00000000000000000000000000000000', 'xyz', Buffer.alloc(16, 7).toString('base64')])
        : trace,
    [k('spanId', 'span_id')]: r.int(15) === 0 ? r.pick(['', '0000000000000000', hex(r, 15)]) : hex(r, 16),
    name: text(r).slice(0, 30),
    kind: r.pick([0, 1, 2, 3, 4, 5, 6, 'SPAN_KIND_CLIENT', '3', -1]),
    [k('startTimeUnixNano', 'start_time_unix_nano')]: r.pick([
      '1700000000000000000',
      1700000000000000000,
      '18446744073709551615',
      '-1',
      'x',
      1.5,
    ]),
    [k('endTimeUnixNano', 'end_time_unix_nano')]: String(1_700_000_000_000_000_000n + BigInt(r.int(1e9))),
    attributes: Array.from({ length: r.int(6) }, () => ({
      key: text(r).slice(0, 20),
      value: anyValue(r, 0),
    })),
  };
  if (r.int(2) === 0) s[k('parentSpanId', 'parent_span_id')] = hex(r, 16);
  if (r.int(3) === 0) {
    s.events = Array.from({ length: r.int(3) }, () => ({
      name: 'exception',
      [k('timeUnixNano', 'time_unix_nano')]: '1700000000500000000',
      attributes: [{ key: 'exception.message', value: anyValue(r, 0) }],
    }));
  }
  if (r.int(2) === 0)
    s.status = r.pick([{ code: 2, message: 'failed' }, { code: 'STATUS_CODE_OK' }, { code: 1 }, null]);
  if (r.int(4) === 0) s.futureField = { nested: [1, { deeper: true }], text: text(r) };
  if (r.int(6) === 0) s.links = [{ traceId: trace, spanId: hex(r, 16) }];
  return s;
}

function request(r: Random): unknown {
  return {
    resourceSpans: Array.from({ length: 1 + r.int(3) }, () => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: text(r).slice(0, 20) } }] },
      scopeSpans: Array.from({ length: 1 + r.int(2) }, () => ({
        scope: r.pick([{ name: 'lib', version: '1.0.0' }, { name: 'lib' }, undefined]),
        spans: Array.from({ length: r.int(8) }, () => span(r, hex(r, 32))),
      })),
    })),
  };
}

/**
 * JSON text of `value` as a sender might write it: random whitespace, some characters as `\u`
 * escapes (surrogate pairs as two escapes), sometimes a key twice (the last one counts).
 */
function write(value: unknown, r: Random): string {
  const ws = () => r.pick(['', '', '', ' ', '\n  ', '\t', '\r\n']);
  const str = (s: string) => {
    let out = '"';
    for (const ch of s) {
      const code = ch.codePointAt(0)!;
      if (ch === '"' || ch === '\\') out += `\\${ch}`;
      else if (code < 0x20 || r.int(10) === 0) {
        for (let i = 0; i < ch.length; i++) {
          const digits = ch.charCodeAt(i).toString(16).padStart(4, '0');
          out += `\\u${r.int(2) ? digits.toUpperCase() : digits}`;
        }
      } else if (ch === '/' && r.int(2) === 0) out += '\\/';
      else out += ch;
    }
    return `${out}"`;
  };
  const go = (v: unknown): string => {
    if (v === null || typeof v !== 'object') return typeof v === 'string' ? str(v) : JSON.stringify(v);
    if (Array.isArray(v)) return `[${ws()}${v.map((x) => go(x ?? null)).join(`${ws()},${ws()}`)}${ws()}]`;
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    const parts = entries.map(([key, x]) => `${str(key)}${ws()}:${ws()}${go(x)}`);
    if (entries.length > 0 && r.int(8) === 0) parts.unshift(`${str(entries[0]![0])}:{"shadowed":true}`);
    return `{${ws()}${parts.join(`${ws()},${ws()}`)}${ws()}}`;
  };
  return go(value);
}

describe('sliced OTLP/JSON decoder against the JSON.parse decoder', () => {
  it('decodes the real serializer’s bodies identically', async () => {
    for (const body of [toJson([everyFieldSpan()]), toJson(agentTraces(300, 'diff'))]) {
      const outcome = await expectSame(body);
      expect((outcome as { ok: { spans: unknown[] } }).ok.spans.length).toBeGreaterThan(0);
    }
  });

  it('decodes 400 generated bodies identically', async () => {
    const r = random(20261129);
    let spans = 0;
    for (let i = 0; i < 400; i++) {
      const body = Buffer.from(write(request(r), r));
      const outcome = await expectSame(body);
      if ('ok' in outcome) spans += (outcome.ok as { spans: unknown[] }).spans.length;
    }
    // The generator makes mostly valid spans: the comparison is not between two empty results.
    expect(spans).toBeGreaterThan(1000);
  });

  it('refuses the same hostile bodies', async () => {
    const deep = (n: number, open = '[', close = ']') => Buffer.from(`${open.repeat(n)}${close.repeat(n)}`);
    const nested = (n: number) =>
      Buffer.from(`{"resourceSpans":[{"x":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}]}`);
    const hostile: Buffer[] = [
      Buffer.alloc(0),
      Buffer.from('   '),
      Buffer.from('null'),
      Buffer.from('[]'),
      Buffer.from('"text"'),
      Buffer.from('{"resourceSpans":{}}'),
      Buffer.from('{"resourceSpans":[1]}'),
      Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[1]}]}]}'),
      Buffer.from('{"resourceSpans":null,"resource_spans":[{}]}'),
      deep(MAX_JSON_DEPTH - 1),
      deep(MAX_JSON_DEPTH),
      deep(MAX_JSON_DEPTH + 1),
      deep(100_000),
      deep(100_000, '{"a":', '}'),
      nested(MAX_JSON_DEPTH - 3),
      nested(MAX_JSON_DEPTH - 2),
      Buffer.from(`{"x":"${'['.repeat(1000)}"}`),
      // UTF-8: a BOM (skipped, as TextDecoder does), two BOMs, invalid bytes, overlong forms,
      // encoded surrogates, past U+10FFFF, truncated sequences.
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"resourceSpans":[]}')]),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from('{}')]),
      ...[
        [0xff],
        [0xc0, 0x80],
        [0xe0, 0x80, 0x80],
        [0xed, 0xa0, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
        [0xe2, 0x82],
        [0x80],
      ].map((bad) => Buffer.concat([Buffer.from('{"x":"'), Buffer.from(bad), Buffer.from('"}')])),
      // Strings: raw control characters, bad escapes, lone surrogates by escape.
      Buffer.from('{"x":"a\u0001b"}'),
      Buffer.from('{"x":"a\\xb"}'),
      Buffer.from('{"x":"\\u12g4"}'),
      Buffer.from('{"x":"\\u12"}'),
      Buffer.from('{"x":"\\'),
      Buffer.from('{"x":"\\ud800\\udc00 \\udc00\\ud800 \\uD83D"}'),
      Buffer.from('{"x":"unterminated'),
      // Numbers and literals.
      ...[
        '01',
        '1.',
        '-',
        '+1',
        '.5',
        '1e',
        '1e+',
        '-0',
        '1E400',
        '-1e-400',
        '0.1e1',
        'tru',
        'nul',
        'NaN',
        'Infinity',
      ].map((n) => Buffer.from(`{"x":${n}}`)),
      // Structure.
      Buffer.from('{"x":1,}'),
      Buffer.from('{"x":[1,]}'),
      Buffer.from('{"x" 1}'),
      Buffer.from('{x:1}'),
      Buffer.from("{'x':1}"),
      Buffer.from('{"x":1}}'),
      Buffer.from('{"x":1} x'),
      Buffer.from('{"x":1}\n\t '),
      Buffer.from('{"x":1}\u00a0'),
      Buffer.from('{"__proto__":{"resourceSpans":[1]},"constructor":1}'),
    ];
    for (const body of hostile) await expectSame(body);
  });

  it('agrees on every prefix and on 3,000 byte mutations of a valid body', async () => {
    const r = random(7);
    const body = Buffer.from(write(request(r), r));
    for (let end = 0; end <= Math.min(body.length, 3000); end++) await expectSame(body.subarray(0, end));
    const significant = Buffer.from('{}[],:"\\ 0123456789-+.eEtfnu\u00e9');
    for (let i = 0; i < 3000; i++) {
      const mutated = Buffer.from(body);
      for (let k = 1 + r.int(3); k > 0; k--) {
        mutated[r.int(mutated.length)] =
          r.int(4) === 0 ? r.int(256) : significant[r.int(significant.length)]!;
      }
      await expectSame(mutated);
    }
  });

  it('counts spans against the limit identically', async () => {
    const body = toJson(agentTraces(30, 'limit'));
    for (const max of [1, 50, 60, 119, 120, 121, 240, 1000]) await expectSame(body, max);
  });

  it('yields to the event loop while it decodes a large body', async () => {
    // 40 MiB: 4,000 spans with a 10 KB attribute each.
    const r = random(11);
    const spans = Array.from({ length: 4000 }, () => {
      const s = span(r, hex(r, 32));
      (s.attributes as unknown[]).push({ key: 'app.padding', value: { stringValue: 'p'.repeat(10_000) } });
      return s;
    });
    const body = Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const decoded = await decodeJsonTracesSliced(body);
    clearInterval(timer);
    expect(decoded.spans.length + decoded.invalidSpans).toBe(4000);
    // The timer ran between slices: the loop was not held for the whole decode.
    expect(ticks).toBeGreaterThan(5);
  });
});
