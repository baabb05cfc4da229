import { gzipSync } from 'node:zlib';
import { context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { TooManySpansError } from '../src/otlp/decoded-traces';
import { decodeJsonTraces } from '../src/otlp/otlp-json-decoder';
import { decodeProtobufTraces, decodeProtobufTracesSliced } from '../src/otlp/otlp-protobuf-decoder';
import { encodeExportResponse, encodeExportResponseJson } from '../src/otlp/otlp-response';
import { OtlpDecodeError, utf8 } from '../src/otlp/protobuf-reader';
import { MAX_ERROR_MESSAGE_BYTES, truncateUtf8 } from '../src/pipeline/collector-pipeline';
import { TimeSlice } from '../src/slicing/time-slice';
import { agentTraces, everyFieldSpan, memoryTracer, RESOURCE, toJson, toProtobuf } from './support/fixtures';

const decoders = [
  ['protobuf', (b: Buffer) => decodeProtobufTraces(b), toProtobuf],
  ['json', (b: Buffer) => decodeJsonTraces(b), toJson],
] as const;

describe.each(decoders)(
  '%s decoder, on bytes from the real otlp-transformer serializer',
  (_name, decode, encode) => {
    it('reads every span field', () => {
      const source = everyFieldSpan();
      const { spans, invalidSpans } = decode(encode([source]));
      expect(invalidSpans).toBe(0);
      expect(spans).toHaveLength(1);
      const span = spans[0]!;
      const ctx = source.spanContext();
      expect(span.traceId).toBe(ctx.traceId);
      expect(span.spanId).toBe(ctx.spanId);
      expect(span.parentSpanId).toBe(source.parentSpanContext?.spanId);
      expect(span.name).toBe('every field');
      expect(span.kind).toBe(3); // PRODUCER, in the API's numbering
      expect(span.startTimeUnixNano).toBe(1_700_000_000_123_456_789n);
      expect(span.endTimeUnixNano).toBe(1_700_000_001_987_654_321n);
      expect(span.status).toEqual({ code: 2, message: 'it failed' });
      expect(span.resource).toMatchObject(RESOURCE);
      expect(span.scope).toEqual({ name: '@spantrack/instrumentation', version: '0.1.0' });
      expect(span.events).toEqual([
        {
          name: 'exception',
          timeUnixNano: 1_700_000_000_500_000_000n,
          attributes: { 'exception.type': 'TimeoutError', 'exception.message': 'boom' },
        },
      ]);
      expect(span.attributes).toEqual({
        str: 'héllo wörld ✓',
        empty: '',
        yes: true,
        no: false,
        int: 42,
        negative: -7,
        big: 2 ** 40 + 3,
        double: 3.25,
        strings: ['a', 'b'],
        ints: [1, 2, 3],
        bools: [true, false],
        mixed: '[1,"x",true]',
        bytes: Buffer.from([0, 1, 2, 250]).toString('base64'),
        nested: JSON.stringify({ a: [1, { b: 'c' }], d: { e: true, f: 1.5 } }),
      });
    });

    it('reads many traces, resource and scope shared', () => {
      const source = agentTraces(20);
      const { spans } = decode(encode(source));
      expect(spans).toHaveLength(source.length);
      expect(spans.map((s) => s.spanId)).toEqual(source.map((s) => s.spanContext().spanId));
      expect(new Set(spans.map((s) => s.resource)).size).toBe(1);
      const root = spans.find((s) => s.name.startsWith('invoke_agent'))!;
      expect(root.parentSpanId).toBeUndefined();
      expect(root.attributes['user.id']).toBe('user-t-0');
    });

    it('decodes an empty request to no spans', () => {
      expect(decode(encode([])).spans).toEqual([]);
    });
  },
);

/** Protobuf base-128 varint of `n`. */
function varint(n: bigint): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

describe('protobuf decoder on hostile bytes', () => {
  const valid = toProtobuf(agentTraces(3));

  it('refuses every truncation of a valid body with OtlpDecodeError, never anything else', () => {
    let refused = 0;
    for (let cut = 1; cut < valid.length; cut += 7) {
      try {
        decodeProtobufTraces(valid.subarray(0, cut));
      } catch (error) {
        expect(error).toBeInstanceOf(OtlpDecodeError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('survives random bytes and bit flips', () => {
    let state = 42;
    const random = () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state;
    };
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.alloc(1 + (random() % 400));
      for (let j = 0; j < bytes.length; j++) bytes[j] = random() & 0xff;
      const flipped = Buffer.from(valid);
      const at = random() % flipped.length;
      flipped[at] = flipped[at]! ^ (1 << (random() % 8));
      for (const body of [bytes, flipped]) {
        try {
          decodeProtobufTraces(body);
        } catch (error) {
          expect(error).toBeInstanceOf(OtlpDecodeError);
        }
      }
    }
  });

  it('refuses invalid UTF-8 in a string field', () => {
    const body = toProtobuf(agentTraces(1));
    const at = body.indexOf(Buffer.from('support-bot'));
    body[at] = 0xff;
    expect(() => decodeProtobufTraces(body)).toThrow(/UTF-8/);
  });

  it('reads each string from its own bytes, however alike earlier strings were (strings are reused)', () => {
    // Same length, same first and last bytes, different middles; ASCII, then non-ASCII of the same
    // byte length; then one of them with a byte that is not UTF-8: each read right, the last refused.
    const read = (s: Buffer) => utf8(s, 0, s.length);
    const alike = Array.from({ length: 64 }, (_, i) => `key.${'a'.repeat(i)}x${'a'.repeat(63 - i)}.end`);
    for (let round = 0; round < 3; round++) {
      for (const s of alike) expect(read(Buffer.from(s))).toBe(s);
    }
    for (let n = 1; n <= 70; n++) {
      const ascii = 'k'.repeat(n);
      expect(read(Buffer.from(ascii))).toBe(ascii);
      expect(read(Buffer.from(ascii))).toBe(ascii);
      if (n >= 2) {
        const accented = `${'k'.repeat(n - 2)}é`;
        expect(read(Buffer.from(accented))).toBe(accented);
        expect(read(Buffer.from(ascii))).toBe(ascii);
        const broken = Buffer.from(ascii);
        broken[n >> 1] = 0xff;
        expect(() => read(broken)).toThrow(OtlpDecodeError);
        expect(read(Buffer.from(ascii))).toBe(ascii);
      }
    }
    // Inside requests: keys and values written in many spans, read the same as the JSON decoder reads them.
    const traces = agentTraces(30);
    const plain = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x));
    const fromProtobuf = decodeProtobufTraces(toProtobuf(traces)).spans;
    expect(fromProtobuf.length).toBeGreaterThan(30);
    expect(plain(fromProtobuf)).toBe(plain(decodeJsonTraces(toJson(traces)).spans));
  });

  it('reads each id from its own bytes, however alike earlier ids were (ids are reused)', () => {
    // Trace ids alike in every byte the recent-ids table hashes (0-3, 6-9, 12-15), different in
    // the others; span ids alike but for one byte; every child names its root as parent.
    const hex4 = (n: number) => n.toString(16).padStart(4, '0');
    let traces = 0;
    let spans = 0;
    const ids = {
      generateTraceId: () => `0a0b0c0d${hex4(traces)}10203040${hex4(traces++ * 7)}a1b2c3d4`,
      generateSpanId: () => `f1f2f3f4f5${hex4(spans++)}f6`,
    };
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      idGenerator: ids,
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('ids');
    for (let t = 0; t < 40; t++) {
      const root = tracer.startSpan('root', { root: true });
      const parent = trace.setSpan(context.active(), root);
      for (let c = 0; c < 3; c++) tracer.startSpan('child', {}, parent).end();
      root.end();
    }
    const source = exporter.getFinishedSpans();
    for (let round = 0; round < 2; round++) {
      const decoded = decodeProtobufTraces(toProtobuf(source)).spans;
      expect(decoded).toHaveLength(160);
      decoded.forEach((span, i) => {
        expect(span.traceId).toBe(source[i]!.spanContext().traceId);
        expect(span.spanId).toBe(source[i]!.spanContext().spanId);
        expect(span.parentSpanId).toBe(source[i]!.parentSpanContext?.spanId);
      });
    }
    expect(new Set(source.map((s) => s.spanContext().traceId)).size).toBe(40);
  });

  it('reads each attribute from its own bytes, however often the same pair came before (pairs are reused)', () => {
    const { tracer, exporter } = memoryTracer();
    const values = ['openai', 'ollama', 'openaj', 'opénai', '', 'x'.repeat(70)];
    for (let i = 0; i < 60; i++) {
      tracer
        .startSpan('pairs', {
          attributes: {
            'gen_ai.provider.name': values[i % values.length],
            'repeated.count': i % 3,
            'repeated.ratio': (i % 2) + 0.25,
            'repeated.flag': i % 2 === 0,
            'repeated.list': ['a', 'b'],
            // Written as `__proto__` in the bytes below (the SDK itself cannot carry that key).
            __proto_x: 'own',
          },
        })
        .end();
    }
    const body = toProtobuf(exporter.getFinishedSpans());
    for (let at = body.indexOf('__proto_x'); at >= 0; at = body.indexOf('__proto_x', at)) body[at + 8] = 0x5f;
    for (let round = 0; round < 2; round++) {
      const spans = decodeProtobufTraces(body).spans;
      expect(spans).toHaveLength(60);
      spans.forEach((span, i) => {
        const a = span.attributes;
        expect(a['gen_ai.provider.name']).toBe(values[i % values.length]);
        expect(a['repeated.count']).toBe(i % 3);
        expect(a['repeated.ratio']).toBe((i % 2) + 0.25);
        expect(a['repeated.flag']).toBe(i % 2 === 0);
        expect(a['repeated.list']).toEqual(['a', 'b']);
        // An own, enumerable attribute, never the object's prototype.
        expect(Object.getOwnPropertyDescriptor(a, '__proto__')?.value).toBe('own');
        expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
      });
      // Arrays are made per span: changing one span's never changes another's.
      (spans[0]!.attributes['repeated.list'] as string[]).push('c');
      expect(spans[1]!.attributes['repeated.list']).toEqual(['a', 'b']);
      const plain = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x));
      // Everything else as the JSON decoder reads the same spans.
      const fromJson = decodeJsonTraces(toJson(exporter.getFinishedSpans())).spans;
      const entries = (attributes: object) =>
        Object.entries(attributes)
          .map(([k, v]) => [k === '__proto_x' ? '__proto__' : k, v])
          .sort(([x], [y]) => String(x).localeCompare(String(y)));
      spans.slice(1).forEach((span, i) => {
        expect(entries(span.attributes)).toEqual(entries(fromJson[i + 1]!.attributes));
        expect(plain({ ...span, attributes: 0 })).toBe(plain({ ...fromJson[i + 1], attributes: 0 }));
      });
    }
  });

  it('decodes in slices exactly what it decodes at once, resources and scopes included, and counts first', async () => {
    // Two requests concatenated are one request with both resource lists (protobuf merges repeated fields).
    const body = Buffer.concat([toProtobuf(agentTraces(40, 'first')), toProtobuf(agentTraces(25, 'second'))]);
    const whole = decodeProtobufTraces(body);
    expect(new Set(whole.spans.map((s) => s.resource)).size).toBeGreaterThanOrEqual(2);
    const sliced = await decodeProtobufTracesSliced(body, Number.POSITIVE_INFINITY, new TimeSlice(0));
    expect(sliced.spans).toEqual(whole.spans);
    for (let i = 0; i < whole.spans.length; i++) {
      expect(sliced.spans[i]!.resource).toEqual(whole.spans[i]!.resource);
      expect(sliced.spans[i]!.scope).toEqual(whole.spans[i]!.scope);
    }
    await expect(decodeProtobufTracesSliced(body, whole.spans.length - 1)).rejects.toThrow(TooManySpansError);
    expect((await decodeProtobufTracesSliced(body, whole.spans.length)).spans).toHaveLength(
      whole.spans.length,
    );
  });

  it('refuses a length varint above 2^32 - 1 instead of wrapping it (2^32 + 206 is not 206)', () => {
    // resource_spans whose length prefix is 2^32 + 206, followed by exactly 206 bytes: wrapped to
    // 32 bits the length would fit the body and the decoder would read on.
    const body = Buffer.concat([Buffer.from([0x0a]), varint(2n ** 32n + 206n), Buffer.alloc(206)]);
    expect(() => decodeProtobufTraces(body)).toThrow(OtlpDecodeError);
    expect(() => decodeProtobufTraces(body)).toThrow(/above 2\^32 - 1/);
    // The same field with its true length 206 is read (206 zero bytes are not a valid field, but
    // the error is about them, not about the length).
    const honest = Buffer.concat([Buffer.from([0x0a]), varint(206n), Buffer.alloc(206)]);
    expect(() => decodeProtobufTraces(honest)).toThrow(/field number 0/);
  });

  it('refuses a tag varint above 2^32 - 1', () => {
    expect(() => decodeProtobufTraces(varint(2n ** 32n + 10n))).toThrow(/above 2\^32 - 1/);
  });

  it('reads a negative enum (sent as a 10-byte varint) as its low 32 bits, like any proto3 parser', () => {
    // span { trace_id, span_id, kind: -1 } inside scope_spans inside resource_spans.
    const span = Buffer.concat([
      Buffer.from([0x0a, 16, ...Array(16).fill(1), 0x12, 8, ...Array(8).fill(2), 0x30]),
      varint(2n ** 64n - 1n),
    ]);
    const scopeSpans = Buffer.concat([Buffer.from([0x12, span.length]), span]);
    const resourceSpans = Buffer.concat([Buffer.from([0x12, scopeSpans.length]), scopeSpans]);
    const body = Buffer.concat([Buffer.from([0x0a, resourceSpans.length]), resourceSpans]);
    const decoded = decodeProtobufTraces(body);
    expect(decoded.spans).toHaveLength(1);
    expect(decoded.spans[0]!.spanId).toBe('0202020202020202');
  });

  it('refuses gzip bytes given as protobuf (decoders never see compression)', () => {
    expect(() => decodeProtobufTraces(gzipSync(valid))).toThrow(OtlpDecodeError);
  });

  it('skips unknown fields of every wire type', () => {
    // Field 99 as varint, fixed64, length-delimited and fixed32 before the real content.
    const unknown = Buffer.from([
      0x98, 0x06, 0x01, 0x99, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0x9a, 0x06, 0x02, 0xaa, 0xbb, 0x9d, 0x06, 1, 2, 3,
      4,
    ]);
    expect(decodeProtobufTraces(Buffer.concat([unknown, valid])).spans).toHaveLength(12);
  });

  it('leaves out spans with bad ids and counts them', () => {
    // resource_spans { scope_spans { spans { trace_id: 3 bytes, span_id: 8 bytes, name: "x" } } }
    const span = Buffer.from([0x0a, 3, 1, 2, 3, 0x12, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0x2a, 1, 0x78]);
    const scopeSpans = Buffer.concat([Buffer.from([0x12, span.length]), span]);
    const resourceSpans = Buffer.concat([Buffer.from([0x12, scopeSpans.length]), scopeSpans]);
    const body = Buffer.concat([Buffer.from([0x0a, resourceSpans.length]), resourceSpans]);
    const decoded = decodeProtobufTraces(body);
    expect(decoded.spans).toEqual([]);
    expect(decoded.invalidSpans).toBe(1);
    expect(decoded.invalidReason).toMatch(/trace_id/);
  });
});

