import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SEGMENT_LIMITS, type SegmentServer, startSegmentServer } from '../src/index';

const WRITE_KEY = 'test-write-key';
const AUTH = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;

function track(i: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'track',
    event: 'Agent Run Completed',
    userId: `u${i}`,
    messageId: `m-${i}`,
    properties: {},
    ...extra,
  };
}

async function post(
  server: SegmentServer,
  body: string | Buffer,
  { path = '/v1/batch', headers = {} }: { path?: string; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTH, ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

describe('startSegmentServer', () => {
  let server: SegmentServer;
  beforeEach(async () => {
    server = await startSegmentServer({ writeKey: WRITE_KEY });
  });
  afterEach(async () => {
    await server.close();
  });

  it('accepts a batch with Basic auth and records it in order', async () => {
    const res = await post(
      server,
      JSON.stringify({ batch: [track(1), track(2)], sentAt: '2024-01-01T00:00:00.000Z' }),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ success: true });
    expect(server.messageIds()).toEqual(['m-1', 'm-2']);
    expect(server.batches[0]?.sentAt).toBe('2024-01-01T00:00:00.000Z');
    expect(server.messages.map((m) => m.userId)).toEqual(['u1', 'u2']);
    expect(server.stats()).toMatchObject({ acceptedRequests: 1, acceptedMessages: 2, uniqueMessageIds: 2 });
  });

  it('accepts the write key in the body when no Authorization header is sent', async () => {
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ batch: [track(1)], writeKey: WRITE_KEY }),
    });
    expect(res.status).toBe(200);
  });

  it('answers 401 to a wrong write key', async () => {
    const wrong = `Basic ${Buffer.from('other:').toString('base64')}`;
    const res = await post(server, JSON.stringify({ batch: [track(1)] }), {
      headers: { authorization: wrong },
    });
    expect(res.status).toBe(401);
    expect(server.messages).toHaveLength(0);
  });

  it.each([
    ['malformed JSON', '{"batch": ['],
    ['a missing batch array', JSON.stringify({ events: [] })],
    ['a message without type', JSON.stringify({ batch: [{ userId: 'u', messageId: 'x' }] })],
    ['a message without userId or anonymousId', JSON.stringify({ batch: [{ type: 'track', event: 'E' }] })],
    ['a track without event', JSON.stringify({ batch: [{ type: 'track', userId: 'u' }] })],
    ['a messageId of 100 characters', JSON.stringify({ batch: [track(1, { messageId: 'x'.repeat(100) })] })],
  ])('answers 400 to %s and records nothing', async (_name, body) => {
    const res = await post(server, body);
    expect(res.status).toBe(400);
    expect(server.batches).toHaveLength(0);
    expect(server.stats().rejected['400']).toBe(1);
  });

  it('answers 400 to a non-JSON content type', async () => {
    const res = await post(server, JSON.stringify({ batch: [track(1)] }), {
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(400);
  });

  it('enforces 32 KB per message, measured as serialized JSON', async () => {
    const base = Buffer.byteLength(JSON.stringify(track(1, { properties: { pad: '' } })));
    const fits = track(1, { properties: { pad: 'a'.repeat(SEGMENT_LIMITS.maxMessageBytes - base) } });
    const over = track(2, { properties: { pad: 'a'.repeat(SEGMENT_LIMITS.maxMessageBytes - base + 1) } });
    expect(Buffer.byteLength(JSON.stringify(fits))).toBe(32_768);
    expect((await post(server, JSON.stringify({ batch: [fits] }))).status).toBe(200);
    const res = await post(server, JSON.stringify({ batch: [track(3), over] }));
    expect(res.status).toBe(400);
    expect(res.body).toContain('32KB');
    expect(server.messageIds()).toEqual(['m-1']);
  });

  it('enforces 500 KB per batch request, before and after gzip', async () => {
    const padded = (i: number) => track(i, { properties: { pad: 'b'.repeat(20_000) } });
    const batch = Array.from({ length: 26 }, (_, i) => padded(i));
    const body = JSON.stringify({ batch });
    expect(Buffer.byteLength(body)).toBeGreaterThan(SEGMENT_LIMITS.maxBatchBytes);
    expect((await post(server, body)).status).toBe(400);
    // Compressed it is tiny on the wire, but the JSON is still over 500 KB.
    const res = await post(server, gzipSync(body), { headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(400);
    const under = JSON.stringify({ batch: batch.slice(0, 24) });
    expect((await post(server, under)).status).toBe(200);
  });

  it('inflates a gzip body', async () => {
    const res = await post(server, gzipSync(JSON.stringify({ batch: [track(1)] })), {
      headers: { 'content-encoding': 'gzip' },
    });
    expect(res.status).toBe(200);
    expect(server.batches[0]?.gzip).toBe(true);
    expect(server.stats().gzipRequests).toBe(1);
  });

  it('answers 400 to a body that says gzip but is not', async () => {
    const res = await post(server, JSON.stringify({ batch: [track(1)] }), {
      headers: { 'content-encoding': 'gzip' },
    });
    expect(res.status).toBe(400);
  });

  it('takes single messages on /v1/track and /v1/identify', async () => {
    const { type: _t, ...message } = track(1);
    expect((await post(server, JSON.stringify(message), { path: '/v1/track' })).status).toBe(200);
    const identify = { userId: 'u9', traits: { plan: 'pro' }, messageId: 'i-9' };
    expect((await post(server, JSON.stringify(identify), { path: '/v1/identify' })).status).toBe(200);
    expect(server.messages.map((m) => m.type)).toEqual(['track', 'identify']);
  });

  it('drops events beyond 2,500 in one batch but answers 200, as Segment documents', async () => {
    const batch = Array.from({ length: 2_501 }, (_, i) => ({
      type: 'track',
      event: 'E',
      userId: 'u',
      messageId: `${i}`,
    }));
    expect((await post(server, JSON.stringify({ batch }))).status).toBe(200);
    expect(server.stats()).toMatchObject({ acceptedMessages: 2_500, droppedOverBatchLimit: 1 });
  });

  it('injects 500 for a number of requests, then recovers', async () => {
    server.setFault({ status: 500, times: 2 });
    const body = JSON.stringify({ batch: [track(1)] });
    expect((await post(server, body)).status).toBe(500);
    expect((await post(server, body)).status).toBe(500);
    expect((await post(server, body)).status).toBe(200);
    expect(server.messageIds()).toEqual(['m-1']);
    expect(server.requestLog.map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('injects 429 with Retry-After', async () => {
    server.setFault({ status: 429, retryAfter: 2, times: 1 });
    const res = await post(server, JSON.stringify({ batch: [track(1)] }));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
  });

  it('hangs a request until the client gives up', async () => {
    server.setFault({ hang: true, times: 1 });
    const attempt = fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: JSON.stringify({ batch: [track(1)] }),
      signal: AbortSignal.timeout(200),
    });
    await expect(attempt).rejects.toThrow();
    expect(server.requestLog[0]?.status).toBe('hang');
    expect((await post(server, JSON.stringify({ batch: [track(1)] }))).status).toBe(200);
  });

  it('counts duplicate messageIds', async () => {
    const body = JSON.stringify({ batch: [track(1), track(2)] });
    await post(server, body);
    await post(server, body);
    expect(server.duplicateMessageIds()).toEqual(['m-1', 'm-2']);
    expect(server.uniqueMessageIds().size).toBe(2);
  });

  it('serves stats, faults and reset to another process', async () => {
    await post(server, JSON.stringify({ batch: [track(1)] }));
    const stats = await (await fetch(`${server.url}/__stats`)).json();
    expect(stats).toMatchObject({ acceptedMessages: 1, uniqueMessageIds: 1 });
    await fetch(`${server.url}/__fault`, { method: 'POST', body: JSON.stringify({ status: 503, times: 1 }) });
    expect((await post(server, JSON.stringify({ batch: [track(2)] }))).status).toBe(503);
    await fetch(`${server.url}/__reset`, { method: 'POST' });
    expect(server.stats().acceptedMessages).toBe(0);
  });

  it('waits for a number of messages', async () => {
    const waiting = server.waitForMessages(2, 2_000);
    await post(server, JSON.stringify({ batch: [track(1), track(2)] }));
    await expect(waiting).resolves.toBeUndefined();
    await expect(server.waitForMessages(5, 50)).rejects.toThrow(/timed out/);
  });
});
