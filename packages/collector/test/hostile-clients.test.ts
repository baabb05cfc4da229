// Hostile and quirky clients against the BUILT package (`@spantrack/collector`, build first): the
// HTTP details real clients send, abusive bodies and connections, gRPC edge cases and the
// collector's lifecycle. Tests marked `it.skip('BUG: …')` state the correct behaviour of a known bug.
import { channel } from 'node:diagnostics_channel';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { deflateSync, gzipSync } from 'node:zlib';
import { status as GrpcStatus, Metadata } from '@grpc/grpc-js';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { type Collector, startCollector } from '@spantrack/collector';
import {
  type AnalyticsMessage,
  DeliveryError,
  type DeliveryResult,
  MemorySink,
  type Sink,
} from '@spantrack/processor';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentTraces, toJson, toProtobuf } from './support/fixtures';
import { post } from './support/post';
import { type RawExport, rawGrpcClient } from './support/raw-grpc-client';
import { collectorsClosedAfterAll } from './support/started-collectors';

const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };

// ---------------------------------------------------------------------------------------------
// Unhandled rejections anywhere in this file fail the last test.

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

// ---------------------------------------------------------------------------------------------
// Helpers

/** A sink whose deliveries the test controls. */
class ScriptedSink implements Sink {
  mode: 'deliver' | 'fail' = 'deliver';
  delayMs = 0;
  readonly sent: AnalyticsMessage[] = [];
  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.mode === 'fail') {
      return {
        delivered: 0,
        failed: messages.length,
        errors: messages.map((m) => ({
          messageId: m.messageId,
          error: new DeliveryError('Segment answered 503', 503, 3),
        })),
      };
    }
    for (const m of messages) this.sent.push(m);
    return { delivered: messages.length, failed: 0, errors: [] };
  }
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

const collectorWith = collectorsClosedAfterAll();

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Minimal protobuf writer for hand-made requests. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
function ld(field: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(bytes.length)]), bytes]);
}
function fixed64(field: number, value: bigint): Buffer {
  const b = Buffer.alloc(9);
  b[0] = (field << 3) | 1;
  b.writeBigUInt64LE(value, 1);
  return b;
}
/** An ExportTraceServiceRequest of `spans` (already encoded Span messages) under one resource/scope. */
function requestOf(spans: Buffer[]): Buffer {
  const scopeSpans = Buffer.concat([ld(1, ld(1, Buffer.from('hostile'))), ...spans.map((s) => ld(2, s))]);
  return ld(1, ld(2, scopeSpans));
}
function plainSpan(i: number): Buffer {
  const traceId = Buffer.alloc(16);
  traceId.writeUInt32BE(i + 1, 12);
  const spanId = Buffer.alloc(8);
  spanId.writeUInt32BE(i + 1, 4);
  return Buffer.concat([
    ld(1, traceId),
    ld(2, spanId),
    ld(5, Buffer.from('GET')),
    fixed64(7, 1_700_000_000_000_000_000n),
    fixed64(8, 1_700_000_000_100_000_000n),
  ]);
}

/** Reads a google.rpc.Status (protobuf) by hand: {1: code, 2: message}. */
function decodeStatus(body: Buffer): { code: number; message: string } {
  let pos = 0;
  let code = 0;
  let message = '';
  const readVarint = () => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = body[pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  };
  while (pos < body.length) {
    const tag = readVarint();
    if (tag === 0x08) code = readVarint();
    else if ((tag & 7) === 2) {
      const len = readVarint();
      if (tag >>> 3 === 2) message = body.subarray(pos, pos + len).toString('utf8');
      pos += len;
    } else throw new Error(`unexpected tag ${tag}`);
  }
  return { code, message };
}

/** The OTLP/JSON shapes the tests edit. */
interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind?: number | string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes: { key: string; value: Record<string, unknown> }[];
}
interface JsonRequest {
  resourceSpans: { scopeSpans: { spans: JsonSpan[] }[] }[];
}

/** The JSON request of `spans`, mutated by `edit` (the parsed OTLP/JSON object). */
function jsonWith(
  spans = agentTraces(1, `j-${Math.random()}`),
  edit: (request: JsonRequest) => void = () => {},
): Buffer {
  const request = JSON.parse(toJson(spans).toString('utf8')) as JsonRequest;
  edit(request);
  return Buffer.from(JSON.stringify(request));
}
function allSpans(request: JsonRequest): JsonSpan[] {
  return request.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
}

/**
 * Writes `parts` on a raw TCP connection (with `gapMs` between them) and resolves with everything
 * the server sent until it closed the connection or `idleMs` passed without data.
 */
function raw(
  port: number,
  parts: (string | Buffer)[],
  options: { gapMs?: number; idleMs?: number; endAfterWrite?: boolean } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let idle: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      clearTimeout(idle);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(finish, options.idleMs ?? 1500);
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      arm();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', (e) => (chunks.length > 0 ? finish() : reject(e)));
    socket.on('connect', async () => {
      for (const part of parts) {
        if (socket.destroyed) return;
        socket.write(part);
        if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
      }
      if (options.endAfterWrite) socket.end();
      arm();
    });
  });
}

function statusLines(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}

