import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AnalyticsMessage,
  type DeliveryResult,
  FanOutSink,
  MemorySink,
  SegmentSink,
  type Sink,
} from '../../src/index';
import { makeMessages, WRITE_KEY } from './fixtures';

/** A sink that never settles until released: a stuck store. */
class StuckSink implements Sink {
  private release: (() => void) | undefined;
  readonly released = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    await this.released;
    return { delivered: messages.length, failed: 0, errors: [] };
  }
  unstick() {
    this.release?.();
  }
  async flush() {}
  async shutdown() {}
}

/** A sink that breaks the contract: send and shutdown throw. */
class ThrowingSink implements Sink {
  async send(): Promise<DeliveryResult> {
    throw new Error('disk gone');
  }
  async flush() {}
  async shutdown() {
    throw new Error('cannot close');
  }
}

describe('FanOutSink', () => {
  let server: SegmentServer;
  beforeEach(async () => {
    server = await startSegmentServer({ writeKey: WRITE_KEY });
  });
  afterEach(async () => {
    await server.close();
  });

  it('delivers every batch to the primary and to each secondary, reporting the primary result', async () => {
    const segment = new SegmentSink({ writeKey: WRITE_KEY, host: server.url, flushInterval: 20 });
    const memory = new MemorySink();
    const seen: [string, number][] = [];
    const fanOut = new FanOutSink({
      primary: { name: 'segment', sink: segment },
      secondary: [{ name: 'store', sink: memory }],
      onSecondaryResult: (name, r) => seen.push([name, r.delivered]),
    });
    const result = await fanOut.send(makeMessages(5));
    expect(result).toMatchObject({ delivered: 5, failed: 0 });
    await fanOut.shutdown();
    expect(server.messages.map((m) => m.messageId)).toEqual(memory.messageIds());
    expect(memory.messages).toHaveLength(5);
    expect(seen).toEqual([['store', 5]]);
    expect(fanOut.stats()).toEqual([
      { name: 'segment', delivered: 5, failed: 0, pending: 0 },
      { name: 'store', delivered: 5, failed: 0, pending: 0 },
    ]);
  });

  it('does not wait for a stuck secondary, and counts it as pending until it settles', async () => {
    const memory = new MemorySink();
    const stuck = new StuckSink();
    const fanOut = new FanOutSink({
      primary: { name: 'memory', sink: memory },
      secondary: [{ name: 'store', sink: stuck }],
    });
    const result = await fanOut.send(makeMessages(3));
    expect(result.delivered).toBe(3);
    expect(fanOut.stats()[1]).toMatchObject({ name: 'store', pending: 1, delivered: 0 });
    stuck.unstick();
    await stuck.released;
    await new Promise((r) => setImmediate(r));
    expect(fanOut.stats()[1]).toMatchObject({ name: 'store', pending: 0, delivered: 3 });
  });

  it('counts a throwing secondary as failed without failing the primary, and still shuts the others down', async () => {
    const memory = new MemorySink();
    const failures: DeliveryResult[] = [];
    const fanOut = new FanOutSink({
      primary: { name: 'memory', sink: memory },
      secondary: [{ name: 'broken', sink: new ThrowingSink() }],
      onSecondaryResult: (_name, r) => failures.push(r),
    });
    expect(await fanOut.send(makeMessages(2))).toMatchObject({ delivered: 2, failed: 0 });
    await new Promise((r) => setImmediate(r));
    expect(failures[0]).toMatchObject({ delivered: 0, failed: 2 });
    expect(failures[0]!.errors[0]!.error.message).toBe('disk gone');
    await fanOut.shutdown();
    expect((await memory.send(makeMessages(1))).failed).toBe(1);
  });

  it('sendAll resolves with each sink result by name', async () => {
    const fanOut = new FanOutSink({
      primary: { name: 'a', sink: new MemorySink() },
      secondary: [{ name: 'b', sink: new ThrowingSink() }],
    });
    const results = await fanOut.sendAll(makeMessages(4));
    expect(results.get('a')).toMatchObject({ delivered: 4 });
    expect(results.get('b')).toMatchObject({ failed: 4 });
  });

  it('refuses two sinks with the same name', () => {
    const sink = new MemorySink();
    expect(() => new FanOutSink({ primary: { name: 'x', sink }, secondary: [{ name: 'x', sink }] })).toThrow(
      /distinct/,
    );
  });
});
