import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AnalyticsMessage, DeduplicatingSink, type DeliveryResult, type Sink } from '../../src/index';
import { makeMessages } from './fixtures';

/** Records each `send`; settles it when the test says, delivering all but the ids in `failing`. */
class ControlledSink implements Sink {
  readonly sends: string[][] = [];
  readonly failing = new Set<string>();
  private readonly gates: (() => void)[] = [];
  gated = false;
  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    this.sends.push(messages.map((m) => m.messageId));
    if (this.gated) await new Promise<void>((r) => this.gates.push(r));
    const errors = messages
      .filter((m) => this.failing.has(m.messageId))
      .map((m) => ({ messageId: m.messageId, error: new Error('refused') }));
    return { delivered: messages.length - errors.length, failed: errors.length, errors };
  }
  open(): void {
    for (const g of this.gates.splice(0)) g();
  }
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

afterEach(() => {
  vi.useRealTimers();
});

describe('DeduplicatingSink', () => {
  it('does not send an id delivered within the window again, and reports it delivered', async () => {
    const inner = new ControlledSink();
    const sink = new DeduplicatingSink(inner);
    const messages = makeMessages(3);
    await sink.send(messages);
    const again = await sink.send([...messages, ...makeMessages(1, 'new')]);
    expect(again).toEqual({ delivered: 4, failed: 0, errors: [] });
    expect(inner.sends).toEqual([['m-0', 'm-1', 'm-2'], ['new-0']]);
    expect(sink.stats.deduplicated).toBe(3);
  });

  it('an id in flight is not sent twice: the second send waits for the first and gets its outcome', async () => {
    const inner = new ControlledSink();
    inner.gated = true;
    inner.failing.add('m-1');
    const sink = new DeduplicatingSink(inner);
    const messages = makeMessages(2);
    const first = sink.send(messages);
    const second = sink.send(messages);
    await new Promise((r) => setImmediate(r));
    expect(inner.sends).toHaveLength(1);
    inner.open();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toMatchObject({ delivered: 1, failed: 1 });
    expect(b).toMatchObject({ delivered: 1, failed: 1, errors: [{ messageId: 'm-1' }] });
    expect(inner.sends).toHaveLength(1);
  });

  it('does not remember failures: sending them again retries them', async () => {
    const inner = new ControlledSink();
    inner.failing.add('m-0');
    const sink = new DeduplicatingSink(inner);
    const messages = makeMessages(1);
    expect(await sink.send(messages)).toMatchObject({ failed: 1 });
    inner.failing.clear();
    expect(await sink.send(messages)).toMatchObject({ delivered: 1, failed: 0 });
    expect(inner.sends).toEqual([['m-0'], ['m-0']]);
  });

  it('forgets an id after maxAgeMillis', async () => {
    vi.useFakeTimers();
    const inner = new ControlledSink();
    const sink = new DeduplicatingSink(inner, { maxAgeMillis: 1_000 });
    const messages = makeMessages(1);
    await sink.send(messages);
    vi.advanceTimersByTime(999);
    await sink.send(messages);
    expect(inner.sends).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await sink.send(messages);
    expect(inner.sends).toHaveLength(2);
  });

  it('remembers at most maxMessageIds (at least half of them, the most recent)', async () => {
    const inner = new ControlledSink();
    const sink = new DeduplicatingSink(inner, { maxMessageIds: 10 });
    const messages = makeMessages(20);
    await sink.send(messages);
    await sink.send(messages.slice(15));
    expect(inner.sends).toHaveLength(1);
    await sink.send(messages.slice(0, 1));
    expect(inner.sends).toEqual([messages.map((m) => m.messageId), ['m-0']]);
  });

  it('never forgets an id in flight, however many ids are sent meanwhile', async () => {
    const inner = new ControlledSink();
    const sink = new DeduplicatingSink(inner, { maxMessageIds: 10 });
    inner.gated = true;
    const slow = makeMessages(3, 'slow');
    const first = sink.send(slow);
    await new Promise((r) => setImmediate(r));
    inner.gated = false;
    // 100 other ids: ten times the window, many generations past the slow batch's.
    for (let k = 0; k < 10; k++) await sink.send(makeMessages(10, `other${k}`));
    const again = sink.send(slow);
    await new Promise((r) => setImmediate(r));
    expect(inner.sends.filter((ids) => ids[0] === 'slow-0')).toHaveLength(1);
    inner.open();
    expect(await first).toMatchObject({ delivered: 3, failed: 0 });
    expect(await again).toMatchObject({ delivered: 3, failed: 0 });
    expect(inner.sends.filter((ids) => ids[0] === 'slow-0')).toHaveLength(1);
    // Once settled, its generation is forgotten like any other at the next turn of the window.
    for (let k = 0; k < 3; k++) await sink.send(makeMessages(10, `later${k}`));
    await sink.send(slow);
    expect(inner.sends.filter((ids) => ids[0] === 'slow-0')).toHaveLength(2);
  });

  it('an id twice in one send is sent once and counted twice', async () => {
    const inner = new ControlledSink();
    const sink = new DeduplicatingSink(inner);
    const [m] = makeMessages(1);
    expect(await sink.send([m!, m!])).toEqual({ delivered: 2, failed: 0, errors: [] });
    expect(inner.sends).toEqual([['m-0']]);
    inner.failing.add('x-0');
    const [x] = makeMessages(1, 'x');
    expect(await sink.send([x!, x!])).toMatchObject({ delivered: 0, failed: 2 });
    expect(inner.sends).toEqual([['m-0'], ['x-0']]);
  });

  it('retries a failed id whatever generation it failed in, and remembers it once delivered', async () => {
    const inner = new ControlledSink();
    const sink = new DeduplicatingSink(inner, { maxMessageIds: 10 });
    inner.failing.add('f-0');
    const [f] = makeMessages(1, 'f');
    expect(await sink.send([f!])).toMatchObject({ failed: 1 });
    await sink.send(makeMessages(5, 'pad'));
    inner.failing.clear();
    expect(await sink.send([f!])).toMatchObject({ delivered: 1, failed: 0 });
    expect(await sink.send([f!])).toMatchObject({ delivered: 1, failed: 0 });
    expect(inner.sends.filter((ids) => ids.includes('f-0'))).toHaveLength(2);
  });

  it('fails the batch, and settles it, when the sink throws instead of rejecting', async () => {
    let calls = 0;
    const throwing: Sink = {
      send: () => {
        calls += 1;
        throw new Error('thrown');
      },
      flush: async () => {},
      shutdown: async () => {},
    };
    const sink = new DeduplicatingSink(throwing);
    const messages = makeMessages(2);
    const first = await sink.send(messages);
    expect(first).toMatchObject({ delivered: 0, failed: 2 });
    expect(first.errors.map((e) => e.error.message)).toEqual(['thrown', 'thrown']);
    // Failed, so not remembered: the next send tries again (and nothing waits on the first).
    expect(await sink.send(messages)).toMatchObject({ delivered: 0, failed: 2 });
    expect(calls).toBe(2);
  });
});
