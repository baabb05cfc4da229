import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isTracingSuppressed } from '@opentelemetry/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SegmentHttpRequest, SegmentHttpResponse, SegmentHttpTransport } from '../../src/index';
import { SegmentPublisher, type SegmentPublisherOptions } from '../../src/sinks/index';
import { makeMessages, WRITE_KEY } from './fixtures';

/** A transport whose answers the test decides, request by request; nothing touches the network. */
class ScriptedTransport implements SegmentHttpTransport {
  readonly requests: { at: number; suppressed: boolean }[] = [];
  private readonly waiting: ((response: SegmentHttpResponse) => void)[] = [];
  /** Answers given at once, in order; once empty, requests wait for `answer()`. */
  readonly script: SegmentHttpResponse[] = [];

  send(request: SegmentHttpRequest): Promise<SegmentHttpResponse> {
    this.requests.push({
      at: Date.now(),
      suppressed: isTracingSuppressed(context.active()),
    });
    const next = this.script.shift();
    if (next) return Promise.resolve(next);
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      request.signal.addEventListener('abort', () => {
        // An aborted request gets no answer: the next `answer()` goes to a live one.
        this.waiting.splice(this.waiting.indexOf(resolve), 1);
        reject(request.signal.reason);
      });
    });
  }

  answer(response: SegmentHttpResponse): void {
    this.waiting.shift()?.(response);
  }
}

const OK: SegmentHttpResponse = { status: 200, text: '' };

describe('SegmentPublisher delivery (injected transport, fake timers)', () => {
  let transport: ScriptedTransport;
  const make = (options: Partial<SegmentPublisherOptions> = {}) =>
    new SegmentPublisher({
      writeKey: WRITE_KEY,
      httpTransport: transport,
      flushInterval: 10,
      minBackoff: 100,
      maxBackoff: 1_000,
      ...options,
    });

  // As @spantrack/node (or any SDK setup) registers one: without it no context reaches a request.
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });
  beforeEach(() => {
    vi.useFakeTimers();
    transport = new ScriptedTransport();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('caps Retry-After at maxRetryAfter (default 60 s): a 429 asking for a day stalls nothing for a day', async () => {
    transport.script.push({ status: 429, retryAfter: '86400', text: '' }, OK, OK);
    const publisher = make();
    const first = publisher.send(makeMessages(3, 'a'));
    await vi.advanceTimersByTimeAsync(10);
    expect(transport.requests).toHaveLength(1);
    const later = publisher.send(makeMessages(3, 'b'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await first).toMatchObject({ delivered: 3, failed: 0 });
    expect(await later).toMatchObject({ delivered: 3, failed: 0 });
    // The retry and the later batch both went out once the capped pause ended, not a day later.
    expect(transport.requests[1]!.at - transport.requests[0]!.at).toBe(60_000);
  });

  it('maxRetryAfter is an option', async () => {
    transport.script.push({ status: 429, retryAfter: '86400', text: '' }, OK);
    const publisher = make({ maxRetryAfter: 2_000 });
    const sending = publisher.send(makeMessages(2));
    await vi.advanceTimersByTimeAsync(2_010);
    expect(await sending).toMatchObject({ delivered: 2 });
    expect(transport.requests[1]!.at - transport.requests[0]!.at).toBe(2_000);
  });

  it('a throwing onDelivery neither leaves send() pending nor breaks the counts', async () => {
    transport.script.push(OK);
    const calls: string[] = [];
    const publisher = make({
      onDelivery: (id) => {
        calls.push(id);
        throw new Error('callback bug');
      },
    });
    const sending = publisher.send(makeMessages(3));
    await vi.advanceTimersByTimeAsync(10);
    expect(await sending).toEqual({ delivered: 3, failed: 0, errors: [] });
    expect(calls).toEqual(['m-0', 'm-1', 'm-2']);
    expect(publisher.stats).toMatchObject({ delivered: 3, failed: 0, callbackErrors: 3 });
  });

  it('400 is sent once and never retried', async () => {
    transport.script.push({ status: 400, text: 'bad' });
    const publisher = make();
    const sending = publisher.send(makeMessages(2));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await sending).toMatchObject({ delivered: 0, failed: 2 });
    expect(transport.requests).toHaveLength(1);
  });

  it('bounds total backoff by maxRetryDuration', async () => {
    for (let i = 0; i < 50; i++) transport.script.push({ status: 503, text: '' });
    const publisher = make({ maxRetries: 50, maxRetryDuration: 5_000 });
    const sending = publisher.send(makeMessages(1));
    await vi.advanceTimersByTimeAsync(6_000);
    expect(await sending).toMatchObject({ delivered: 0, failed: 1 });
    expect(transport.requests.at(-1)!.at - transport.requests[0]!.at).toBeLessThanOrEqual(5_000);
  });

  it('a request that outlives httpRequestTimeout is aborted and retried', async () => {
    const publisher = make({ httpRequestTimeout: 1_000 });
    const sending = publisher.send(makeMessages(2));
    await vi.advanceTimersByTimeAsync(10 + 1_000);
    expect(transport.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(transport.requests).toHaveLength(2);
    transport.answer(OK);
    expect(await sending).toMatchObject({ delivered: 2 });
  });

  it('sends under suppressTracing, so instrumented HTTP clients do not trace it', async () => {
    transport.script.push(OK);
    const publisher = make();
    const sending = publisher.send(makeMessages(1));
    await vi.advanceTimersByTimeAsync(10);
    await sending;
    expect(transport.requests[0]!.suppressed).toBe(true);
  });

  it('keeps no timer while idle', async () => {
    transport.script.push(OK);
    const publisher = make();
    expect(vi.getTimerCount()).toBe(0);
    const sending = publisher.send(makeMessages(2));
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(10);
    await sending;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shutdown ends within its deadline with Segment hanging, failing what is pending', async () => {
    const publisher = make({ httpRequestTimeout: 60_000 });
    const sending = publisher.send(makeMessages(2));
    await vi.advanceTimersByTimeAsync(10);
    let done = false;
    void publisher.shutdown(500).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(500);
    expect(done).toBe(true);
    expect(await sending).toMatchObject({ delivered: 0, failed: 2 });
    expect(vi.getTimerCount()).toBe(0);
  });
});
