import { credentials, Metadata, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  type AnalyticsMessage,
  DeliveryError,
  type DeliveryResult,
  InvalidMessageError,
  type Sink,
} from '@spantrack/processor';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Collector,
  type CollectorOptions,
  startCollector,
  TRACE_SERVICE_EXPORT_PATH,
} from '../src/index';
import { agentTraces, toProtobuf } from './support/fixtures';
import { post } from './support/post';

/** A sink whose fate the test decides: hold deliveries, fail them, or let them through. */
class ScriptedSink implements Sink {
  mode: 'deliver' | 'hold' | 'fail' | 'invalid' = 'deliver';
  sent: AnalyticsMessage[] = [];
  private held: (() => void)[] = [];

  send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    this.sent.push(...messages);
    const ok = { delivered: messages.length, failed: 0, errors: [] };
    switch (this.mode) {
      case 'deliver':
        return Promise.resolve(ok);
      case 'hold':
        return new Promise((resolve) => this.held.push(() => resolve(ok)));
      case 'fail':
        return Promise.resolve({
          delivered: 0,
          failed: messages.length,
          errors: messages.map((m) => ({
            messageId: m.messageId,
            error: new DeliveryError('Segment answered 503', 503, 3),
          })),
        });
      case 'invalid':
        return Promise.resolve({
          delivered: messages.length - 1,
          failed: 1,
          errors: [
            {
              messageId: messages[0]!.messageId,
              error: new InvalidMessageError(messages[0]!.messageId, 'test'),
            },
          ],
        });
    }
  }
  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {
    this.release();
  }
}

let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

async function start(sink: Sink, options: CollectorOptions = {}): Promise<Collector> {
  collector = await startCollector({ http: { port: 0 }, grpc: { port: 0 }, sink, env: {}, ...options });
  return collector;
}

const PROTO = { 'content-type': 'application/x-protobuf' };

describe('acknowledgement and back-pressure over HTTP', () => {
  it('answers 200 only once the sink delivered (ack delivered)', async () => {
    const sink = new ScriptedSink();
    sink.mode = 'hold';
    const c = await start(sink);
    let answered = false;
    const request = post(c.tracesUrl!, toProtobuf(agentTraces(2)), PROTO).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    expect(c.stats().queueDepth).toBeGreaterThan(0);
    sink.release();
    expect((await request).status).toBe(200);
    expect(c.stats().queueDepth).toBe(0);
  });

  it('answers at once with --ack received', async () => {
    const sink = new ScriptedSink();
    sink.mode = 'hold';
    const c = await start(sink, { ack: 'received' });
    expect((await post(c.tracesUrl!, toProtobuf(agentTraces(2)), PROTO)).status).toBe(200);
    expect(sink.sent.length).toBeGreaterThan(0);
    sink.release();
  });

  it('429 with Retry-After when the queue is full; readyz says so', async () => {
    const sink = new ScriptedSink();
    sink.mode = 'hold';
    const c = await start(sink, { maxQueuedMessages: 5 });
    const first = post(c.tracesUrl!, toProtobuf(agentTraces(3)), PROTO);
    await new Promise((r) => setTimeout(r, 100));
    const second = await post(c.tracesUrl!, toProtobuf(agentTraces(1)), PROTO);
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('1');
    expect((await fetch(`${c.httpUrl}/readyz`)).status).toBe(503);
    sink.mode = 'deliver';
    sink.release();
    expect((await first).status).toBe(200);
    expect((await post(c.tracesUrl!, toProtobuf(agentTraces(1)), PROTO)).status).toBe(200);
  });

  it('503 with a short Retry-After while the sink fails, 200 once it recovers', async () => {
    const sink = new ScriptedSink();
    sink.mode = 'fail';
    const c = await start(sink);
    const body = toProtobuf(agentTraces(2));
    const failed = await post(c.tracesUrl!, body, PROTO);
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('2');
    expect(await (await fetch(`${c.httpUrl}/readyz`)).text()).toMatch(/sink failing/);
    sink.mode = 'deliver';
    expect((await post(c.tracesUrl!, body, PROTO)).status).toBe(200);
    expect((await fetch(`${c.httpUrl}/readyz`)).status).toBe(200);
  });

  it('503 when the sink does not confirm within the delivery timeout', async () => {
    const sink = new ScriptedSink();
    sink.mode = 'hold';
    const c = await start(sink, { deliveryTimeoutMs: 200 });
    const res = await post(c.tracesUrl!, toProtobuf(agentTraces(1)), PROTO);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    sink.release();
  });

  it('reports untranslatable and undeliverable spans in partial_success', async () => {
    const sink = new ScriptedSink();
    sink.mode = 'invalid';
    const c = await start(sink);
    // One span with a 3-byte trace id, next to real traces.
    const span = Buffer.from([0x0a, 3, 1, 2, 3, 0x12, 8, 1, 2, 3, 4, 5, 6, 7, 8, 0x2a, 1, 0x78]);
    const scopeSpans = Buffer.concat([Buffer.from([0x12, span.length]), span]);
    const resourceSpans = Buffer.concat([Buffer.from([0x12, scopeSpans.length]), scopeSpans]);
    const bad = Buffer.concat([Buffer.from([0x0a, resourceSpans.length]), resourceSpans]);
    const res = await post(c.tracesUrl!, Buffer.concat([toProtobuf(agentTraces(2)), bad]), PROTO);
    expect(res.status).toBe(200);
    const response = ProtobufTraceSerializer.deserializeResponse(res.body);
    expect(response.partialSuccess?.rejectedSpans).toBe(2);
    expect(response.partialSuccess?.errorMessage).toMatch(/2 of 9 spans/);
    expect(c.stats().spansRejected).toBe(2);
  });
});