describe('JSON decoder, the OTLP JSON mapping', () => {
  const traceId = '5B8EFFF798038103D269B633813FC60C';
  const request = (span: Record<string, unknown>, keys: 'camel' | 'snake' = 'camel') =>
    Buffer.from(
      JSON.stringify(
        keys === 'camel'
          ? {
              resourceSpans: [
                { resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's' }, spans: [span] }] },
              ],
            }
          : { resource_spans: [{ scope_spans: [{ scope: { name: 's' }, spans: [span] }] }] },
      ),
    );

  it('reads hex ids case-insensitively, int64 as strings, enums as ints', () => {
    const { spans } = decodeJsonTraces(
      request({
        traceId,
        spanId: 'EEE19B7EC3C1B174',
        name: 'n',
        kind: 2,
        startTimeUnixNano: '1544712660000000000',
        endTimeUnixNano: 1544712661000000000,
        attributes: [
          { key: 'i', value: { intValue: '9007199254740991' } },
          { key: 'd', value: { doubleValue: 'NaN' } },
          { key: 'b', value: { boolValue: true } },
        ],
        status: { code: 2 },
      }),
    );
    expect(spans[0]).toMatchObject({
      traceId: traceId.toLowerCase(),
      spanId: 'eee19b7ec3c1b174',
      kind: 1,
      startTimeUnixNano: 1544712660000000000n,
      status: { code: 2 },
    });
    expect(spans[0]!.attributes.i).toBe(9007199254740991);
    expect(spans[0]!.attributes.d).toBeNaN();
  });

  it('accepts the proto field names too', () => {
    const { spans } = decodeJsonTraces(
      request(
        {
          trace_id: traceId,
          span_id: 'eee19b7ec3c1b174',
          parent_span_id: 'aaa19b7ec3c1b174',
          name: 'n',
          start_time_unix_nano: '1',
          end_time_unix_nano: '2',
          attributes: [{ key: 'k', value: { string_value: 'v' } }],
        },
        'snake',
      ),
    );
    expect(spans[0]).toMatchObject({
      parentSpanId: 'aaa19b7ec3c1b174',
      endTimeUnixNano: 2n,
      attributes: { k: 'v' },
    });
  });

  it('ignores unknown fields', () => {
    const { spans } = decodeJsonTraces(
      request({ traceId, spanId: 'eee19b7ec3c1b174', name: 'n', futureField: { x: 1 } }),
    );
    expect(spans).toHaveLength(1);
  });

  it('refuses invalid UTF-8, deep nesting and non-objects', () => {
    expect(() => decodeJsonTraces(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toThrow(/UTF-8/);
    expect(() => decodeJsonTraces(Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`))).toThrow(
      /nested/,
    );
    expect(() => decodeJsonTraces(Buffer.from('[]'))).toThrow(OtlpDecodeError);
    expect(() => decodeJsonTraces(Buffer.from('{"resourceSpans":{}}'))).toThrow(OtlpDecodeError);
    expect(() => decodeJsonTraces(Buffer.from('{"resourceSpans": [1'))).toThrow(/invalid JSON/);
    // Brackets inside strings do not count.
    expect(decodeJsonTraces(Buffer.from(`{"x":"${'['.repeat(1000)}"}`)).spans).toEqual([]);
  });
});

describe('responses', () => {
  it('encode ExportTraceServiceResponse as the exporter reads it', () => {
    expect(encodeExportResponse(undefined)).toHaveLength(0);
    expect(ProtobufTraceSerializer.deserializeResponse(encodeExportResponse(undefined))).toEqual({});
    const partial = encodeExportResponse({ rejectedSpans: 3, errorMessage: 'three bad spans' });
    expect(ProtobufTraceSerializer.deserializeResponse(partial)).toEqual({
      partialSuccess: { rejectedSpans: 3, errorMessage: 'three bad spans' },
    });
    expect(JSON.parse(encodeExportResponseJson({ rejectedSpans: 3, errorMessage: 'x' }))).toEqual({
      partialSuccess: { rejectedSpans: '3', errorMessage: 'x' },
    });
    expect(encodeExportResponseJson(undefined)).toBe('{}');
  });
});

describe('partial_success.error_message bound', () => {
  it('truncateUtf8 cuts at a UTF-8 character boundary, within the byte limit, with an ellipsis', () => {
    expect(truncateUtf8('short', MAX_ERROR_MESSAGE_BYTES)).toBe('short');
    const exact = 'a'.repeat(MAX_ERROR_MESSAGE_BYTES);
    expect(truncateUtf8(exact, MAX_ERROR_MESSAGE_BYTES)).toBe(exact);
    for (const unit of ['é', '€', '😀', 'a€']) {
      for (let n = 300; n < 1200; n += 97) {
        const text = unit.repeat(n);
        const cut = truncateUtf8(text, MAX_ERROR_MESSAGE_BYTES);
        const bytes = Buffer.byteLength(cut, 'utf8');
        expect(bytes).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
        expect(cut).not.toContain('\ufffd');
        if (Buffer.byteLength(text, 'utf8') <= MAX_ERROR_MESSAGE_BYTES) expect(cut).toBe(text);
        else {
          expect(cut.endsWith('…')).toBe(true);
          expect(text.startsWith(cut.slice(0, -1))).toBe(true);
          expect(bytes).toBeGreaterThan(MAX_ERROR_MESSAGE_BYTES - 8);
        }
      }
    }
  });
});
