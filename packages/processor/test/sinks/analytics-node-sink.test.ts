import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidMessageError, MessageTooLargeError, SegmentSink, SinkClosedError } from '../../src/index';
import {
  AnalyticsNodeSink,
  type AnalyticsNodeSinkOptions,
  BatchSplittingHttpClient,
} from '../../src/sinks/index';
import { makeMessages, paddedMessage, WRITE_KEY } from './fixtures';

describe('AnalyticsNodeSink (the real @segment/analytics-node client)', () => {
  let server: SegmentServer;
  const sinks: AnalyticsNodeSink[] = [];
  const make = (options: Partial<AnalyticsNodeSinkOptions> = {}) => {
    const sink = new AnalyticsNodeSink({
      writeKey: WRITE_KEY,
      host: server.url,
      flushInterval: 20,
      ...options,
    });
    sinks.push(sink);
    return sink;
  };

  beforeEach(async () => {
    server = await startSegmentServer({ writeKey: WRITE_KEY });
  });
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.shutdown(1_000)));
    await server.close();
  });

  it('delivers with the given messageIds and timestamps, and reports each message', async () => {
    const messages = makeMessages(40);
    const seen: string[] = [];
    const sink = make({ flushAt: 15, onDelivery: (id, error) => !error && seen.push(id) });
    const result = await sink.send(messages);
    expect(result).toEqual({ delivered: 40, failed: 0, errors: [] });
    expect(server.messageIds().sort()).toEqual(messages.map((m) => m.messageId).sort());
    expect(server.messages.map((m) => m.timestamp).sort()).toEqual(messages.map((m) => m.timestamp).sort());
    expect(seen).toHaveLength(40);
    expect(server.batches.map((b) => b.messageCount)).toEqual([15, 15, 10]);
  });

  it('shares the delivery bookkeeping: a throwing onDelivery cannot leave send() pending', async () => {
    const sink = make({
      onDelivery: () => {
        throw new Error('callback bug');
      },
    });
    const result = await sink.send(makeMessages(5));
    expect(result).toEqual({ delivered: 5, failed: 0, errors: [] });
    expect(sink.stats).toMatchObject({ delivered: 5, callbackErrors: 5 });
  });

  it('leaves the caller’s context untouched (the client writes library into the object it gets)', async () => {
    const [message] = makeMessages(1);
    const before = JSON.stringify(message);
    await make().send([message!]);
    expect(JSON.stringify(message)).toBe(before);
    expect(server.messages[0]?.context).toMatchObject({ library: { name: '@spantrack/processor' } });
  });

  it('after a forced 500 and recovery, delivers every messageId exactly once', {
    timeout: 20_000,
  }, async () => {
    server.setFault({ status: 500, times: 2 });
    const messages = makeMessages(60);
    const result = await make({ flushAt: 30 }).send(messages);
    expect(result.delivered).toBe(60);
    expect(server.requestLog.filter((r) => r.status === 500)).toHaveLength(2);
    expect(server.messageIds().sort()).toEqual(messages.map((m) => m.messageId).sort());
    expect(server.duplicateMessageIds()).toEqual([]);
  });

  it('does not retry a 400', async () => {
    server.setFault({ status: 400, times: 1 });
    const result = await make().send(makeMessages(3));
    expect(result.failed).toBe(3);
    expect(server.stats().requests).toBe(1);
  });

  it('rejects an oversize message itself (the client’s own check lets it through)', async () => {
    const messages = makeMessages(5);
    const big = paddedMessage('too-big', 40 * 1024);
    const result = await make().send([...messages, big]);
    expect(result.delivered).toBe(5);
    expect(result.errors.map((e) => e.messageId)).toEqual(['too-big']);
    expect(result.errors[0]?.error).toBeInstanceOf(MessageTooLargeError);
    expect(server.requestLog.every((r) => r.status === 200)).toBe(true);
  });

  it('fails a message JSON cannot carry (BigInt) alone; the rest is delivered', async () => {
    const messages = makeMessages(4);
    (messages[2] as { properties: Record<string, unknown> }).properties.n = 10n;
    const result = await make().send(messages);
    expect(result.delivered).toBe(3);
    expect(result.errors.map((e) => e.messageId)).toEqual(['m-2']);
    expect(result.errors[0]?.error).toBeInstanceOf(InvalidMessageError);
  });

  it('splits a request over 480 KiB that a large flushAt builds, instead of earning a 400', async () => {
    // 40 events of ~20 KB: under the per-event limit, 800 KB together.
    const messages = Array.from({ length: 40 }, (_, i) => paddedMessage(`big-${i}`, 20_000));
    const result = await make({ flushAt: 40 }).send(messages);
    expect(result.delivered).toBe(40);
    expect(server.stats().rejected).toEqual({});
    expect(server.batches.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...server.batches.map((b) => b.bodyBytes))).toBeLessThanOrEqual(480 * 1024);
    expect(server.uniqueMessageIds().size).toBe(40);
  });

  it('flush delivers a partial batch; shutdown fails later sends', async () => {
    const sink = make({ flushAt: 1_000, flushInterval: 60_000 });
    const sending = sink.send(makeMessages(3));
    await sink.flush(5_000);
    expect(server.stats().acceptedMessages).toBe(3);
    await expect(sending).resolves.toMatchObject({ delivered: 3 });
    await sink.shutdown(1_000);
    const after = await sink.send(makeMessages(1, 'late'));
    expect(after.errors[0]?.error).toBeInstanceOf(SinkClosedError);
  });

  it('shutdown fails what is still pending at the deadline', async () => {
    server.setFault({ hang: true });
    const sink = make({ httpRequestTimeout: 60_000 });
    const sending = sink.send(makeMessages(2));
    await new Promise((r) => setTimeout(r, 100));
    await sink.shutdown(300);
    const result = await sending;
    expect(result.failed).toBe(2);
  });
});

describe('BatchSplittingHttpClient', () => {
  it('passes a small request through untouched', async () => {
    const server = await startSegmentServer({ writeKey: WRITE_KEY });
    const client = new BatchSplittingHttpClient(1_000);
    const body = JSON.stringify({
      batch: [{ type: 'track', event: 'E', userId: 'u', messageId: 'a' }],
      writeKey: WRITE_KEY,
    });
    const response = await client.makeRequest({
      url: `${server.url}/v1/batch`,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
      httpRequestTimeout: 1_000,
    });
    expect(response.status).toBe(200);
    expect(server.batches).toHaveLength(1);
    await server.close();
  });
});

describe('SegmentSink', () => {
  it('uses the publisher unless told to use analytics-node', () => {
    expect(new SegmentSink({ writeKey: 'k', host: 'http://127.0.0.1:9' }).transport).toBe('publisher');
    const sink = new SegmentSink({ writeKey: 'k', host: 'http://127.0.0.1:9', transport: 'analytics-node' });
    expect(sink.transport).toBe('analytics-node');
  });

  it.each(['publisher', 'analytics-node'] as const)(
    'delivers through the %s transport',
    async (transport) => {
      const server = await startSegmentServer({ writeKey: WRITE_KEY });
      const sink = new SegmentSink({ writeKey: WRITE_KEY, host: server.url, transport, flushInterval: 20 });
      const messages = makeMessages(30);
      expect((await sink.send(messages)).delivered).toBe(30);
      await sink.shutdown(2_000);
      expect(server.uniqueMessageIds().size).toBe(30);
      await server.close();
    },
  );

  it('requires a write key', () => {
    expect(() => new SegmentSink({ writeKey: '' })).toThrow(/writeKey/);
  });
});