async function metricValue(url: string, line: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

// ---------------------------------------------------------------------------------------------
// One shared collector for the HTTP details.

let sink: MemorySink;
let collector: Collector;
let url: string;
let httpUrl: string;

beforeAll(async () => {
  sink = new MemorySink();
  collector = await collectorWith({ sink });
  url = collector.tracesUrl!;
  httpUrl = collector.httpUrl!;
});

async function stillWorks(): Promise<void> {
  const res = await post(url, toProtobuf(agentTraces(1, `after-${Math.random()}`)), PROTO);
  expect(res.status).toBe(200);
  expect(ProtobufTraceSerializer.deserializeResponse(res.body)).toEqual({});
}

describe('HTTP: media types and encodings real clients send', () => {
  it('application/json; charset=utf-8 → 200 with a JSON answer', async () => {
    const res = await post(url, toJson(agentTraces(1, 'charset')), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body.toString())).toEqual({});
  });

  it('upper-case and parameterised media types; application/protobuf', async () => {
    for (const type of [
      'APPLICATION/JSON',
      'Application/Json ; charset="UTF-8"',
      'application/x-protobuf; charset=utf-8',
      'APPLICATION/X-PROTOBUF',
      'application/protobuf',
    ]) {
      const isJson = type.toLowerCase().includes('json');
      const body = isJson ? toJson(agentTraces(1, type)) : toProtobuf(agentTraces(1, type));
      const res = await post(url, body, { 'content-type': type });
      expect(res.status, type).toBe(200);
      expect(res.headers['content-type'], type).toBe(isJson ? 'application/json' : 'application/x-protobuf');
    }
  });

  it('Content-Encoding GZIP / x-gzip / deflate / identity / " gzip " → 200', async () => {
    const cases: [string, (b: Buffer) => Buffer][] = [
      ['GZIP', gzipSync],
      ['x-gzip', gzipSync],
      ['deflate', deflateSync],
      ['identity', (b) => b],
      [' gzip ', gzipSync],
    ];
    for (const [encoding, encode] of cases) {
      const res = await post(url, encode(toProtobuf(agentTraces(1, encoding))), {
        ...PROTO,
        'content-encoding': encoding,
      });
      expect(res.status, encoding).toBe(200);
    }
  });

  it('a content coding list (gzip, identity) or an unknown coding gets 415, never a crash', async () => {
    const body = gzipSync(toProtobuf(agentTraces(1)));
    for (const encoding of ['gzip, identity', 'br', 'zstd', 'snappy']) {
      const res = await post(url, body, { ...PROTO, 'content-encoding': encoding });
      expect(res.status, encoding).toBe(415);
      expect(decodeStatus(res.body).message).toMatch(/unsupported content encoding/);
    }
    await stillWorks();
  });

  it('Content-Encoding: gzip on a body that is not gzip → 400 in the request format', async () => {
    const res = await post(url, toJson(agentTraces(1)), { ...JSON_TYPE, 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body.toString()).message).toMatch(/not valid gzip/);
  });
});

