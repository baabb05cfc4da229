import { startSegmentServer } from '@spantrack/segment-test-server';
import { describe, expect, it } from 'vitest';
import type { AnalyticsMessage } from '../../src/index';
import { AnalyticsNodeSink, SegmentPublisher, toSegmentEvent } from '../../src/sinks/index';
import { makeMessages, WRITE_KEY } from './fixtures';

/**
 * The same messages through the real analytics-node client and through SegmentPublisher, recorded
 * by the test server and compared. Allowed differences, and only these:
 * - `sentAt` in the request envelope: the send time of each request.
 * - the grouping of messages into requests (the client by count, the publisher by bytes) and the
 *   order across requests when several are in flight: messages are compared by messageId.
 * - request headers: User-Agent names the sender; the publisher sets Content-Length (fetch sends
 *   the same body chunked or sized); Basic auth, Content-Type and X-Retry-Count are the same.
 */
describe('payload equivalence: SegmentPublisher vs @segment/analytics-node', () => {
  const edgeCases: AnalyticsMessage[] = [
    {
      type: 'track',
      messageId: 'both-ids',
      timestamp: '2025-01-01T00:00:00.000Z',
      userId: 'u-1',
      anonymousId: 'a-1',
      event: 'Message Sent',
      properties: {
        conversationId: 'c-1',
        messageId: 'msg-1',
        role: 'customer',
        text: 'héllo ✓ 𝄞',
        nested: { list: [1, null, true] },
      },
      context: { library: { name: 'spantrack', version: '0.1.0', extra: 'kept' }, locale: 'fr-FR' },
    },
    {
      type: 'identify',
      messageId: 'identify-both',
      timestamp: '2025-01-01T00:00:01.000Z',
      userId: 'u-2',
      anonymousId: 'a-2',
      traits: { email: 'x@example.com' },
    },
    {
      type: 'identify',
      messageId: 'identify-anon',
      timestamp: '2025-01-01T00:00:02.000Z',
      anonymousId: 'a-3',
      traits: {},
    },
    {
      type: 'track',
      messageId: 'no-context',
      timestamp: '2025-01-01T00:00:03.000Z',
      anonymousId: 'a-4',
      event: 'ai.error',
      properties: { error_type: 'timeout' },
    },
  ];
  const messages = [...makeMessages(200), ...edgeCases];

  async function record(send: (host: string) => Promise<unknown>) {
    const server = await startSegmentServer({ writeKey: WRITE_KEY });
    try {
      await send(server.url);
      const byId = new Map<string, string>();
      for (const m of server.messages) byId.set(m.messageId as string, JSON.stringify(m));
      const envelopeKeys = server.batches.map((b) =>
        Object.keys(b.messages.length ? { batch: 1, ...b } : {}),
      );
      return { byId, batches: server.batches, envelopeKeys };
    } finally {
      await server.close();
    }
  }

  it('records byte-identical messages', async () => {
    const client = await record(async (host) => {
      const sink = new AnalyticsNodeSink({ writeKey: WRITE_KEY, host, flushAt: 50, flushInterval: 20 });
      const result = await sink.send(messages);
      expect(result.failed).toBe(0);
      await sink.shutdown(2_000);
    });
    const publisher = await record(async (host) => {
      const sink = new SegmentPublisher({ writeKey: WRITE_KEY, host, flushInterval: 20 });
      const result = await sink.send(messages);
      expect(result.failed).toBe(0);
      await sink.shutdown(2_000);
    });
    expect(client.byId.size).toBe(messages.length);
    expect([...publisher.byId.keys()].sort()).toEqual([...client.byId.keys()].sort());
    for (const [id, json] of client.byId) expect(publisher.byId.get(id), id).toBe(json);
    // And toSegmentEvent is what the client builds, key order included.
    for (const m of messages) expect(JSON.stringify(toSegmentEvent(m))).toBe(client.byId.get(m.messageId));
  });

  it('sends the same request envelope and auth', async () => {
    const bodies: string[][] = [];
    for (const transport of ['client', 'publisher'] as const) {
      const server = await startSegmentServer({ writeKey: WRITE_KEY });
      const seen: string[] = [];
      const sink =
        transport === 'client'
          ? new AnalyticsNodeSink({ writeKey: WRITE_KEY, host: server.url, flushInterval: 20 })
          : new SegmentPublisher({ writeKey: WRITE_KEY, host: server.url, flushInterval: 20 });
      await sink.send(edgeCases.slice(0, 1));
      await sink.shutdown(2_000);
      const batch = server.batches[0]!;
      seen.push(String(batch.headers.authorization), String(batch.headers['content-type']), batch.path);
      seen.push(typeof batch.sentAt);
      bodies.push(seen);
      await server.close();
    }
    expect(bodies[1]).toEqual(bodies[0]);
  });
});