describe('OTLP/gRPC errors', () => {
  const Client = makeGenericClientConstructor(
    {
      Export: {
        path: TRACE_SERVICE_EXPORT_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: (b: Buffer) => b,
        requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Buffer) => b,
        responseDeserialize: (b: Buffer) => b,
      },
    },
    'TraceService',
  );
  function call(
    url: string,
    body: Buffer,
    metadata = new Metadata(),
  ): Promise<{ error?: ServiceError; response?: Buffer }> {
    const client = new Client(url.replace('http://', ''), credentials.createInsecure()) as unknown as {
      Export(b: Buffer, m: Metadata, cb: (e: ServiceError | null, r?: Buffer) => void): void;
      close(): void;
    };
    return new Promise((resolve) =>
      client.Export(body, metadata, (error, response) => {
        client.close();
        resolve(error ? { error } : { response: response! });
      }),
    );
  }

  it('INVALID_ARGUMENT for undecodable bytes, UNAUTHENTICATED without the token, OK with it', async () => {
    const c = await start(new ScriptedSink(), { bearerToken: 'tok' });
    const withToken = new Metadata();
    withToken.set('authorization', 'Bearer tok');
    expect((await call(c.grpcUrl!, Buffer.from([0xff, 0xff, 0xff]), withToken)).error?.code).toBe(3);
    expect((await call(c.grpcUrl!, toProtobuf(agentTraces(1)))).error?.code).toBe(16);
    const ok = await call(c.grpcUrl!, toProtobuf(agentTraces(1)), withToken);
    expect(ok.error).toBeUndefined();
    expect(ok.response).toHaveLength(0);
  });

  it('UNAVAILABLE with RetryInfo while the sink fails', async () => {
    const sink = new ScriptedSink();
    sink.mode = 'fail';
    const c = await start(sink);
    const { error } = await call(c.grpcUrl!, toProtobuf(agentTraces(1)));
    expect(error?.code).toBe(14);
    const details = error?.metadata.get('grpc-status-details-bin')[0] as Buffer;
    expect(details.toString('latin1')).toContain('type.googleapis.com/google.rpc.RetryInfo');
  });
});
