import { gunzipSync, gzipSync } from 'node:zlib';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Collector, type CollectorOptions, startCollector } from '../src/index';
import { messageIds } from './support/expected';
import { agentTraces, toJson, toProtobuf } from './support/fixtures';
import { OtlpBackend } from './support/otlp-backend';
import { get, post } from './support/post';
import { RETRYABLE, sendAll } from './support/retrying-sender';

const WRITE_KEY = 'forward-key';
const PROTO = { 'content-type': 'application/x-protobuf' };
let segment: SegmentServer;
let backend: OtlpBackend;
let collector: Collector | undefined;

beforeAll(async () => {
  segment = await startSegmentServer({ writeKey: WRITE_KEY });
});
afterAll(() => segment?.close());
beforeEach(async () => {
  segment.reset();
  backend = await new OtlpBackend().start();
});
afterEach(async () => {
  await collector?.close();
  collector = undefined;
  await backend.stop();
});

/** A collector delivering to the Segment test server and forwarding to `backend`. */
async function start(
  forward: Partial<NonNullable<Exclude<CollectorOptions['forwardTraces'], false>>> = {},
  more: Partial<CollectorOptions> = {},
): Promise<Collector> {
  collector = await startCollector({
    http: { port: 0 },
    grpc: { port: 0 },
    sink: { type: 'segment', writeKey: WRITE_KEY, host: segment.url, flushIntervalMs: 20 },
    forwardTraces: { url: backend.url, initialBackoffMs: 50, maxBackoffMs: 400, ...forward },
    env: {},
    ...more,
  });
  return collector;
}

function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]) {
  return new Promise<{ code: ExportResultCode; error?: Error }>((resolve) => exporter.export(spans, resolve));
}

/** Distinct request bodies and the messageIds they must yield. */
function workload(tag: string, requests: number, traces: number) {
  const batches = Array.from({ length: requests }, (_, i) => agentTraces(traces, `${tag}${i}`));
  const expected = new Set<string>();
  for (const spans of batches) for (const id of messageIds(spans)) expected.add(id);
  return { bodies: batches.map(toProtobuf), expected };
}

const sorted = (buffers: Buffer[]) => buffers.map((b) => b.toString('base64')).sort();

describe('the real OpenTelemetry exporters → collector → trace backend and Segment', () => {
  it('exporter-trace-otlp-proto (gzip): the backend gets the same bytes, content type and encoding', async () => {
    const c = await start();
    const spans = agentTraces(10, 'fwd-proto');
    const exporter = new ProtoExporter({ url: c.tracesUrl!, compression: 'gzip' as never });
    const result = await exportSpans(exporter, spans);
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    await backend.waitFor(1);
    const [got] = backend.received;
    expect(got!.path).toBe('/v1/traces');
    expect(got!.headers['content-type']).toBe('application/x-protobuf');
    expect(got!.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(got!.body).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(
      true,
    );
    expect(segment.uniqueMessageIds()).toEqual(messageIds(spans));
  });

  it('exporter-trace-otlp-http (JSON): forwarded as JSON, unchanged', async () => {
    const c = await start();
    const spans = agentTraces(6, 'fwd-json');
    const exporter = new JsonExporter({ url: c.tracesUrl! });
    const result = await exportSpans(exporter, spans);
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    await backend.waitFor(1);
    const [got] = backend.received;
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['content-encoding']).toBeUndefined();
    expect(got!.body.equals(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!))).toBe(true);
    expect(segment.uniqueMessageIds()).toEqual(messageIds(spans));
  });

  it('exporter-trace-otlp-grpc (gzip): the message bytes go to /v1/traces as application/x-protobuf', async () => {
    const c = await start();
    const spans = agentTraces(8, 'fwd-grpc');
    const exporter = new GrpcExporter({ url: c.grpcUrl!, compression: 'gzip' as never });
    const result = await exportSpans(exporter, spans);
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    await backend.waitFor(1);
    const [got] = backend.received;
    expect(got!.path).toBe('/v1/traces');
    expect(got!.headers['content-type']).toBe('application/x-protobuf');
    expect(got!.headers['content-encoding']).toBeUndefined();
    // grpc-js inflated the message; what is left is the serialized ExportTraceServiceRequest.
    expect(got!.body.equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!))).toBe(true);
    expect(segment.uniqueMessageIds()).toEqual(messageIds(spans));
  });
});

