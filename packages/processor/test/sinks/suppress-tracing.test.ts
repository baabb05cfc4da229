import { createRequire } from 'node:module';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SegmentSink } from '../../src/index';
import { makeMessages, WRITE_KEY } from './fixtures';

/*
 * With the real HTTP instrumentation registered (as @spantrack/node or an APM agent would), the
 * publisher's own requests to Segment must not become spans: they would feed back into the
 * pipeline and show up in the application's traces.
 */

describe('SegmentPublisher under @opentelemetry/instrumentation-http', () => {
  let server: SegmentServer;
  const spans = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const instrumentation = new HttpInstrumentation();
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager.enable());
    instrumentation.setTracerProvider(provider);
    instrumentation.enable();
    // The patch applies when `http` is next required; the exports object is shared, so every holder sees it.
    createRequire(import.meta.url)('node:http');
    server = await startSegmentServer({ writeKey: WRITE_KEY });
  });
  afterAll(async () => {
    instrumentation.disable();
    await server.close();
    await provider.shutdown();
    context.disable();
    trace.disable();
  });

  it('the instrumentation is live: a plain request from the test is traced', async () => {
    spans.reset();
    const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
    await new Promise<void>((resolve, reject) => {
      http.get(`${server.url}/__stats`, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
    expect(spans.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT)).toHaveLength(1);
  });

  // The CommonJS build reads `http.request` off the module object at each call, as the patch
  // expects, so it is the build where an unsuppressed request would surely be traced.
  // Through the public SegmentSink, whose default transport is the publisher.
  const builds: [string, () => typeof SegmentSink][] = [
    ['src', () => SegmentSink],
    [
      'dist (CommonJS)',
      () =>
        (
          createRequire(import.meta.url)('@spantrack/processor') as {
            SegmentSink: typeof SegmentSink;
          }
        ).SegmentSink,
    ],
  ];

  it.each(builds)("spantrack's delivery requests are not traced (%s)", async (_build, load) => {
    spans.reset();
    const Sink = load();
    const publisher = new Sink({ writeKey: WRITE_KEY, host: server.url, flushInterval: 5 });
    const result = await publisher.send(makeMessages(20));
    await publisher.shutdown(1_000);
    expect(result.delivered).toBe(20);
    expect(server.stats().acceptedRequests).toBeGreaterThan(0);
    // The test server runs in this process, so its incoming requests are traced (SERVER spans);
    // the publisher's outgoing ones must not be.
    const serverSpans = spans.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
    expect(serverSpans.length).toBeGreaterThan(0);
    expect(spans.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT)).toEqual([]);
  });
});
