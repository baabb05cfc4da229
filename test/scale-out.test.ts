import { context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter as OtlpGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type Collector, startCollector } from '@spantrack/collector';
import { AgentTracker } from '@spantrack/instrumentation';
import { type ReceivedMessage, type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/*
 * Scale-out, as examples/otel-collector/README.md describes it: three spantrack collector replicas
 * behind an OpenTelemetry Collector that groups whole traces (groupbytrace) and routes them by
 * trace id (loadbalancing). Here the test plays that Collector: it puts whole traces in each
 * request and sends each request to a replica chosen at random (seeded). The Segment test server
 * behind the replicas must end with exactly the messages one single collector produces from the
 * same workload; with every request sent twice to two different replicas (a retry after a lost
 * acknowledgement, a replica lost mid-request), the copies share their messageIds, so Segment keeps
 * the same set.
 */

const WRITE_KEY = 'scale-out-write-key';
const REPLICAS = 3;
const SEED = 20_260_115;

/** mulberry32: a small seeded PRNG, so a failure replays the same routing. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The workload: traces of the three catalogs, written by the real tracker through the real SDK,
 * without the context processor, so ids that only a request's root span carries (the user; the
 * org and workspace of the customer-signals events) must be carried by the collector to the tracker's spans inside
 * it, within the request. (The tracker's own spans inside a conversation turn get the turn's user
 * and conversation from the OpenTelemetry context.)
 */
async function makeWorkload(): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'scale-out-agent' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracker = new AgentTracker({ tracerProvider: provider, agentName: 'kra-bot', channel: 'whatsapp' });
  const tracer = provider.getTracer('scale-out');

  for (let i = 0; i < 12; i++) {
    const user = `+2547000000${String(i).padStart(2, '0')}`;
    // The AI agent tracking plan and Segment's AI Copilot spec: a turn with a classification and a
    // generation inside.
    const conversation = tracker.conversation({ conversationId: `wa-${i}`, userId: user });
    await conversation.turn({ text: 'I want to file nil returns', messageId: `wamid.${i}` }, async (turn) => {
      await tracker.classify({ model: 'llama3.2:3b' }, (h) => {
        h.setUsage({ inputTokens: 120, outputTokens: 15 });
        return { intent: i % 3 === 0 ? 'pin_registration' : 'nil_filing', confidence: 0.9 + (i % 10) / 100 };
      });
      await tracker.generate({ model: 'llama3.2:3b', promptType: 'clarification' }, () => 'Your KRA PIN?');
      if (i % 4 === 0) await conversation.tool('lookup_taxpayer', () => ({ found: true }));
      turn.setOutputMessageId(`wamid.${i}.reply`);
    });
    if (i % 3 === 0) conversation.feedback({ rating: 4, messageId: `wamid.${i}.reply` });
    conversation.end();

    // The AI agent tracking plan: a webhook request whose root span alone names the user; the error inside does not.
    tracer.startActiveSpan('POST /webhook', { attributes: { 'user.id': user } }, (root: Span) => {
      tracker.error({
        type: 'timeout',
        recoveryAttempt: 0,
        recovered: false,
        fallbackAction: 'agent_handoff',
      });
      root.end();
    });

    // The customer-signals tracking plan: an inbox item, ids on the root span only.
    tracer.startActiveSpan(
      'inbox item',
      { attributes: { 'user.id': `u_${i}`, 'spantrack.org.id': 'org_1', 'spantrack.workspace.id': 'ws_1' } },
      (root: Span) => {
        tracker.signal({
          event: i % 2 ? 'detected' : 'severe_negative_detected',
          signalType: 'dissatisfaction',
        });
        tracker.triage({ triageResult: 'billing', confidenceBand: 'low', escalated: i % 2 === 0 });
        tracker.reply({ event: 'sent', replyMode: 'assisted' });
        tracker.outcome({ event: 'resolved', timeToResolutionMs: 1000 * i });
        root.end();
      },
    );
  }
  tracker.identify('+254700000000', { plan: 'free' });
  await provider.forceFlush();
  const spans = [...exporter.getFinishedSpans()];
  await provider.shutdown();
  return spans;
}