describe('forwarding', () => {
  it('sends the bytes as received (gzip stays gzip), with the configured headers, to a bare origin + /v1/traces', async () => {
    await start({ headers: { authorization: 'Bearer backend-token', 'x-scope-orgid': 'tenant-1' } });
    const raw = toProtobuf(agentTraces(3, 'bytes'));
    const wire = gzipSync(raw, { level: 1 });
    const answer = await post(collector!.tracesUrl!, wire, { ...PROTO, 'content-encoding': 'gzip' });
    expect(answer.status).toBe(200);
    await backend.waitFor(1);
    const got = backend.received[0]!;
    expect(got.body.equals(wire)).toBe(true);
    expect(got.path).toBe('/v1/traces');
    expect(got.headers.authorization).toBe('Bearer backend-token');
    expect(got.headers['x-scope-orgid']).toBe('tenant-1');
    expect(collector!.forwardUrl).toBe(`${backend.url}/v1/traces`);
  });

  it('a URL with a path is used as given', async () => {
    await start({ url: `${backend.url}/otlp/v1/traces` });
    expect(
      (
        await post(collector!.tracesUrl!, toJson(agentTraces(1, 'path')), {
          'content-type': 'application/json',
        })
      ).status,
    ).toBe(200);
    await backend.waitFor(1);
    expect(backend.received[0]!.path).toBe('/otlp/v1/traces');
  });

  it('the backend is down, then up: nothing is lost on either side, bodies equal the sent ones', async () => {
    await backend.stop();
    await start();
    const { bodies, expected } = workload('down', 8, 2);
    for (const body of bodies) expect((await post(collector!.tracesUrl!, body, PROTO)).status).toBe(200);
    // The analytics side did not wait for the backend.
    for (const id of expected) expect(segment.uniqueMessageIds().has(id), id).toBe(true);
    expect(collector!.stats().forward!.queueRequests).toBe(8);
    await new Promise((r) => setTimeout(r, 300));
    expect(collector!.stats().forward!.retries).toBeGreaterThan(0);
    await backend.start();
    await backend.waitFor(8);
    expect(sorted(backend.received.map((r) => r.body))).toEqual(sorted(bodies));
    const forward = collector!.stats().forward!;
    expect(forward).toMatchObject({ forwarded: 8, failed: 0, dropped: 0, queueRequests: 0, queueBytes: 0 });
  }, 20_000);

  it('a hanging backend neither blocks nor slows the Segment path; attempts time out and are retried', async () => {
    backend.setFault({ hang: true });
    await start({ timeoutMs: 300 });
    const { bodies, expected } = workload('hang', 10, 2);
    const started = Date.now();
    for (const body of bodies) expect((await post(collector!.tracesUrl!, body, PROTO)).status).toBe(200);
    // Ten sequential requests, each acknowledged after its Segment delivery only.
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const id of expected) expect(segment.uniqueMessageIds().has(id), id).toBe(true);
    await new Promise((r) => setTimeout(r, 700));
    expect(collector!.stats().forward!.retries).toBeGreaterThan(0);
    backend.setFault(null);
    await backend.waitFor(10);
    expect(sorted(backend.received.map((r) => r.body))).toEqual(sorted(bodies));
  }, 20_000);

  it('a failing Segment path does not stop forwarding, and the sender retries are not forwarded twice', async () => {
    await start();
    const { bodies, expected } = workload('seg503', 6, 2);
    segment.setFault({ status: 503 });
    const recover = setTimeout(() => segment.setFault(null), 3_000);
    const sending = sendAll(() => collector!.tracesUrl!, bodies, { concurrency: 6, deadlineMs: 30_000 });
    // While Segment fails, every request reaches the backend anyway.
    await backend.waitFor(6, 2_800);
    const { seen, final } = await sending;
    clearTimeout(recover);
    expect(seen).toContain(503);
    expect(seen.filter((s) => s !== 200).every((s) => RETRYABLE.includes(s))).toBe(true);
    expect(final.every((s) => s === 200)).toBe(true);
    for (const id of expected) expect(segment.uniqueMessageIds().has(id), id).toBe(true);
    // Each body exactly once: the retries were recognised by their bytes.
    expect(sorted(backend.received.map((r) => r.body))).toEqual(sorted(bodies));
    expect(collector!.stats().forward!.duplicates).toBeGreaterThan(0);
  }, 30_000);

  it('retries 429/502/503/504, honouring Retry-After (capped), and gives up at once on other 4xx', async () => {
    await start({ maxBackoffMs: 1_500 });
    backend.setFault({ status: 429, retryAfter: '1', times: 1 });
    const first = toProtobuf(agentTraces(1, 'retry-after'));
    await post(collector!.tracesUrl!, first, PROTO);
    await backend.waitFor(1);
    const [refused, accepted] = backend.attempts;
    expect(refused!.status).toBe(429);
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(950);

    // One at a time: a fault is set only once the previous request has reached the backend.
    let done = 1;
    for (const status of [502, 503, 504]) {
      backend.setFault({ status, times: 1 });
      await post(collector!.tracesUrl!, toProtobuf(agentTraces(1, `s${status}`)), PROTO);
      await backend.waitFor(++done);
    }

    // A Retry-After of an hour is capped at maxBackoffMs.
    backend.setFault({ status: 503, retryAfter: '3600', times: 1 });
    await post(collector!.tracesUrl!, toProtobuf(agentTraces(1, 'capped')), PROTO);
    await backend.waitFor(5, 5_000);

    backend.setFault({ status: 400, times: 1 });
    await post(collector!.tracesUrl!, toProtobuf(agentTraces(1, 'bad')), PROTO);
    await new Promise((r) => setTimeout(r, 600));
    const forward = collector!.stats().forward!;
    expect(forward).toMatchObject({ forwarded: 5, retries: 5, failed: 1, dropped: 0 });
    expect(backend.attempts.filter((a) => a.status === 400)).toHaveLength(1);
    const metrics = (await get(`${collector!.httpUrl}/metrics`)).text;
    expect(metrics).toContain('spantrack_collector_forward_requests_total{result="forwarded"} 5');
    expect(metrics).toContain('spantrack_collector_forward_requests_total{result="failed"} 1');
    expect(metrics).toContain('spantrack_collector_forward_retries_total 5');
    expect(metrics).toContain('spantrack_collector_forward_queue_bytes 0');
  }, 20_000);

  it('the queue is bounded: past its requests or bytes, requests are dropped and counted, Segment still gets them', async () => {
    backend.setFault({ hang: true });
    await start({ maxQueueRequests: 3, concurrency: 1, timeoutMs: 5_000 });
    const { bodies, expected } = workload('full', 6, 1);
    for (const body of bodies) expect((await post(collector!.tracesUrl!, body, PROTO)).status).toBe(200);
    for (const id of expected) expect(segment.uniqueMessageIds().has(id), id).toBe(true);
    const forward = collector!.stats().forward!;
    expect(forward.queueRequests).toBe(3);
    expect(forward.dropped).toBe(3);
    expect(forward.queueBytes).toBe(bodies[0]!.length + bodies[1]!.length + bodies[2]!.length);
    const metrics = (await get(`${collector!.httpUrl}/metrics`)).text;
    expect(metrics).toContain('spantrack_collector_forward_requests_total{result="dropped"} 3');
    expect(metrics).toContain('spantrack_collector_forward_queue_requests 3');

    // A dropped request is forgotten: the sender's retry of it is taken once there is room.
    backend.setFault(null);
    backend.releaseHanging();
    await backend.waitFor(3, 8_000);
    expect((await post(collector!.tracesUrl!, bodies[5]!, PROTO)).status).toBe(200);
    await backend.waitFor(4);
    expect(backend.received.at(-1)!.body.equals(bodies[5]!)).toBe(true);
  }, 20_000);

  it('the queue bound in bytes: a request that would pass it is dropped', async () => {
    const { bodies } = workload('bytes-full', 3, 2);
    backend.setFault({ hang: true });
    await start({ maxQueueBytes: bodies[0]!.length + bodies[1]!.length, timeoutMs: 5_000 });
    for (const body of bodies) expect((await post(collector!.tracesUrl!, body, PROTO)).status).toBe(200);
    expect(collector!.stats().forward).toMatchObject({
      queueRequests: 2,
      queueBytes: bodies[0]!.length + bodies[1]!.length,
      dropped: 1,
    });
    backend.setFault(null);
    backend.releaseHanging();
    await backend.waitFor(2, 8_000);
  }, 20_000);

  it('close() drains the queue within the deadline, and counts what the deadline cut', async () => {
    backend.setFault({ delayMs: 200 });
    const c = await start({ concurrency: 1 }, { shutdownTimeoutMs: 3_000 });
    const { bodies } = workload('drain', 4, 1);
    for (const body of bodies) await post(c.tracesUrl!, body, PROTO);
    await c.close();
    collector = undefined;
    expect(backend.received).toHaveLength(4);
    expect(c.stats().forward).toMatchObject({ forwarded: 4, dropped: 0, queueRequests: 0 });

    backend.setFault({ hang: true });
    const d = await start({ timeoutMs: 60_000 }, { shutdownTimeoutMs: 500 });
    await post(d.tracesUrl!, bodies[0]!, PROTO);
    await post(d.tracesUrl!, bodies[1]!, PROTO);
    const started = Date.now();
    await d.close();
    collector = undefined;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(d.stats().forward).toMatchObject({ forwarded: 0, dropped: 2, queueRequests: 0, queueBytes: 0 });
  }, 20_000);

  it('undecodable requests are answered 400 and not forwarded', async () => {
    await start();
    expect((await post(collector!.tracesUrl!, Buffer.from('not protobuf at all'), PROTO)).status).toBe(400);
    expect((await post(collector!.tracesUrl!, toProtobuf(agentTraces(1, 'after')), PROTO)).status).toBe(200);
    await backend.waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(backend.received).toHaveLength(1);
  });
});
