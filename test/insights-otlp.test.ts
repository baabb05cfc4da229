import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type Collector, startCollector } from '@spantrack/collector';
import { createDashboardHandler, createEventStore, type DuckDbStoreSink } from '@spantrack/insights';
import { AgentTracker, ContextAttributesSpanProcessor } from '@spantrack/instrumentation';
import { afterAll, beforeAll, expect, it } from 'vitest';

/*
 * The insights store behind the collector, fed over OTLP: agent spans → OpenTelemetry SDK → OTLP
 * (protobuf over HTTP) → collector → translator → DuckDB store → the dashboard's JSON API. With
 * content capture at its default (off), no message text reaches the store.
 */
const contextManager = new AsyncLocalStorageContextManager();
let store: DuckDbStoreSink;
let collector: Collector;
let provider: BasicTracerProvider;
let server: Server;
let base: string;

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  store = await createEventStore({ path: ':memory:', retentionDays: 0, flushIntervalMs: 20 });
  collector = await startCollector({
    http: { host: '127.0.0.1', port: 0 },
    grpc: false,
    sink: store,
    env: {},
  });
  provider = new BasicTracerProvider({
    spanProcessors: [
      new ContextAttributesSpanProcessor(),
      new BatchSpanProcessor(new OTLPTraceExporter({ url: collector.tracesUrl! }), {
        scheduledDelayMillis: 20,
      }),
    ],
  });
  const tracker = new AgentTracker({ tracerProvider: provider, channel: 'whatsapp', captureContent: true });
  const at = (s: number) => new Date(Date.parse('2026-11-20T09:00:00.000Z') + s * 1000);
  for (const [i, intent] of ['nil_filing', 'nil_filing', 'pin_registration'].entries()) {
    await tracker.classify({ userId: `+2547000000${i}` }, () => ({ intent, confidence: 0.9 }));
  }
  const conversation = tracker.conversation({ conversationId: 'otlp-conv', userId: '+254700000000' });
  conversation.messageSent({ messageId: 'm1', body: 'I want to file nil returns', timestamp: at(0) });
  conversation.messageReceived({ messageId: 'r1', body: 'Sure, your PIN?', timestamp: at(2) });
  conversation.end({ timestamp: at(5) });
  await provider.forceFlush();
  await store.flush();
  const handler = createDashboardHandler({ store });
  server = createServer((req, res) => {
    if (!handler(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await provider?.shutdown();
  await collector?.close();
  await store?.shutdown();
  context.disable();
});

it('the dashboard API shows what arrived over OTLP', async () => {
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body, checked field by field.
  const overview: any = await (await fetch(`${base}/api/overview`)).json();
  expect(overview.aiAgent.classifications).toBe(3);
  expect(overview.aiAgent.topIntents).toEqual([
    { intent: 'nil_filing', count: 2 },
    { intent: 'pin_registration', count: 1 },
  ]);
  expect(overview.conversations).toMatchObject({ total: 1, responseRate: 1, avgResponseTimeMs: 2000 });
});

it('keeps no message text when content capture is off (the default)', async () => {
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body, checked field by field.
  const detail: any = await (await fetch(`${base}/api/conversations/otlp-conv`)).json();
  const messages = detail.messages.filter((m: { event: string }) => m.event.startsWith('Message'));
  expect(messages.map((m: { event: string; role: string }) => [m.event, m.role])).toEqual([
    ['Message Sent', 'customer'],
    ['Message Received', 'agent'],
  ]);
  expect(messages.every((m: { content: unknown }) => m.content === null)).toBe(true);
  expect(JSON.stringify(detail)).not.toContain('nil returns');
});
