import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError, InvalidMessageError, MessageTooLargeError, SinkClosedError } from '../../src/index';
import { parseRetryAfter, SegmentPublisher, type SegmentPublisherOptions } from '../../src/sinks/index';
import { makeMessages, paddedMessage, WRITE_KEY } from './fixtures';

describe('SegmentPublisher', () => {
  let server: SegmentServer;
  const publishers: SegmentPublisher[] = [];
  const make = (options: Partial<SegmentPublisherOptions> = {}) => {
    const publisher = new SegmentPublisher({
      writeKey: WRITE_KEY,
      host: server.url,
      flushInterval: 20,
      minBackoff: 20,
      maxBackoff: 200,
      ...options,
    });
    publishers.push(publisher);
    return publisher;
  };

  beforeEach(async () => {
    server = await startSegmentServer({ writeKey: WRITE_KEY });
  });
  afterEach(async () => {
    await Promise.all(publishers.splice(0).map((p) => p.shutdown(1_000)));
    await server.close();
  });

  it('delivers every message once, with its messageId', async () => {
    const messages = makeMessages(250);
    const publisher = make();
    const result = await publisher.send(messages);
    expect(result).toEqual({ delivered: 250, failed: 0, errors: [] });
    expect(server.messageIds()).toEqual(messages.map((m) => m.messageId));
    expect(server.duplicateMessageIds()).toEqual([]);
    const auth = server.batches[0]?.headers.authorization;
    expect(auth).toBe(`Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`);
  });

  it('fills requests close to 480 KiB and never above, within 2,500 messages', async () => {
    const publisher = make({ flushInterval: 1_000 });
    const result = await Promise.all([publisher.send(makeMessages(6_000)), publisher.flush()]);
    expect(result[0].delivered).toBe(6_000);
    // Requests complete out of order (several in flight): sort, then all but the partial last one are full.
    const sizes = server.batches.map((b) => b.bodyBytes).sort((x, y) => y - x);
    expect(sizes[0]).toBeLessThanOrEqual(480 * 1024);
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThan(480 * 1024 - 1_000);
    expect(Math.max(...server.batches.map((b) => b.messageCount))).toBeLessThanOrEqual(2_500);
  });

  it('caps a batch at maxBatchMessages', async () => {
    const publisher = make({ maxBatchMessages: 100 });
    await publisher.send(makeMessages(250));
    expect(server.batches.map((b) => b.messageCount)).toEqual([100, 100, 50]);
  });

  it('keeps several requests in flight', async () => {
    server.setFault({ hang: true, times: 3 });
    const publisher = make({ maxBatchMessages: 10, concurrency: 3, httpRequestTimeout: 300 });
    const sending = publisher.send(makeMessages(40));
    await new Promise((r) => setTimeout(r, 150));
    // Three requests hang at once; the fourth batch waits for a free slot.
    expect(server.requestLog.filter((r) => r.status === 'hang')).toHaveLength(3);
    expect(server.stats().acceptedRequests).toBe(0);
    const result = await sending;
    expect(result.delivered).toBe(40);
    expect(server.uniqueMessageIds().size).toBe(40);
  });

  it('starts at most maxRequestsPerSecond batches a second', async () => {
    const publisher = make({ maxBatchMessages: 10, concurrency: 4, maxRequestsPerSecond: 20 });
    const started = Date.now();
    const result = await publisher.send(makeMessages(60));
    const elapsed = Date.now() - started;
    expect(result.delivered).toBe(60);
    const times = server.requestLog.map((r) => r.at);
    expect(times).toHaveLength(6);
    // Six batches at 20 a second: the sixth starts no earlier than 5 x 50 ms after the first.
    expect(times[5]! - times[0]!).toBeGreaterThanOrEqual(240);
    expect(elapsed).toBeGreaterThanOrEqual(240);
    // And a flush still completes while batches are being paced.
    await publisher.send(makeMessages(20, 'second'));
    await publisher.flush(5_000);
    expect(server.uniqueMessageIds().size).toBe(80);
  });

  it('after forced 500s and recovery, delivers every messageId exactly once', async () => {
    server.setFault({ status: 500, times: 3 });
    const messages = makeMessages(500);
    const delivered: string[] = [];
    const publisher = make({
      maxBatchMessages: 100,
      concurrency: 2,
      onDelivery: (id, error) => {
        if (!error) delivered.push(id);
      },
    });
    const result = await publisher.send(messages);
    expect(result).toEqual({ delivered: 500, failed: 0, errors: [] });
    expect(server.requestLog.filter((r) => r.status === 500)).toHaveLength(3);
    expect(server.messageIds().sort()).toEqual(messages.map((m) => m.messageId).sort());
    expect(server.duplicateMessageIds()).toEqual([]);
    expect(delivered.sort()).toEqual(messages.map((m) => m.messageId).sort());
    expect(publisher.stats.retries).toBe(3);
    // Retries say so, as analytics-node's do.
    expect(server.requestLog.some((r) => r.status === 200 && r.retryCount === '1')).toBe(true);
  });

  it('honours Retry-After on 429 (seconds) and pauses every batch', async () => {
    server.setFault({ status: 429, retryAfter: 1, times: 1 });
    const publisher = make({ maxBatchMessages: 10, concurrency: 1 });
    const started = Date.now();
    const result = await publisher.send(makeMessages(20));
    const waited = Date.now() - started;
    expect(result.delivered).toBe(20);
    expect(waited).toBeGreaterThanOrEqual(950);
    const accepted = server.requestLog.filter((r) => r.status === 200);
    const limited = server.requestLog.find((r) => r.status === 429)!;
    for (const entry of accepted) expect(entry.at - limited.at).toBeGreaterThanOrEqual(950);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('never retries a 400: the batch fails with the status', async () => {
    server.setFault({ status: 400, times: 1 });
    const publisher = make();
    const result = await publisher.send(makeMessages(5));
    expect(result.failed).toBe(5);
    expect(result.errors[0]?.error).toBeInstanceOf(DeliveryError);
    expect((result.errors[0]!.error as DeliveryError).status).toBe(400);
    expect(server.stats().requests).toBe(1);
  });

  it('does not retry other 4xx either, but retries 408', async () => {
    server.setFault({ status: 403, times: 1 });
    const publisher = make();
    expect((await publisher.send(makeMessages(2, 'a'))).failed).toBe(2);
    server.setFault({ status: 408, times: 1 });
    expect((await publisher.send(makeMessages(2, 'b'))).delivered).toBe(2);
    expect(server.stats().requests).toBe(3);
  });

  it('retries a request that hangs past httpRequestTimeout', async () => {
    server.setFault({ hang: true, times: 1 });
    const publisher = make({ httpRequestTimeout: 200 });
    const started = Date.now();
    const result = await publisher.send(makeMessages(10));
    expect(result.delivered).toBe(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(server.requestLog.map((r) => r.status)).toEqual(['hang', 200]);
  });

  it('retries a reset connection', async () => {
    server.setFault({ reset: true, times: 1 });
    const result = await make().send(makeMessages(10));
    expect(result.delivered).toBe(10);
  });

  it('gives up after maxRetries, and within maxRetryDuration', async () => {
    server.setFault({ status: 503 });
    const publisher = make({ maxRetries: 2 });
    const result = await publisher.send(makeMessages(3));
    expect(result.failed).toBe(3);
    expect(server.stats().requests).toBe(3);

    const bounded = make({ maxRetries: 100, minBackoff: 100, maxBackoff: 100, maxRetryDuration: 350 });
    const started = Date.now();
    const second = await bounded.send(makeMessages(3, 'b'));
    expect(second.failed).toBe(3);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('rejects an oversize message locally, without poisoning its batch', async () => {
    const messages = makeMessages(10);
    const big = paddedMessage('too-big', 33 * 1024);
    const publisher = make();
    const result = await publisher.send([...messages.slice(0, 5), big, ...messages.slice(5)]);
    expect(result.delivered).toBe(10);
    expect(result.failed).toBe(1);
    expect(result.errors[0]?.messageId).toBe('too-big');
    expect(result.errors[0]?.error).toBeInstanceOf(MessageTooLargeError);
    expect(server.requestLog.every((r) => r.status === 200)).toBe(true);
    expect(server.uniqueMessageIds().has('too-big')).toBe(false);
  });

  it('sends a message of exactly 32 KiB serialized', async () => {
    const probe = paddedMessage('edge', 0);
    const { serializeForSegment } = await import('../../src/sinks/index');
    const base = (serializeForSegment(probe) as { bytes: number }).bytes;
    const edge = paddedMessage('edge', 32 * 1024 - base);
    expect((serializeForSegment(edge) as { bytes: number }).bytes).toBe(32 * 1024);
    expect((await make().send([edge])).delivered).toBe(1);
  });

  it('rejects ids outside 64 characters of [A-Za-z0-9._-] and messages without identity', async () => {
    const [a, b, c] = makeMessages(3);
    const publisher = make();
    const result = await publisher.send([
      { ...a!, messageId: 'x'.repeat(65) },
      { ...b!, messageId: 'has space' },
      { ...c!, userId: undefined, anonymousId: undefined },
    ]);
    expect(result.failed).toBe(3);
    for (const { error } of result.errors) expect(error).toBeInstanceOf(InvalidMessageError);
    expect(server.stats().requests).toBe(0);
  });

  it('fails a message JSON cannot carry (BigInt, cycle) alone; the rest of the batch is delivered', async () => {
    const messages = makeMessages(6);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    (messages[1] as { properties: Record<string, unknown> }).properties.n = 10n;
    (messages[4] as { properties: Record<string, unknown> }).properties.c = cyclic;
    const result = await make().send(messages);
    expect(result.delivered).toBe(4);
    expect(result.errors.map((e) => e.messageId)).toEqual(['m-1', 'm-4']);
    for (const { error } of result.errors) expect(error).toBeInstanceOf(InvalidMessageError);
    expect(server.messageIds()).toEqual(['m-0', 'm-2', 'm-3', 'm-5']);
  });

  it('gzips when asked, and the server inflates the same messages', async () => {
    const messages = makeMessages(300);
    const result = await make({ gzip: true }).send(messages);
    expect(result.delivered).toBe(300);
    expect(server.batches.every((b) => b.gzip && b.wireBytes < b.bodyBytes / 3)).toBe(true);
    expect(server.messageIds()).toEqual(messages.map((m) => m.messageId));
  });

  it('reaches a custom path', async () => {
    const result = await make({ host: `${server.url}/`, path: '/v1/batch' }).send(makeMessages(3));
    expect(result.delivered).toBe(3);
  });

  it('flush sends a partial batch at once', async () => {
    const publisher = make({ flushInterval: 60_000 });
    const sending = publisher.send(makeMessages(3));
    await publisher.flush(2_000);
    expect(server.stats().acceptedMessages).toBe(3);
    await expect(sending).resolves.toMatchObject({ delivered: 3 });
  });

  it('shutdown fails what is still pending at the deadline, and every later send', async () => {
    server.setFault({ hang: true });
    const publisher = make({ httpRequestTimeout: 60_000 });
    const sending = publisher.send(makeMessages(4));
    await publisher.shutdown(200);
    const result = await sending;
    expect(result.failed).toBe(4);
    expect(result.errors[0]?.error).toBeInstanceOf(SinkClosedError);
    const after = await publisher.send(makeMessages(2, 'late'));
    expect(after.failed).toBe(2);
    expect(after.errors[0]?.error).toBeInstanceOf(SinkClosedError);
  });
});
