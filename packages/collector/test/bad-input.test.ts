import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { MemorySink } from '@spantrack/processor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../src/index';
import { agentTraces, toJson, toProtobuf } from './support/fixtures';
import { type PostResult, post } from './support/post';

const TOKEN = 's3cret-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const PROTO = { 'content-type': 'application/x-protobuf', ...auth };
const JSON_TYPE = { 'content-type': 'application/json', ...auth };
let collector: Collector;
let sink: MemorySink;
let url: string;

beforeAll(async () => {
  sink = new MemorySink();
  collector = await startCollector({ http: { port: 0 }, grpc: false, sink, bearerToken: TOKEN, env: {} });
  url = collector.tracesUrl!;
});
afterAll(() => collector?.close());

/** Every bad request is followed by a good one on a fresh connection: the collector is still fine. */
async function thenValidStillWorks(): Promise<void> {
  const spans = agentTraces(1, `after-${Math.random()}`);
  const res = await post(url, toProtobuf(spans), PROTO);
  expect(res.status).toBe(200);
  expect(ProtobufTraceSerializer.deserializeResponse(res.body)).toEqual({});
}

function statusMessage(res: PostResult): string {
  // google.rpc.Status: field 2 is the message.
  const at = res.body.indexOf(0x12);
  return at === -1 ? '' : res.body.subarray(at + 2).toString('utf8');
}

describe('bad input: each gets its 4xx, and the next valid request succeeds', () => {
  it('random bytes → 400', async () => {
    const res = await post(url, randomBytes(4096), PROTO);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(statusMessage(res)).toMatch(/undecodable protobuf body/);
    await thenValidStillWorks();
  });

  it('truncated protobuf → 400', async () => {
    const body = toProtobuf(agentTraces(5));
    const res = await post(url, body.subarray(0, body.length - 17), PROTO);
    expect(res.status).toBe(400);
    expect(statusMessage(res)).toMatch(/truncated/);
    await thenValidStillWorks();
  });

  it('wrong content types → 415', async () => {
    const body = toProtobuf(agentTraces(1));
    for (const type of ['text/plain', 'application/octet-stream', 'multipart/form-data', '']) {
      const headers: Record<string, string> = { ...auth };
      if (type) headers['content-type'] = type;
      expect((await post(url, body, headers)).status).toBe(415);
    }
    expect((await post(url, body, { ...PROTO, 'content-encoding': 'br' })).status).toBe(415);
    // Media type parameters and case are fine.
    expect(
      (await post(url, body, { ...auth, 'content-type': 'Application/X-Protobuf; charset=binary' })).status,
    ).toBe(200);
    await thenValidStillWorks();
  });

  it('a gzip bomb → 413, stopped while inflating', async () => {
    const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(200 * 1024);
    const before = process.memoryUsage().rss;
    const res = await post(url, bomb, { ...PROTO, 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(statusMessage(res)).toMatch(/decompressed body exceeds/);
    // Inflation stops at the 32 MiB limit: never the full 100 MiB.
    expect(process.memoryUsage().rss - before).toBeLessThan(90 * 1024 * 1024);
    await thenValidStillWorks();
  });

  it('a 50 MB body → 413 (declared, and streamed without a length)', async () => {
    expect(
      (
        await post(
          url,
          { streamBytes: 50 * 1024 * 1024 },
          { ...PROTO, 'content-length': String(50 * 1024 * 1024) },
        )
      ).status,
    ).toBe(413);
    expect(
      (await post(url, { streamBytes: 50 * 1024 * 1024 }, { ...PROTO, 'transfer-encoding': 'chunked' }))
        .status,
    ).toBe(413);
    await thenValidStillWorks();
  });

  it('deep JSON → 400', async () => {
    const res = await post(url, Buffer.from(`${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`), JSON_TYPE);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body.toString()).message).toMatch(/nested deeper/);
    await thenValidStillWorks();
  });

  it('invalid UTF-8 → 400, in JSON and in protobuf strings', async () => {
    const json = toJson(agentTraces(1));
    json[json.indexOf(Buffer.from('support-bot'))] = 0xc3; // a lead byte with no continuation
    const res = await post(url, json, JSON_TYPE);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString()).message).toMatch(/UTF-8/);
    const proto = toProtobuf(agentTraces(1));
    proto[proto.indexOf(Buffer.from('support-bot'))] = 0xfe;
    expect((await post(url, proto, PROTO)).status).toBe(400);
    await thenValidStillWorks();
  });

  it('invalid JSON, invalid gzip → 400', async () => {
    expect((await post(url, Buffer.from('{"resourceSpans": [}'), JSON_TYPE)).status).toBe(400);
    expect(
      (await post(url, Buffer.from('not gzip at all'), { ...PROTO, 'content-encoding': 'gzip' })).status,
    ).toBe(400);
    await thenValidStillWorks();
  });

  it('no or a wrong bearer token → 401', async () => {
    const body = toProtobuf(agentTraces(1));
    const none = await post(url, body, { 'content-type': 'application/x-protobuf' });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await post(url, body, { ...PROTO, authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await post(url, body, { ...PROTO, authorization: TOKEN })).status).toBe(401);
    expect((await post(url, body, { ...PROTO, authorization: `bearer ${TOKEN}` })).status).toBe(200);
  });

  it('wrong method and path', async () => {
    expect((await fetch(url)).status).toBe(405);
    expect((await fetch(`${collector.httpUrl}/v1/logs`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${collector.httpUrl}/nope`)).status).toBe(404);
  });

  it('JSON in, JSON out; empty requests succeed', async () => {
    const res = await post(url, toJson(agentTraces(1)), JSON_TYPE);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body.toString())).toEqual({});
    expect((await post(url, Buffer.alloc(0), PROTO)).status).toBe(200);
    expect((await post(url, Buffer.from('{}'), JSON_TYPE)).status).toBe(200);
  });

  it('counts the bad requests by outcome in /metrics (which asks for the bearer token too)', async () => {
    expect((await fetch(`${collector.httpUrl}/metrics`)).status).toBe(401);
    const text = await (await fetch(`${collector.httpUrl}/metrics`, { headers: auth })).text();
    for (const outcome of ['invalid', 'unsupported', 'too_large', 'unauthorized', 'ok']) {
      expect(text).toMatch(
        new RegExp(`spantrack_collector_requests_total\\{transport="http",outcome="${outcome}"\\} [1-9]`),
      );
    }
  });
});