/** Whole traces per request (as groupbytrace releases them), one to three traces each. */
function requests(spans: readonly ReadableSpan[], random: () => number): ReadableSpan[][] {
  const traces = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    const id = span.spanContext().traceId;
    traces.set(id, [...(traces.get(id) ?? []), span]);
  }
  const all = [...traces.values()];
  const out: ReadableSpan[][] = [];
  while (all.length > 0) out.push(all.splice(0, 1 + Math.floor(random() * 3)).flat());
  return out;
}

async function postProtobuf(collector: Collector, spans: ReadableSpan[]): Promise<void> {
  const body = ProtobufTraceSerializer.serializeRequest(spans)!;
  const response = await fetch(collector.tracesUrl!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body,
  });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

/** As the loadbalancing exporter sends: OTLP/gRPC, through the real OpenTelemetry exporter. */
function exportGrpc(exporter: OtlpGrpcTraceExporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(spans, (result) => (result.code === 0 ? resolve() : reject(result.error)));
  });
}

/** The parts of a message Segment stores, keyed by messageId (the client's context aside). */
function byId(messages: readonly ReceivedMessage[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const m of messages) {
    const { type, event, userId, anonymousId, properties, traits, timestamp } = m;
    out.set(m.messageId!, { type, event, userId, anonymousId, properties, traits, timestamp });
  }
  return out;
}

const contextManager = new AsyncLocalStorageContextManager();
let workload: ReadableSpan[];
let replicated: SegmentServer;
let single: SegmentServer;
let replicas: Collector[];
let grpcExporters: OtlpGrpcTraceExporter[];
let alone: Collector;
/** What one collector makes of the whole workload: the reference. */
let expected: Map<string, unknown>;

function startReplica(server: SegmentServer): Promise<Collector> {
  return startCollector({
    http: { host: '127.0.0.1', port: 0 },
    grpc: { host: '127.0.0.1', port: 0 },
    sink: { type: 'segment', writeKey: WRITE_KEY, host: server.url, flushIntervalMs: 20 },
    env: {},
  });
}

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  workload = await makeWorkload();
  replicated = await startSegmentServer({ writeKey: WRITE_KEY });
  single = await startSegmentServer({ writeKey: WRITE_KEY });
  alone = await startReplica(single);
  for (const request of requests(workload, rng(SEED))) await postProtobuf(alone, request);
  expected = byId(single.messages);
});

afterAll(async () => {
  await Promise.all(grpcExporters.map((e) => e.shutdown()));
  await Promise.all([...replicas, alone].map((c) => c.close()));
  await Promise.all([replicated.close(), single.close()]);
  context.disable();
});

// Fresh replicas for each test: a replica remembers the messageIds it delivered (its exactly-once
// window), and every test sends the same workload again.
beforeEach(async () => {
  replicated.reset();
  await Promise.all((grpcExporters ?? []).map((e) => e.shutdown()));
  await Promise.all((replicas ?? []).map((c) => c.close()));
  replicas = await Promise.all(Array.from({ length: REPLICAS }, () => startReplica(replicated)));
  grpcExporters = replicas.map(
    (r) => new OtlpGrpcTraceExporter({ url: r.grpcUrl!, compression: CompressionAlgorithm.GZIP }),
  );
});

