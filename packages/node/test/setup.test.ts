import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { AgentTracker } from '@spantrack/instrumentation';
import { MemorySink, SpantrackConfigError } from '@spantrack/processor';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { attachSpanProcessors, createSpanProcessors, getSetup, setup } from '../src/index';
import { resetSetupForTests } from '../src/setup';
import { isolateEnv, type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver';

let restoreEnv: () => void;
let warnSpy: MockInstance<typeof console.warn>;
let receiver: OtlpReceiver;

beforeEach(async () => {
  restoreEnv = isolateEnv();
  process.env.SPANTRACK_AUTO_INSTRUMENT = 'false';
  warnSpy = vi.spyOn(console, 'warn').mockImplementation(() => {});
  receiver = await startOtlpReceiver();
});

afterEach(async () => {
  await resetSetupForTests();
  trace.disable();
  context.disable();
  warnSpy.mockRestore();
  restoreEnv();
  await receiver.close();
});

const spantrackWarnings = (): string[] =>
  warnSpy.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith('[spantrack]'));

function endSpans(...names: string[]): void {
  const tracer = trace.getTracer('test');
  for (const name of names) tracer.startSpan(name).end();
}

async function classify(tracker = new AgentTracker({ channel: 'test' })): Promise<void> {
  await tracker.withContext({ userId: 'u-1' }, () =>
    tracker.classify({ model: 'gpt-4o-mini' }, () => ({ intent: 'greeting', confidence: 0.9 })),
  );
}

describe('setup', () => {
  it('makes privacy.captureContent the default of AgentTrackers built without the option', async () => {
    expect(new AgentTracker().captureContent).toBe(false);
    setup({ sink: new MemorySink(), tracesExporter: 'none', privacy: { captureContent: true } });
    expect(new AgentTracker().captureContent).toBe(true);
    expect(new AgentTracker({ captureContent: false }).captureContent).toBe(false);
    await resetSetupForTests();
    expect(new AgentTracker().captureContent).toBe(false);
  });

  it('registers a global provider that exports traces and delivers analytics', async () => {
    const sink = new MemorySink();
    const handle = setup({ otlp: { endpoint: `${receiver.url}/v1/traces`, protocol: 'http/json' }, sink });
    expect(handle.state).toBe('registered');
    await classify();
    await handle.flush();
    expect(receiver.spanNames()).toEqual(['classify default']);
    expect(sink.messages.map((m) => (m.type === 'track' ? m.event : m.type))).toContain('ai.classification');
    const stats = handle.stats();
    expect(stats.spansEnded).toBe(1);
    expect(stats.traces).toMatchObject({ exportsSucceeded: 1, exportsFailed: 0, spansExported: 1 });
    expect(stats.analytics?.messagesDelivered).toBeGreaterThan(0);
    expect(spantrackWarnings()).toEqual([]);
  });

  it('twice: the second call returns the same handle and registers nothing twice', async () => {
    const sink = new MemorySink();
    const options = { otlp: { endpoint: `${receiver.url}/v1/traces`, protocol: 'http/json' as const }, sink };
    const first = setup(options);
    const second = setup(options);
    expect(second).toBe(first);
    expect(getSetup()).toBe(first);
    expect(spantrackWarnings()).toEqual([]);
    endSpans('once');
    await first.flush();
    // One processor chain: the span is exported and counted once.
    expect(receiver.spanNames()).toEqual(['once']);
    expect(first.stats().spansEnded).toBe(1);
  });

  it('twice with different options: same handle, one warning that the new options are ignored', () => {
    const first = setup({ sink: 'none', tracesExporter: 'none' });
    const second = setup({ sink: 'console', tracesExporter: 'none' });
    expect(second).toBe(first);
    expect(spantrackWarnings()).toEqual([expect.stringContaining('options of this call are ignored')]);
  });

  it('after shutdown, setup starts afresh', async () => {
    const first = setup({ sink: 'none', tracesExporter: 'none' });
    await first.shutdown();
    await first.shutdown(); // idempotent
    await resetSetupForTests();
    const second = setup({ sink: 'none', tracesExporter: 'none' });
    expect(second).not.toBe(first);
    expect(second.state).toBe('registered');
  });

  it('OTEL_SDK_DISABLED=true: a handle that does nothing, no global registered', async () => {
    process.env.OTEL_SDK_DISABLED = 'true';
    const handle = setup();
    expect(handle.state).toBe('disabled');
    endSpans('ignored');
    await handle.flush();
    expect(handle.stats()).toEqual({ spansEnded: 0, traces: undefined, analytics: undefined });
    expect(receiver.requests).toEqual([]);
  });
});

