// Loss and duplication through a Segment outage that outlasts the collector's delivery deadline:
// the collector answers 503, its sink's own retry then delivers, and the sender retries too. Every
// messageId is counted at the Segment-compatible test server: none missing, none twice.
import { SegmentSink } from '@spantrack/processor';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../src/index';
import { messageIds } from './support/expected';
import { agentTraces, toProtobuf } from './support/fixtures';
import { sendAll } from './support/retrying-sender';

const WRITE_KEY = 'exactly-once-key';
let server: SegmentServer;
let collector: Collector;

beforeAll(async () => {
  server = await startSegmentServer({ writeKey: WRITE_KEY });
  collector = await startCollector({
    http: { port: 0 },
    grpc: false,
    // A sink that keeps retrying well past the collector's delivery deadline, as a durable sink
    // would: its retry lands after the sender was told 503.
    sink: new SegmentSink({
      writeKey: WRITE_KEY,
      host: server.url,
      flushInterval: 20,
      maxRetries: 50,
      minBackoff: 200,
      maxBackoff: 400,
      maxRetryDuration: 30_000,
    }),
    deliveryTimeoutMs: 1_000,
    env: {},
  });
});
afterAll(async () => {
  await collector?.close();
  await server?.close();
});

describe('exactly once within the window', () => {
  it('an outage past the delivery deadline: the sender retries after 503, nothing is missing or duplicated', async () => {
    const batches = Array.from({ length: 8 }, (_, i) => agentTraces(5, `once${i}`));
    const expected = new Set(batches.flatMap((spans) => [...messageIds(spans)]));
    // Segment answers 503 for 2.5 s: past the 1 s deadline the collector answers 503, then the
    // sink's retry gets through while the sender waits out its Retry-After and sends again.
    server.setFault({ status: 503 });
    const recover = setTimeout(() => server.setFault(null), 2_500);
    const { seen, final } = await sendAll(() => collector.tracesUrl!, batches.map(toProtobuf), {
      concurrency: 4,
      deadlineMs: 60_000,
    });
    clearTimeout(recover);
    await server.waitForMessages(expected.size, 10_000);
    // Let anything still in flight land before counting.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(final.every((s) => s === 200)).toBe(true);
    expect(seen.filter((s) => s === 503).length).toBeGreaterThan(0);
    const received = server.messageIds();
    expect([...expected].filter((id) => !received.includes(id))).toEqual([]);
    expect(server.duplicateMessageIds()).toEqual([]);
    expect(received.length).toBe(expected.size);
    // The retries' messages were recognised, not sent again.
    const metrics = await (await fetch(`${collector.httpUrl}/metrics`)).text();
    const line = metrics
      .split('\n')
      .find((l) => l.startsWith('spantrack_collector_messages_deduplicated_total '));
    expect(Number(line?.split(' ')[1])).toBeGreaterThan(0);
  }, 90_000);
});