describe('three collector replicas', () => {
  it('the reference: one collector makes every event of the workload, each once, ids carried within traces', () => {
    expect(single.duplicateMessageIds()).toEqual([]);
    const names = new Set(single.messages.map((m) => (m.type === 'identify' ? 'identify' : m.event)));
    for (const name of [
      'ai.classification',
      'ai.generation',
      'ai.error',
      'Conversation Started',
      'Message Sent',
      'Message Received',
      'Action Invoked',
      'Feedback Submitted',
      'Conversation Ended',
      'identify',
      'customer_signal.detected',
      'customer_signal.severe_negative_detected',
      'ai_triage.completed',
      'ai_triage.escalation_triggered',
      'ai_reply.sent',
      'interaction.outcome_resolved',
    ]) {
      expect(names, name).toContain(name);
    }
    // The error spans and the customer-signals spans carry no user (nor org, workspace): the collector took
    // them from their trace's root span, because the whole trace came in one request.
    for (const m of single.messages) expect(m.userId, `${m.event}`).toBeDefined();
    for (const m of single.messages.filter((x) => String(x.event).startsWith('interaction.'))) {
      expect(m.properties).toMatchObject({ org_id: 'org_1', workspace_id: 'ws_1', user_id: m.userId });
    }
  });

  it('requests sprayed at random across three replicas: Segment ends with exactly the same messages', async () => {
    const random = rng(SEED + 1);
    const load = requests(workload, random);
    const used = new Set<number>();
    await Promise.all(
      load.map((request) => {
        const replica = Math.floor(random() * REPLICAS);
        used.add(replica);
        // Half over OTLP/HTTP protobuf, half over OTLP/gRPC (what the loadbalancing exporter speaks).
        return random() < 0.5
          ? postProtobuf(replicas[replica]!, request)
          : exportGrpc(grpcExporters[replica]!, request);
      }),
    );
    expect(used.size).toBe(REPLICAS);
    expect(replicated.duplicateMessageIds()).toEqual([]);
    expect(replicated.uniqueMessageIds()).toEqual(single.uniqueMessageIds());
    expect(byId(replicated.messages)).toEqual(expected);
  });

  it('every request sent twice, to two different replicas: the copies share messageIds, Segment keeps the same set', async () => {
    const random = rng(SEED + 2);
    const load = requests(workload, random);
    await Promise.all(
      load.map(async (request) => {
        const first = Math.floor(random() * REPLICAS);
        const second = (first + 1 + Math.floor(random() * (REPLICAS - 1))) % REPLICAS;
        expect(second).not.toBe(first);
        await Promise.all([
          postProtobuf(replicas[first]!, request),
          exportGrpc(grpcExporters[second]!, request),
        ]);
      }),
    );
    const stats = replicated.stats();
    expect(stats.acceptedMessages).toBe(2 * expected.size);
    expect(stats.uniqueMessageIds).toBe(expected.size);
    expect(replicated.duplicateMessageIds()).toHaveLength(expected.size);
    expect(replicated.uniqueMessageIds()).toEqual(single.uniqueMessageIds());
    // Both copies are the same message, not merely the same id.
    for (const [id, message] of byId(replicated.messages)) expect(message, id).toEqual(expected.get(id));
  });

  it('without whole traces per request (no groupbytrace), a split trace loses its ids: events go anonymous or are dropped', async () => {
    // One span per request: the error and the customer-signals spans no longer meet the root span that
    // alone carries their user (and org and workspace).
    const random = rng(SEED + 3);
    await Promise.all(
      workload.map((span) => postProtobuf(replicas[Math.floor(random() * REPLICAS)]!, [span])),
    );
    expect(replicated.duplicateMessageIds()).toEqual([]);
    const got = replicated.uniqueMessageIds();
    const missing = [...single.uniqueMessageIds()].filter((id) => !got.has(id));
    for (const id of got) expect(single.uniqueMessageIds().has(id), id).toBe(true);
    // The customer-signals tracking plan requires org_id, workspace_id and user_id: without them its events are not sent.
    expect(missing.length).toBeGreaterThan(0);
    for (const id of missing) {
      expect((expected.get(id) as { event: string }).event).toMatch(
        /^(customer_signal|ai_triage|ai_reply|interaction)\./,
      );
    }
    // The error is still sent, under the same messageId, but anonymous: the trace id stands in
    // for the user Segment needs.
    const error = replicated.messages.find((m) => m.event === 'ai.error')!;
    expect(error.userId).toBeUndefined();
    expect(error.anonymousId).toMatch(/^[0-9a-f]{32}$/);
    expect((expected.get(error.messageId!) as { userId: string }).userId).toMatch(/^\+2547/);
  });
});