describe('HTTP: framing, connections and methods', () => {
  it('Transfer-Encoding: chunked without Content-Length, in small pieces → 200', async () => {
    const body = toProtobuf(agentTraces(2, 'chunked'));
    const pieces: string[] = [];
    for (let i = 0; i < body.length; i += 100) {
      const part = body.subarray(i, i + 100);
      pieces.push(`${part.length.toString(16)}\r\n${part.toString('latin1')}\r\n`);
    }
    const text = await raw(
      portOf(url),
      [
        'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
        ...pieces.map((p) => Buffer.from(p, 'latin1')),
        '0\r\n\r\n',
      ],
      { gapMs: 1 },
    );
    expect(statusLines(text)).toEqual([200]);
  });

  it('Expect: 100-continue → 100 Continue, then 200', async () => {
    const body = toProtobuf(agentTraces(1, 'expect'));
    const result = await new Promise<{ continued: boolean; status: number }>((resolve, reject) => {
      let continued = false;
      const req = request(url, {
        method: 'POST',
        headers: { ...PROTO, expect: '100-continue', 'content-length': String(body.length) },
      });
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ continued, status: res.statusCode ?? 0 }));
      });
      req.on('error', reject);
    });
    expect(result).toEqual({ continued: true, status: 200 });
  });

  it('keep-alive: 200 sequential requests on one socket, mixing good and bad ones', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const statuses: number[] = [];
    const good = toProtobuf(agentTraces(1, 'keepalive'));
    try {
      for (let i = 0; i < 200; i++) {
        const bad = i % 10 === 9;
        const status = await new Promise<number>((resolve, reject) => {
          const req = request(url, { method: 'POST', agent, headers: PROTO }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('socket', (s) => sockets.add(s));
          req.on('error', reject);
          req.end(bad ? Buffer.from('not protobuf at all \xff\xff') : good);
        });
        statuses.push(status);
      }
    } finally {
      agent.destroy();
    }
    expect(sockets.size).toBe(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(180);
    expect(statuses.filter((s) => s === 400)).toHaveLength(20);
  });

  it('HTTP/1.0 with Content-Length → 200 and the connection closes', async () => {
    const body = toProtobuf(agentTraces(1, 'http10'));
    const text = await raw(portOf(url), [
      Buffer.concat([
        Buffer.from(
          `POST /v1/traces HTTP/1.0\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${body.length}\r\n\r\n`,
        ),
        body,
      ]),
    ]);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text.toLowerCase()).toContain('connection: close');
  });

  it('two pipelined requests on one connection get two answers in order', async () => {
    const body = toProtobuf(agentTraces(1, 'pipelined'));
    const head = `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${body.length}\r\n\r\n`;
    const bad =
      'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 3\r\nConnection: close\r\n\r\n\xff\xff\xff';
    const text = await raw(portOf(url), [
      Buffer.concat([Buffer.from(head), body, Buffer.from(bad, 'latin1')]),
    ]);
    expect(statusLines(text)).toEqual([200, 400]);
  });

  it('a body longer than its Content-Length: the surplus is a bad next request, the server survives', async () => {
    const body = toProtobuf(agentTraces(1, 'longer'));
    const text = await raw(portOf(url), [
      Buffer.concat([
        Buffer.from(
          `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${body.length - 40}\r\n\r\n`,
        ),
        body,
      ]),
    ]);
    const statuses = statusLines(text);
    expect(statuses[0]).toBe(400); // truncated protobuf
    expect(statuses.slice(1).every((s) => s === 400)).toBe(true);
    await stillWorks();
  });

  it('a client that aborts mid-body: no crash, later requests work, each abort counted and nothing of it delivered', async () => {
    const own = new MemorySink();
    const c = await collectorWith({ sink: own });
    const body = toProtobuf(agentTraces(5, 'abort'));
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(portOf(c.tracesUrl!), '127.0.0.1', () => {
          socket.write(
            `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${body.length}\r\n\r\n`,
          );
          socket.write(body.subarray(0, body.length >> 1));
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 5);
        });
        socket.on('error', () => {});
      });
    }
    const aborted = 'spantrack_collector_requests_total{transport="http",outcome="aborted"}';
    for (let i = 0; i < 50 && (await metricValue(c.httpUrl!, aborted)) < 20; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await metricValue(c.httpUrl!, aborted)).toBe(20);
    expect(own.messages).toEqual([]);
    const res = await post(c.tracesUrl!, toProtobuf(agentTraces(1, 'after-abort')), PROTO);
    expect(res.status).toBe(200);
    expect(own.messages.length).toBeGreaterThan(0);
  });

  it('a body shorter than its Content-Length from a client that stays: answered after the request timeout at worst (not probed: 120 s)', async () => {
    // Documented rather than waited for: Node's requestTimeout (120 s) bounds it. Here the client
    // sends the rest late, and the request succeeds.
    const body = toProtobuf(agentTraces(1, 'late'));
    const text = await raw(
      portOf(url),
      [
        `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        body.subarray(0, 10),
        body.subarray(10),
      ],
      { gapMs: 300 },
    );
    expect(statusLines(text)).toEqual([200]);
  });

  it('GET / HEAD / OPTIONS / PUT / DELETE on /v1/traces → 405 with Allow: POST', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(url, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow'), method).toBe('POST');
      await res.arrayBuffer();
    }
  });

  it('query strings are ignored; a trailing slash or another path is 404', async () => {
    const body = toProtobuf(agentTraces(1, 'query'));
    expect((await post(`${url}?x=1&y`, body, PROTO)).status).toBe(200);
    expect((await post(`${url}/`, body, PROTO)).status).toBe(404);
    expect((await post(`${httpUrl}/v1/logs`, body, PROTO)).status).toBe(404);
    await stillWorks();
  });
});

describe('HTTP: edge-case bodies', () => {
  it('an empty protobuf body → 200 with an empty ExportTraceServiceResponse', async () => {
    const res = await post(url, Buffer.alloc(0), PROTO);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(res.body.length).toBe(0);
  });

  it('an empty gzip of nothing → 200', async () => {
    const res = await post(url, gzipSync(Buffer.alloc(0)), { ...PROTO, 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
  });

  it('{} and {"resourceSpans":[]} and null lists → 200 {}', async () => {
    for (const text of [
      '{}',
      '{"resourceSpans":[]}',
      '{"resourceSpans":null}',
      '{"resourceSpans":[{}]}',
      '{"resourceSpans":[{"scopeSpans":[{}]}]}',
    ]) {
      const res = await post(url, Buffer.from(text), JSON_TYPE);
      expect(res.status, text).toBe(200);
      expect(JSON.parse(res.body.toString()), text).toEqual({});
    }
  });

  it('an empty JSON body is not JSON → 400 with a JSON Status', async () => {
    const res = await post(url, Buffer.alloc(0), JSON_TYPE);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    expect(typeof JSON.parse(res.body.toString()).message).toBe('string');
  });

  it('JSON with a UTF-8 BOM → 200 and delivered', async () => {
    const before = sink.messages.length;
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), toJson(agentTraces(1, 'bom'))]);
    const res = await post(url, body, JSON_TYPE);
    expect(res.status).toBe(200);
    expect(sink.messages.length).toBeGreaterThan(before);
  });

  it('JSON ids in upper-case hex give the same messages as lower-case ones', async () => {
    const spans = agentTraces(1, 'upper');
    const lower = new MemorySink();
    const upper = new MemorySink();
    const a = await collectorWith({ sink: lower });
    const b = await collectorWith({ sink: upper });
    expect((await post(a.tracesUrl!, jsonWith(spans), JSON_TYPE)).status).toBe(200);
    const shouting = jsonWith(spans, (r) => {
      for (const s of allSpans(r)) {
        s.traceId = s.traceId.toUpperCase();
        s.spanId = s.spanId.toUpperCase();
        if (s.parentSpanId) s.parentSpanId = s.parentSpanId.toUpperCase();
      }
    });
    expect((await post(b.tracesUrl!, shouting, JSON_TYPE)).status).toBe(200);
    expect(lower.messageIds().length).toBeGreaterThan(0);
    expect(upper.messageIds()).toEqual(lower.messageIds());
  });

  it('zero-length and all-zero ids → 200 with partial_success counting those spans (JSON in, JSON out)', async () => {
    const body = jsonWith(undefined, (r) => {
      const spans = allSpans(r);
      spans[0]!.traceId = '';
      spans[1]!.traceId = '00000000000000000000000000000000';
      spans[2]!.spanId = '0000000000000000';
    });
    const res = await post(url, body, JSON_TYPE);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const parsed = JSON.parse(res.body.toString());
    expect(parsed.partialSuccess.rejectedSpans).toBe('3');
    expect(parsed.partialSuccess.errorMessage).toMatch(/trace_id must be 16 bytes/);
    const viaExporter = JsonTraceSerializer.deserializeResponse(res.body);
    expect(Number(viaExporter.partialSuccess?.rejectedSpans)).toBe(3);
  });

  it('partial_success in protobuf decodes with the exporter’s deserializer (protobuf in, protobuf out)', async () => {
    const spans = [plainSpan(1), Buffer.concat([ld(1, Buffer.alloc(16)), ld(2, Buffer.alloc(8, 1))])];
    const res = await post(url, requestOf(spans), PROTO);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    const decoded = ProtobufTraceSerializer.deserializeResponse(res.body);
    expect(Number(decoded.partialSuccess?.rejectedSpans)).toBe(1);
    expect(decoded.partialSuccess?.errorMessage).toMatch(/1 of 2 spans/);
  });

  it('a span ending before it starts → 200, no crash', async () => {
    const body = jsonWith(undefined, (r) => {
      for (const s of allSpans(r)) {
        const start = s.startTimeUnixNano;
        s.startTimeUnixNano = s.endTimeUnixNano;
        s.endTimeUnixNano = start;
      }
    });
    const res = await post(url, body, JSON_TYPE);
    expect(res.status).toBe(200);
    JsonTraceSerializer.deserializeResponse(res.body);
  });

  it('odd but legal JSON values: ids as base64, times as numbers, enum names, huge/negative times', async () => {
    const body = jsonWith(undefined, (r) => {
      const spans = allSpans(r);
      spans[0]!.traceId = Buffer.from(spans[0]!.traceId, 'hex').toString('base64');
      spans[0]!.spanId = Buffer.from(spans[0]!.spanId, 'hex').toString('base64');
      spans[1]!.startTimeUnixNano = Number(spans[1]!.startTimeUnixNano);
      spans[1]!.kind = 'SPAN_KIND_CLIENT';
      spans[2]!.endTimeUnixNano = '99999999999999999999';
      spans[3]!.startTimeUnixNano = -5;
    });
    const res = await post(url, body, JSON_TYPE);
    expect(res.status).toBe(200);
    JsonTraceSerializer.deserializeResponse(res.body);
  });

  it('100,000 tiny spans in one request (about 4.5 MB) → 413 naming the limit by default, 200 within a few seconds when allowed', async () => {
    const spans = Array.from({ length: 100_000 }, (_, i) => plainSpan(i));
    const body = requestOf(spans);
    expect(body.length).toBeLessThan(20 * 1024 * 1024);
    const refused = await post(url, body, PROTO);
    expect(refused.status).toBe(413);
    expect(decodeStatus(refused.body).message).toMatch(
      /more than 10000 spans \(the limit on spans per request\)/,
    );
    const roomy = await collectorWith({ sink: new MemorySink(), maxSpansPerRequest: 100_000 });
    const t0 = Date.now();
    const res = await post(roomy.tracesUrl!, body, PROTO);
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(roomy.stats().spansReceived).toBe(100_000);
  }, 20_000);

  it('a 15 MB attribute value on an AI span → answered 200 (partial if the event is too large)', async () => {
    const big = 'x'.repeat(15 * 1024 * 1024);
    const body = jsonWith(undefined, (r) => {
      allSpans(r)[0]!.attributes.push({ key: 'huge', value: { stringValue: big } });
    });
    const res = await post(url, body, JSON_TYPE);
    expect(res.status).toBe(200);
    JsonTraceSerializer.deserializeResponse(res.body);
    await stillWorks();
  }, 20_000);

  it('a body just over maxRequestBytes, declared or chunked → 413 and the connection stays usable', async () => {
    const small = await collectorWith({ sink: new MemorySink(), maxRequestBytes: 4096 });
    const over = Buffer.alloc(5000, 0x0a);
    expect((await post(small.tracesUrl!, over, PROTO)).status).toBe(413);
    expect((await post(small.tracesUrl!, { streamBytes: 2 * 1024 * 1024 }, PROTO)).status).toBe(413);
    expect((await post(small.tracesUrl!, toProtobuf(agentTraces(1)), PROTO)).status).toBe(200);
  });
});

describe('HTTP: error bodies', () => {
  it('error answers for JSON requests are JSON google.rpc.Status, for protobuf ones protobuf', async () => {
    const j = await post(url, Buffer.from('{"resourceSpans": 7}'), JSON_TYPE);
    expect(j.status).toBe(400);
    expect(j.headers['content-type']).toBe('application/json');
    expect(JSON.parse(j.body.toString()).message).toMatch(/resourceSpans must be an array/);
    const p = await post(url, Buffer.from([0xff, 0xff, 0xff]), PROTO);
    expect(p.status).toBe(400);
    expect(p.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeStatus(p.body).message).toMatch(/undecodable protobuf/);
  });

  it('the google.rpc.Status of a 4xx/5xx carries the matching gRPC code (400 INVALID_ARGUMENT, 401 UNAUTHENTICATED, 413 RESOURCE_EXHAUSTED, 415 UNIMPLEMENTED)', async () => {
    // Regression: sendFailure wrote encodeStatus(0, …): code 0 = OK in an error answer.
    const p = await post(url, Buffer.from([0xff, 0xff, 0xff]), PROTO);
    expect(p.status).toBe(400);
    expect(decodeStatus(p.body).code).toBe(GrpcStatus.INVALID_ARGUMENT);
    const j = await post(url, Buffer.from('nope'), JSON_TYPE);
    expect(JSON.parse(j.body.toString()).code).toBe(GrpcStatus.INVALID_ARGUMENT);
    const u = await post(url, Buffer.alloc(0), { ...PROTO, 'content-encoding': 'br' });
    expect(u.status).toBe(415);
    expect(decodeStatus(u.body).code).toBe(GrpcStatus.UNIMPLEMENTED);
    const small = await collectorWith({ sink: new MemorySink(), maxRequestBytes: 1000, bearerToken: 't' });
    const auth = { ...JSON_TYPE, authorization: 'Bearer t' };
    const big = await post(small.tracesUrl!, Buffer.alloc(5000, 0x20), auth);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body.toString()).code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    const unauthorized = await post(small.tracesUrl!, Buffer.from('{}'), JSON_TYPE);
    expect(unauthorized.status).toBe(401);
    expect(JSON.parse(unauthorized.body.toString()).code).toBe(GrpcStatus.UNAUTHENTICATED);
  });
});

// ---------------------------------------------------------------------------------------------
// gRPC

describe('gRPC', () => {
  let grpcSink: ScriptedSink;
  let g: Collector;
  beforeAll(async () => {
    grpcSink = new ScriptedSink();
    g = await collectorWith({ sink: grpcSink, http: false, grpc: { port: 0 } });
  });

  it('the real OTLP gRPC exporter with gzip compression → delivered', async () => {
    const spans = agentTraces(3, 'grpc-gzip');
    const exporter = new GrpcTraceExporter({ url: g.grpcUrl!, compression: 'gzip' as never });
    const before = grpcSink.sent.length;
    const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
      exporter.export(spans, resolve),
    );
    await exporter.shutdown();
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(0);
    expect(grpcSink.sent.length - before).toBeGreaterThanOrEqual(9);
  });

  it('garbage bytes → INVALID_ARGUMENT, then a valid call on the same channel succeeds', async () => {
    const { client, call } = rawGrpcClient(g.grpcUrl!);
    try {
      for (const garbage of [
        Buffer.from([0xff, 0xff, 0xff, 0xff]),
        Buffer.from('{"resourceSpans":[]}'),
        Buffer.from([0x0a, 0x7f]),
      ]) {
        const res = await call(garbage);
        expect(res.code, garbage.toString('hex')).toBe(GrpcStatus.INVALID_ARGUMENT);
      }
      const ok = await call(toProtobuf(agentTraces(1, 'grpc-after-garbage')));
      expect(ok.code).toBe(0);
      expect(ok.response!.length).toBe(0);
    } finally {
      client.close();
    }
  });

  it('partial_success over gRPC decodes with the exporter’s deserializer', async () => {
    const { client, call } = rawGrpcClient(g.grpcUrl!);
    try {
      const res = await call(requestOf([plainSpan(1), ld(1, Buffer.alloc(3))]));
      expect(res.code).toBe(0);
      const decoded = ProtobufTraceSerializer.deserializeResponse(res.response!);
      expect(Number(decoded.partialSuccess?.rejectedSpans)).toBe(1);
    } finally {
      client.close();
    }
  });

  it('a message over the size limit → RESOURCE_EXHAUSTED (gzip too), the server survives', async () => {
    const small = await collectorWith({
      sink: new MemorySink(),
      http: false,
      grpc: { port: 0 },
      maxDecompressedBytes: 64 * 1024,
    });
    const body = requestOf(Array.from({ length: 5000 }, (_, i) => plainSpan(i)));
    expect(body.length).toBeGreaterThan(64 * 1024);
    const plain = rawGrpcClient(small.grpcUrl!);
    const gz = rawGrpcClient(small.grpcUrl!, { 'grpc.default_compression_algorithm': 2 });
    try {
      expect((await plain.call(body)).code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
      expect((await gz.call(body)).code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
      expect((await plain.call(toProtobuf(agentTraces(1)))).code).toBe(0);
    } finally {
      plain.client.close();
      gz.client.close();
    }
  });

  it('a client that cancels mid-call: no crash, no unhandled rejection, the next call works', async () => {
    grpcSink.delayMs = 300;
    const { client } = rawGrpcClient(g.grpcUrl!);
    try {
      const outcome = await new Promise<number>((resolve) => {
        const c = (client as unknown as { Export: RawExport }).Export(
          toProtobuf(agentTraces(1, 'cancel')),
          new Metadata(),
          {},
          (error) => resolve(error?.code ?? 0),
        );
        setTimeout(() => c.cancel(), 50);
      });
      expect(outcome).toBe(GrpcStatus.CANCELLED);
      await new Promise((r) => setTimeout(r, 400));
    } finally {
      grpcSink.delayMs = 0;
      client.close();
    }
    const { client: again, call } = rawGrpcClient(g.grpcUrl!);
    try {
      expect((await call(toProtobuf(agentTraces(1, 'after-cancel')))).code).toBe(0);
    } finally {
      again.close();
    }
    expect(unhandled).toEqual([]);
  });

  it('bearer token in metadata: right → OK (scheme case-insensitive), missing or wrong → UNAUTHENTICATED', async () => {
    const secured = await collectorWith({
      sink: new MemorySink(),
      http: false,
      grpc: { port: 0 },
      bearerToken: 'x',
    });
    const { client, call } = rawGrpcClient(secured.grpcUrl!);
    const body = toProtobuf(agentTraces(1, 'grpc-auth'));
    const md = (value?: string) => {
      const m = new Metadata();
      if (value !== undefined) m.set('authorization', value);
      return m;
    };
    try {
      expect((await call(body, md('Bearer x'))).code).toBe(0);
      expect((await call(body, md('bearer x'))).code).toBe(0);
      expect((await call(body, md())).code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect((await call(body, md('Bearer y'))).code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect((await call(body, md('Basic eDp4'))).code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect((await call(body, md('x'))).code).toBe(GrpcStatus.UNAUTHENTICATED);
    } finally {
      client.close();
    }
  });

  it('HTTP bearer token: 401 with WWW-Authenticate for a missing one, 200 with it', async () => {
    const secured = await collectorWith({ sink: new MemorySink(), bearerToken: 'x' });
    const body = toProtobuf(agentTraces(1, 'http-auth'));
    const no = await post(secured.tracesUrl!, body, PROTO);
    expect(no.status).toBe(401);
    expect(no.headers['www-authenticate']).toBe('Bearer');
    expect((await post(secured.tracesUrl!, body, { ...PROTO, authorization: 'Bearer x' })).status).toBe(200);
  });

  it('the gRPC receiver listens on IPv4 wildcard and localhost, and answers a call there', async () => {
    for (const host of ['0.0.0.0', 'localhost']) {
      const own = new MemorySink();
      const c = await startCollector({ http: false, grpc: { host, port: 0 }, sink: own, env: {} });
      try {
        const { client, call } = rawGrpcClient(`http://127.0.0.1:${portOf(c.grpcUrl!)}`);
        expect((await call(toProtobuf(agentTraces(1, `listen-${host}`)))).code).toBe(0);
        client.close();
        expect(own.messages.length).toBeGreaterThan(0);
      } finally {
        await c.close();
      }
    }
  });

  it('the gRPC receiver listens on an IPv6 host (--grpc-host :: or ::1)', async () => {
    // Regression: bindAsync(`${host}:${port}`) without brackets: "::" gave "Name resolution failed
    // for target dns::::0", "::1" bound "::1:0:443" (EADDRNOTAVAIL).
    for (const host of ['::1', '::']) {
      const c = await startCollector({
        http: false,
        grpc: { host, port: 0 },
        sink: new MemorySink(),
        env: {},
      });
      try {
        const { client, call } = rawGrpcClient(c.grpcUrl!.replace('[::]', '[::1]'));
        expect((await call(toProtobuf(agentTraces(1, 'ipv6')))).code).toBe(0);
        client.close();
      } finally {
        await c.close();
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Lifecycle, metrics, readiness

describe('lifecycle', () => {
  afterEach(() => {
    expect(unhandled).toEqual([]);
  });

  it('close() while HTTP and gRPC requests are in flight: each gets an answer, close() twice is one close', async () => {
    const slow = new ScriptedSink();
    slow.delayMs = 300;
    const c = await startCollector({ http: { port: 0 }, grpc: { port: 0 }, sink: slow, env: {} });
    const body = toProtobuf(agentTraces(1, 'closing'));
    const httpCalls = Array.from({ length: 20 }, () => post(c.tracesUrl!, body, PROTO));
    const { client, call } = rawGrpcClient(c.grpcUrl!);
    const grpcCalls = Array.from({ length: 5 }, () => call(body));
    await new Promise((r) => setTimeout(r, 100));
    const first = c.close();
    const second = c.close();
    expect(second).toBe(first);
    const statuses = (await Promise.all(httpCalls)).map((r) => r.status);
    const codes = (await Promise.all(grpcCalls)).map((r) => r.code);
    await first;
    client.close();
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(codes.every((code) => code === 0 || code === GrpcStatus.UNAVAILABLE)).toBe(true);
    // New connections are refused once closed.
    await expect(
      new Promise((resolve, reject) => {
        const socket = connect(portOf(c.httpUrl!), '127.0.0.1', () => resolve(socket.destroy()));
        socket.on('error', reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it('close() while a body is still being uploaded: the upload finishes and is answered 503', async () => {
    const c = await startCollector({ http: { port: 0 }, grpc: false, sink: new MemorySink(), env: {} });
    const body = toProtobuf(agentTraces(1, 'uploading'));
    const answer = raw(
      portOf(c.httpUrl!),
      [
        `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${body.length}\r\n\r\n`,
        body.subarray(0, 10),
        body.subarray(10),
      ],
      { gapMs: 300 },
    );
    await new Promise((r) => setTimeout(r, 100));
    const closed = c.close();
    const text = await answer;
    await closed;
    expect(statusLines(text)).toEqual([503]);
    expect(text.toLowerCase()).toContain('retry-after: 2');
  });

  it('a request still awaiting delivery at the shutdown deadline is answered 503 + Retry-After before its connection is cut', async () => {
    // Regression: shutdown() gave up waiting at the deadline and http.close(0) ran
    // closeAllConnections() while the request was inside pipeline.export: the sender saw a reset.
    const slow = new ScriptedSink();
    slow.delayMs = 2_000;
    const c = await startCollector({
      http: { port: 0 },
      grpc: false,
      sink: slow,
      env: {},
      shutdownTimeoutMs: 300,
    });
    const pending = post(c.tracesUrl!, toProtobuf(agentTraces(1, 'deadline')), PROTO);
    await new Promise((r) => setTimeout(r, 50));
    await c.close();
    const res = await pending;
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
  });

  it('starting a second collector on a used port fails with a clear error; the first keeps working', async () => {
    const a = await collectorWith({ sink: new MemorySink(), grpc: { port: 0 } });
    const httpPort = portOf(a.httpUrl!);
    const grpcPort = portOf(a.grpcUrl!);
    await expect(
      startCollector({ http: { port: httpPort }, grpc: false, sink: new MemorySink(), env: {} }),
    ).rejects.toThrow(/EADDRINUSE/);
    await expect(
      startCollector({ http: { port: 0 }, grpc: { port: grpcPort }, sink: new MemorySink(), env: {} }),
    ).rejects.toThrow(/EADDRINUSE/);
    expect((await post(a.tracesUrl!, toProtobuf(agentTraces(1)), PROTO)).status).toBe(200);
  });

  it('/metrics after errors: per-outcome counters match what was sent', async () => {
    const m = await collectorWith({ sink: new MemorySink(), maxRequestBytes: 100_000 });
    const u = m.tracesUrl!;
    const good = toProtobuf(agentTraces(1, 'metrics'));
    for (let i = 0; i < 3; i++) expect((await post(u, Buffer.from([0xff, 0xff]), PROTO)).status).toBe(400);
    for (let i = 0; i < 2; i++) expect((await post(u, good, PROTO)).status).toBe(200);
    expect((await post(u, good, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(u, Buffer.alloc(200_000), PROTO)).status).toBe(413);
    expect((await post(u, requestOf([plainSpan(1), ld(1, Buffer.alloc(1))]), PROTO)).status).toBe(200);
    const line = (outcome: string) =>
      `spantrack_collector_requests_total{transport="http",outcome="${outcome}"}`;
    expect(await metricValue(m.httpUrl!, line('invalid'))).toBe(3);
    expect(await metricValue(m.httpUrl!, line('ok'))).toBe(2);
    expect(await metricValue(m.httpUrl!, line('unsupported'))).toBe(1);
    expect(await metricValue(m.httpUrl!, line('too_large'))).toBe(1);
    expect(await metricValue(m.httpUrl!, line('partial'))).toBe(1);
    const stats = m.stats();
    expect(stats.requests).toBe(8);
    expect(stats.spansReceived).toBe(4 * 2 + 2);
    expect(stats.spansRejected).toBe(1);
    expect(stats.messagesDelivered).toBe(stats.messagesTranslated);
    expect(await metricValue(m.httpUrl!, 'spantrack_collector_spans_received_total')).toBe(10);
  });

  it('a client that disconnects mid-body is counted as outcome="aborted", not as an answered "invalid" request', async () => {
    // Regression: readBody's "request aborted" became HttpFailure(400, 'invalid') although no answer
    // was sent; operators alerting on outcome="invalid" (clients sending garbage) saw network blips.
    const m = await collectorWith({ sink: new MemorySink() });
    const body = toProtobuf(agentTraces(3));
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(portOf(m.httpUrl!), '127.0.0.1', () => {
          socket.write(
            `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${body.length}\r\n\r\n`,
          );
          socket.write(body.subarray(0, 20));
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 20);
        });
      });
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(
      await metricValue(m.httpUrl!, 'spantrack_collector_requests_total{transport="http",outcome="invalid"}'),
    ).toBe(0);
    expect(
      await metricValue(m.httpUrl!, 'spantrack_collector_requests_total{transport="http",outcome="aborted"}'),
    ).toBe(5);
    expect(m.stats().requests).toBe(0);
  });

  it('/readyz while the sink fails: 503 "sink failing", then 200 once a probe delivers', async () => {
    const failing = new ScriptedSink();
    failing.mode = 'fail';
    const r = await collectorWith({ sink: failing });
    const body = toProtobuf(agentTraces(1, 'ready'));
    expect((await fetch(`${r.httpUrl}/readyz`)).status).toBe(200);
    const res = await post(r.tracesUrl!, body, PROTO);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    const ready = await fetch(`${r.httpUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/sink failing/);
    expect(await metricValue(r.httpUrl!, 'spantrack_collector_sink_healthy')).toBe(0);
    failing.mode = 'deliver';
    expect((await post(r.tracesUrl!, body, PROTO)).status).toBe(200);
    expect((await fetch(`${r.httpUrl}/readyz`)).status).toBe(200);
    expect(await metricValue(r.httpUrl!, 'spantrack_collector_sink_healthy')).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Load and memory

describe('load and memory', () => {
  it('1000 concurrent requests against a slow sink and a small queue: only 200/429/503, all answered', async () => {
    const slow = new ScriptedSink();
    slow.delayMs = 100;
    const c = await collectorWith({ sink: slow, maxQueuedMessages: 60 });
    const body = toProtobuf(agentTraces(1, 'flood'));
    const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
    const results = await Promise.all(
      Array.from(
        { length: 1000 },
        () =>
          new Promise<number>((resolve) => {
            const req = request(c.tracesUrl!, { method: 'POST', agent, headers: PROTO }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            });
            req.on('error', () => resolve(-1));
            req.end(body);
          }),
      ),
    );
    agent.destroy();
    const counts: Record<string, number> = {};
    for (const s of results) counts[s] = (counts[s] ?? 0) + 1;
    expect(
      Object.keys(counts).every((s) => ['200', '429', '503'].includes(s)),
      JSON.stringify(counts),
    ).toBe(true);
    expect(counts['200']).toBeGreaterThan(0);
    expect(counts['429']).toBeGreaterThan(0);
    expect(c.stats().queueDepth).toBe(0);
  }, 30_000);
});

describe('bugs: resources, limits and framing', () => {
  /** GC on demand, to tell a leaked object from a merely unreachable one. */
  function exposeGc(): () => void {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  }

  /** Server-side sockets of requests carrying `x-kind`, held weakly. */
  function watchServerSockets() {
    const refs: { kind: string; ref: WeakRef<object> }[] = [];
    const start = channel('http.server.request.start');
    const onStart = (message: unknown) => {
      const m = message as { request: { headers: Record<string, string> }; socket: object };
      const kind = m.request.headers['x-kind'];
      if (kind !== undefined) refs.push({ kind, ref: new WeakRef(m.socket) });
    };
    start.subscribe(onStart);
    return {
      stop: () => start.unsubscribe(onStart),
      alive: (kind: string) => refs.filter((r) => r.kind === kind && r.ref.deref() !== undefined).length,
      seen: (kind: string) => refs.filter((r) => r.kind === kind).length,
    };
  }

  async function sendOnce(port: number, kind: string, body: Buffer, abort: boolean): Promise<void> {
    await new Promise<void>((resolve) => {
      const socket: Socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `POST /v1/traces HTTP/1.1\r\nHost: x\r\nX-Kind: ${kind}\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        );
        if (abort) {
          socket.write(body.subarray(0, 20));
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 20);
        } else {
          socket.end(body);
          socket.resume();
          socket.on('close', () => resolve());
        }
      });
      socket.on('error', () => resolve());
    });
  }

  it('control: the socket of a completed request is garbage-collected once the client closes it', async () => {
    const gc = exposeGc();
    const c = await collectorWith({ sink: new MemorySink() });
    const watch = watchServerSockets();
    const body = toProtobuf(agentTraces(1, 'gc-control'));
    for (let i = 0; i < 5; i++) await sendOnce(portOf(c.httpUrl!), 'complete', body, false);
    watch.stop();
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 40));
      gc();
    }
    expect(watch.seen('complete')).toBe(5);
    expect(watch.alive('complete')).toBe(0);
  });

  it('the socket of a client that disconnects mid-body is released (not kept in the receiver’s `lingering` set)', async () => {
    // Regression: sendFailure used to add an aborted request's socket to `lingering` after its
    // 'end'/'close' had fired, and the linger timer destroyed it without removing it.
    const gc = exposeGc();
    const c = await collectorWith({ sink: new MemorySink(), errorLingerMs: 300 });
    const watch = watchServerSockets();
    const body = toProtobuf(agentTraces(3, 'gc-abort'));
    for (let i = 0; i < 5; i++) await sendOnce(portOf(c.httpUrl!), 'aborted', body, true);
    watch.stop();
    // Long enough for anything bounded in time to let go: the linger timer is set to 300 ms. Then
    // collect until the sockets are gone, for up to 5 s (a loaded machine collects late; a socket
    // still held is never collected, so a leak still fails).
    await new Promise((r) => setTimeout(r, 500));
    const deadline = Date.now() + 5_000;
    do {
      await new Promise((r) => setTimeout(r, 40));
      gc();
    } while (watch.alive('aborted') > 0 && Date.now() < deadline);
    expect(watch.seen('aborted')).toBe(5);
    expect(watch.alive('aborted')).toBe(0);
  });

  it('a single gzip bomb costs at most maxDecompressedBytes', async () => {
    const limit = 16 * 1024 * 1024;
    const c = await collectorWith({ sink: new MemorySink(), maxDecompressedBytes: limit });
    const bomb = gzipSync(Buffer.alloc(4 * limit));
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    }, 2);
    const res = await post(c.tracesUrl!, bomb, { ...PROTO, 'content-encoding': 'gzip' });
    clearInterval(sampler);
    expect(res.status).toBe(413);
    expect(peak).toBeLessThan(3 * limit);
  });

  it('concurrent gzip bombs share one budget of buffered body bytes: 32 requests of 65 KB stay under 4x maxDecompressedBytes', async () => {
    // Regression: each request could inflate up to maxDecompressedBytes on its own, nothing bounded
    // the sum (measured before: ~386 MiB for 32 bombs at a 16 MiB limit). maxBufferedBytes (default
    // 2 x maxDecompressedBytes) now bounds received + decompressed bytes over all requests: 429 past it.
    const limit = 16 * 1024 * 1024;
    const c = await collectorWith({ sink: new MemorySink(), maxDecompressedBytes: limit });
    const bomb = gzipSync(Buffer.alloc(4 * limit));
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    }, 2);
    const results = await Promise.all(
      Array.from({ length: 32 }, () => post(c.tracesUrl!, bomb, { ...PROTO, 'content-encoding': 'gzip' })),
    );
    clearInterval(sampler);
    expect(results.every((r) => [413, 429, 503].includes(r.status))).toBe(true);
    expect(peak).toBeLessThan(4 * limit);
  }, 30_000);

  it('a long unknown spantrack.interaction.kind is not echoed into partial_success: the answer stays small over HTTP and gRPC', async () => {
    // Regression: errorMessage embedded the first diagnostic unbounded and the UNKNOWN_KIND diagnostic
    // quoted the value whole; over gRPC (sends capped at 1 MiB) the call failed RESOURCE_EXHAUSTED
    // after its spans were processed. Now error_message is cut to 1 KiB and the diagnostic gives the
    // length of a long value only.
    const c = await collectorWith({ sink: new MemorySink(), grpc: { port: 0 } });
    const kv = ld(
      9,
      Buffer.concat([
        ld(1, Buffer.from('spantrack.interaction.kind')),
        ld(2, ld(1, Buffer.from('k'.repeat(1_200_000)))),
      ]),
    );
    const span = Buffer.concat([
      ld(1, Buffer.alloc(16, 1)),
      ld(2, Buffer.alloc(8, 1)),
      ld(5, Buffer.from('x')),
      kv,
    ]);
    const body = requestOf([span]);
    const httpRes = await post(c.tracesUrl!, body, PROTO);
    expect(httpRes.status).toBe(200);
    expect(httpRes.body.length).toBeLessThan(4096);
    const { client, call } = rawGrpcClient(c.grpcUrl!);
    try {
      const res = await call(body);
      expect(res.code).toBe(0);
      expect(
        Number(ProtobufTraceSerializer.deserializeResponse(res.response!).partialSuccess?.rejectedSpans),
      ).toBe(1);
    } finally {
      client.close();
    }
  });

  it('a request-target in absolute-form (POST http://host/v1/traces) is accepted', async () => {
    // Regression: the path was req.url up to '?', so "http://127.0.0.1:P/v1/traces" got 404.
    // RFC 9112 §3.2.2: a server MUST accept the absolute-form.
    const text = await raw(portOf(url), [
      `POST ${url} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    ]);
    expect(statusLines(text)).toEqual([200]);
  });
});