describe('setup when another tracer provider is already global', () => {
  it('attaches its processors to an SDK 2.x provider: both pipelines see every span', async () => {
    const vendorExporter = new InMemorySpanExporter();
    const vendorProcessors = [new SimpleSpanProcessor(vendorExporter)];
    const vendor = new NodeTracerProvider({ spanProcessors: vendorProcessors });
    vendor.register();
    const sink = new MemorySink();

    const handle = setup({ sink });
    expect(handle.state).toBe('attached');
    expect(handle.tracerProvider).toBe(vendor);
    // No endpoint was asked for: the vendor's provider exports the traces, spantrack adds analytics.
    expect(handle.stats().traces).toBeUndefined();

    await classify();
    await handle.flush();
    const [vendorSpan] = vendorExporter.getFinishedSpans();
    expect(vendorSpan?.name).toBe('classify default');
    // The context processor runs first, so the vendor's spans carry the scope attributes too.
    expect(vendorSpan?.attributes['user.id']).toBe('u-1');
    expect(sink.messages.some((m) => m.type === 'track' && m.event === 'ai.classification')).toBe(true);
    // The application's array is not mutated.
    expect(vendorProcessors).toHaveLength(1);
    expect(spantrackWarnings()).toEqual([]);

    // Shutdown detaches spantrack and leaves the vendor's provider working.
    await handle.shutdown();
    await classify();
    expect(vendorExporter.getFinishedSpans()).toHaveLength(2);
    await vendor.shutdown();
  });

  it('adds its OTLP exporter to the attached provider only when an endpoint is configured', async () => {
    const vendor = new NodeTracerProvider();
    vendor.register();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    const handle = setup({ sink: 'none' });
    expect(handle.state).toBe('attached');
    endSpans('via-vendor');
    await handle.flush();
    expect(receiver.spanNames()).toEqual(['via-vendor']);
    expect(receiver.requests[0]?.path).toBe('/v1/traces');
  });

  it('cannot attach to an unknown provider: says so loudly, with the remedy', () => {
    class VendorTracerProvider {
      getTracer() {
        return trace.getTracerProvider().getTracer('noop');
      }
    }
    trace.setGlobalTracerProvider(new VendorTracerProvider());
    const handle = setup({ sink: new MemorySink() });
    expect(handle.state).toBe('detached');
    const warnings = spantrackWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('VendorTracerProvider');
    expect(warnings[0]).toContain('spantrack receives NO spans');
    expect(warnings[0]).toContain('createSpanProcessors().spanProcessors');
  });

  it('createSpanProcessors: the remedy, for applications that build their own provider', async () => {
    const sink = new MemorySink();
    const { spanProcessors, stats } = createSpanProcessors({ sink, tracesExporter: 'none' });
    const provider = new NodeTracerProvider({ spanProcessors });
    await classify(new AgentTracker({ tracerProvider: provider }));
    await provider.forceFlush();
    expect(sink.messages.some((m) => m.type === 'track' && m.event === 'ai.classification')).toBe(true);
    expect(stats().spansEnded).toBe(1);
    await provider.shutdown();
  });
});

describe('setup: configuration problems', () => {
  it('missing write key: traces still flow, analytics disabled with one warning', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    const handle = setup();
    expect(handle.state).toBe('registered');
    await classify();
    await classify();
    await handle.flush();
    expect(receiver.spanNames()).toEqual(['classify default', 'classify default']);
    expect(handle.stats().analytics).toBeUndefined();
    const warnings = spantrackWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('no Segment write key: analytics are disabled (traces still flow)');
  });

  it('bad endpoint URL: a clear error at setup naming the env var, nothing registered', () => {
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = 'localhost:4318/v1/traces';
    expect(() => setup({ sink: 'none' })).toThrow(SpantrackConfigError);
    expect(() => setup({ sink: 'none' })).toThrow(
      /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "localhost:4318\/v1\/traces" is not an http\(s\) URL; set a full URL such as http:\/\/localhost:4318\/v1\/traces$/,
    );
    expect(getSetup()).toBeUndefined();
    expect(() => setup({ sink: 'none', otlp: { endpoint: '::nope' } })).toThrow(/^otlp\.endpoint: /);
  });

  it('unreachable OTLP endpoint: the application keeps running, failures are counted and warned once', async () => {
    const closed = await startOtlpReceiver();
    await closed.close(); // a port that refuses connections
    const sink = new MemorySink();
    const handle = setup({ otlp: { endpoint: `${closed.url}/v1/traces`, timeoutMillis: 300 }, sink });
    await classify();
    await handle.flush();
    endSpans('second');
    await handle.flush();
    const stats = handle.stats();
    expect(stats.traces?.exportsFailed).toBe(2);
    expect(stats.traces?.spansFailed).toBe(2);
    expect(stats.traces?.exportsSucceeded).toBe(0);
    expect(stats.traces?.lastError).toBeTruthy();
    // Analytics are unaffected by the trace endpoint.
    expect(sink.messages.some((m) => m.type === 'track' && m.event === 'ai.classification')).toBe(true);
    const warnings = spantrackWarnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`OTLP trace export to ${closed.url}/v1/traces failed`);
    expect(warnings[0]).toContain('keeps running');
  });

  it('immediate mode exports each span as it ends', async () => {
    const handle = setup({
      mode: 'immediate',
      otlp: { endpoint: `${receiver.url}/v1/traces`, protocol: 'http/json' },
      sink: new MemorySink(),
    });
    endSpans('a');
    endSpans('b');
    await handle.flush();
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.spanNames()).toEqual(['a', 'b']);
  });
});

describe('attachSpanProcessors', () => {
  it('uses addSpanProcessor on SDK 1.x providers', () => {
    const added: unknown[] = [];
    const legacy = { getTracer: () => trace.getTracer('x'), addSpanProcessor: (p: unknown) => added.push(p) };
    const first = new SimpleSpanProcessor(new InMemorySpanExporter());
    const last = new SimpleSpanProcessor(new InMemorySpanExporter());
    expect(attachSpanProcessors(legacy, [first], [last])?.method).toBe('addSpanProcessor');
    expect(added).toEqual([first, last]);
  });

  it('leaves unknown providers alone', () => {
    const odd = { getTracer: () => trace.getTracer('x'), _activeSpanProcessor: { _spanProcessors: 'no' } };
    expect(attachSpanProcessors(odd, [], [])).toBeUndefined();
    expect(odd._activeSpanProcessor._spanProcessors).toBe('no');
  });
});
