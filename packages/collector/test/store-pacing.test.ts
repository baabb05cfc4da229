import type { AnalyticsMessage } from '@spantrack/processor';
import { MemorySink } from '@spantrack/processor';
import { describe, expect, it } from 'vitest';
import { pacedByStore } from '../src/store/collector-store';

/**
 * A store queue whose length the test sets; `queuedAtMost` resolves as the real store's does (the
 * real one is tested in @spantrack/insights), including when `maxWaitMs` runs out.
 */
class FakeQueue {
  queued = 0;
  private waiters: Array<{ limit: number; resolve: () => void }> = [];
  queuedAtMost(limit: number, maxWaitMs: number): Promise<void> {
    if (this.queued <= limit) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ limit, resolve });
      setTimeout(resolve, maxWaitMs);
    });
  }
  set(queued: number) {
    this.queued = queued;
    const waiting = this.waiters.splice(0);
    for (const w of waiting) {
      if (queued <= w.limit) w.resolve();
      else this.waiters.push(w);
    }
  }
}

const message = (n: number): AnalyticsMessage => ({
  type: 'track',
  event: 'ai.classification',
  messageId: `pacing-${n}`,
  timestamp: '2026-11-30T10:00:00.000Z',
  userId: 'u-1',
  properties: {},
});

async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((r) => setTimeout(r, ms));
  return done;
}

describe('acknowledgements paced by the event store', () => {
  it('a delivery resolves at once while the store keeps up', async () => {
    const inner = new MemorySink();
    const queue = new FakeQueue();
    const counts = { paced: 0 };
    const sink = pacedByStore(inner, queue, counts, 100, 60_000);
    queue.set(100);
    expect(await sink.send([message(1)])).toMatchObject({ delivered: 1, failed: 0 });
    expect(counts.paced).toBe(0);
    expect(inner.messages).toHaveLength(1);
  });

  it('past the high-water mark, it resolves once the store has taken enough, with the sink result', async () => {
    const queue = new FakeQueue();
    const counts = { paced: 0 };
    const inner = new MemorySink();
    const sink = pacedByStore(inner, queue, counts, 100, 60_000);
    queue.set(250);
    const sent = sink.send([message(2), message(3)]);
    expect(await settledWithin(sent, 30)).toBe(false);
    // Delivered to the sink already: only the answer waits.
    expect(inner.messages).toHaveLength(2);
    queue.set(150);
    expect(await settledWithin(sent, 30)).toBe(false);
    queue.set(100);
    expect(await sent).toMatchObject({ delivered: 2, failed: 0 });
    expect(counts.paced).toBe(1);
  });

  it('a stalled store slows a delivery by at most the longest wait, never stops it', async () => {
    const queue = new FakeQueue();
    const counts = { paced: 0 };
    const sink = pacedByStore(new MemorySink(), queue, counts, 10, 80);
    queue.set(1_000);
    const started = performance.now();
    expect(await sink.send([message(4)])).toMatchObject({ delivered: 1 });
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(70);
    expect(waited).toBeLessThan(5_000);
    expect(counts.paced).toBe(1);
  });

  it('flush and shutdown reach the sink', async () => {
    const inner = new MemorySink();
    let flushed = 0;
    let shut = 0;
    inner.flush = async () => {
      flushed++;
    };
    inner.shutdown = async () => {
      shut++;
    };
    const sink = pacedByStore(inner, new FakeQueue(), { paced: 0 });
    await sink.flush(10);
    await sink.shutdown(10);
    expect([flushed, shut]).toEqual([1, 1]);
  });
});
