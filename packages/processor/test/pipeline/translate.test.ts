import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import {
  type Catalog,
  createTranslator,
  DiagnosticCounter,
  fromReadableSpan,
  SpantrackConfigError,
  type TrackMessage,
  type TranslatorOptions,
  translate,
} from '../../src/index';
import { span, TRACE_ID, WALKTHROUGH_PRICES, walkthroughClassificationSpan } from './span-fixture';

describe('translate', () => {
  it('runs all three catalogs by default', () => {
    expect(createTranslator().catalogs).toEqual(['ai-agent', 'segment-copilot', 'customer-signals']);
    const { messages } = translate(
      span({
        attributes: {
          'spantrack.interaction.kind': 'track',
          'gen_ai.conversation.id': 'c1',
          'user.id': 'u1',
        },
      }),
    );
    expect(messages.map((m) => (m as TrackMessage).event)).toEqual([
      'ai.generation',
      'Message Sent',
      'Message Received',
    ]);
  });

  it('malformed span: the well-formed events only, plus counted diagnostics; never throws', () => {
    const s = walkthroughClassificationSpan();
    const bad = {
      ...s,
      traceId: '',
      spanId: '',
      attributes: {
        ...s.attributes,
        'spantrack.intent.confidence': 'high',
        'spantrack.property.blob': 'z'.repeat(200_000),
      },
    };
    const r = translate(bad, { privacy: { captureContent: true } });
    expect(r.recognised).toBe(true);
    expect(r.messages).toHaveLength(1);
    const m = r.messages[0] as TrackMessage;
    expect(m.properties).not.toHaveProperty('confidence');
    expect(m.properties.detected_intent).toBe('nil_filing');
    expect(m.messageId).toMatch(/^h-[A-Za-z0-9_-]{43}$/);
    expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThan(32 * 1024);
    const counter = new DiagnosticCounter();
    counter.record(r);
    expect(counter.byCode.invalid_attribute).toBe(1);
    expect(counter.byCode.truncated).toBeGreaterThanOrEqual(1);
    expect(counter.total).toBe(r.diagnostics.length);

    // Garbage in, still no throw.
    const garbage = { traceId: 1, attributes: null, events: null, status: {} } as unknown as Parameters<
      typeof translate
    >[0];
    expect(() => translate(garbage)).not.toThrow();
    expect(translate(garbage).messages).toEqual([]);
  });

  it('shares one empty diagnostics array when a span has no problems', () => {
    // The walkthrough's local model, priced by the user: nothing to report.
    const t = createTranslator({ prices: { 'llama3.2:3b': { input: 0, output: 0 } } });
    expect(t(walkthroughClassificationSpan()).diagnostics).toBe(
      t(walkthroughClassificationSpan()).diagnostics,
    );
    expect(t(walkthroughClassificationSpan()).diagnostics).toEqual([]);
  });

  it('falls back to the conversation id, then the trace id, as anonymousId', () => {
    const base = { 'spantrack.interaction.kind': 'error', 'error.type': 'timeout' };
    const t = createTranslator({ catalogs: ['ai-agent'] });
    const inConversation = t(span({ attributes: { ...base, 'gen_ai.conversation.id': 'c7' } })).messages[0]!;
    expect(inConversation.userId).toBeUndefined();
    expect(inConversation.anonymousId).toBe('c7');
    expect(t(span({ attributes: base })).messages[0]!.anonymousId).toBe(TRACE_ID);
    const anon = t(
      span({ attributes: { ...base, 'spantrack.anonymous.id': 'a1', 'gen_ai.conversation.id': 'c7' } }),
    ).messages[0]!;
    expect(anon.anonymousId).toBe('a1');
  });

  it('runs user-defined catalogs through the same context and privacy', () => {
    const intents: Catalog = {
      name: 'intents',
      map(it, ctx) {
        if (it.kind !== 'classification' || it.intent === undefined) return [];
        return [
          ctx.track(it, 'Intent Detected', {
            intent: it.intent,
            text: ctx.captureContent ? (it.inputText ?? null) : null,
          }),
        ];
      },
    };
    const t = createTranslator({
      catalogs: ['ai-agent', intents],
      privacy: { pseudonymizeUserIds: { secret: 's' } },
    });
    const { messages } = t(walkthroughClassificationSpan());
    expect(messages.map((m) => (m as TrackMessage).event)).toEqual(['ai.classification', 'Intent Detected']);
    const custom = messages[1] as TrackMessage;
    expect(custom.properties).toEqual({ intent: 'nil_filing', text: null });
    expect(custom.userId).toBe(messages[0]!.userId);
    expect(custom.userId).not.toBe('+254712345678');
  });

  it('a throwing user catalog yields a diagnostic; the other catalogs still run', () => {
    const broken: Catalog = {
      name: 'broken',
      map() {
        throw new Error('kaboom');
      },
    };
    const sloppy: Catalog = {
      name: 'sloppy',
      map: (it) => [
        { type: 'track', event: 'x' } as unknown as TrackMessage,
        { ...({} as TrackMessage), userId: it.userId },
      ],
    };
    const t = createTranslator({ catalogs: [broken, 'ai-agent', sloppy], prices: WALKTHROUGH_PRICES });
    const r = t(walkthroughClassificationSpan());
    expect(r.messages.map((m) => (m as TrackMessage).event)).toEqual(['ai.classification']);
    expect(r.diagnostics.map((d) => [d.code, d.catalog])).toEqual([
      ['catalog_error', 'broken'],
      ['catalog_error', 'sloppy'],
      ['catalog_error', 'sloppy'],
    ]);
    expect(r.diagnostics[0]!.message).toContain('kaboom');
  });

  it('checks each user-catalog message alone: bad ids, timestamps, non-JSON values are dropped with catalog_error', () => {
    const base = () => ({
      type: 'track',
      event: 'E',
      properties: {} as Record<string, unknown>,
      messageId: 'ok-1',
      timestamp: '2024-01-01T00:00:00.000Z',
      userId: 'u',
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = {};
    const deepRoot = deep;
    for (let i = 0; i < 40; i++) deep = deep.next = {} as Record<string, unknown>;
    const bad: [string, Record<string, unknown>][] = [
      ['messageId', { ...base(), messageId: 'has spaces / slashes' }],
      ['messageId', { ...base(), messageId: 'x'.repeat(65) }],
      ['timestamp', { ...base(), timestamp: 'yesterday' }],
      ['timestamp', { ...base(), timestamp: '2024-13-45T00:00:00Z' }],
      ['userId', { ...base(), userId: '' }],
      ['anonymousId', { ...base(), anonymousId: 42 }],
      ['userId or an anonymousId', { ...base(), userId: undefined }],
      ['properties.n is a bigint', { ...base(), properties: { n: 10n } }],
      ['properties.n is NaN', { ...base(), properties: { n: Number.NaN } }],
      ['Infinity', { ...base(), properties: { n: [1, Number.POSITIVE_INFINITY] } }],
      ['function', { ...base(), properties: { f: () => 1 } }],
      ['symbol', { ...base(), properties: { s: Symbol('s') } }],
      ['[1] is undefined', { ...base(), properties: { a: [1, undefined] } }],
      ['Date', { ...base(), properties: { d: new Date(0) } }],
      ['cyclic', { ...base(), properties: { c: cyclic } }],
      ['cyclic', { ...base(), properties: { d: deepRoot } }],
      ['context', { ...base(), context: 'web' }],
      ['traits', { ...base(), type: 'identify', traits: null }],
      ['integrations.n is a bigint', { ...base(), integrations: { n: 1n } }],
    ];
    const good = {
      ...base(),
      messageId: 'ok-2',
      timestamp: '2024-01-01T03:00:00+03:00',
      properties: { u: undefined, x: [1, 'a', null, { y: true }] },
    };
    const sloppy: Catalog = {
      name: 'sloppy',
      map: () => [...bad.map(([, m]) => m), good] as unknown as TrackMessage[],
    };
    const r = createTranslator({ catalogs: [sloppy, 'ai-agent'] })(walkthroughClassificationSpan());
    expect(r.messages.map((m) => m.messageId)).toEqual(['ok-2', r.messages[1]!.messageId]);
    expect((r.messages[1] as TrackMessage).event).toBe('ai.classification');
    // The good message is a plain copy: the undefined member is left out, as JSON would.
    expect(r.messages[0]).not.toBe(good);
    expect((r.messages[0] as TrackMessage).properties).toEqual({ x: [1, 'a', null, { y: true }] });
    const errors = r.diagnostics.filter((d) => d.code === 'catalog_error');
    expect(errors).toHaveLength(bad.length);
    for (const [i, [why]] of bad.entries()) expect(errors[i]!.message).toContain(why);
  });

  it("a user-catalog message that throws when read is dropped alone; the catalog's other messages are sent", () => {
    const tricky: Catalog = {
      name: 'tricky',
      map(it, ctx) {
        const m = ctx.track(it, 'Getter', {});
        Object.defineProperty(m, 'timestamp', {
          enumerable: true,
          get() {
            throw new Error('boom');
          },
        });
        return [m, ctx.track(it, 'Fine', {})];
      },
    };
    const r = createTranslator({ catalogs: ['ai-agent', tricky] })(walkthroughClassificationSpan());
    expect(r.messages.map((m) => (m as TrackMessage).event)).toEqual(['ai.classification', 'Fine']);
    const problems = r.diagnostics.filter((d) => d.code !== 'unpriced_model');
    expect(problems.map((d) => [d.code, d.catalog])).toEqual([['catalog_error', 'tricky']]);
    expect(problems[0]!.message).toContain('boom');
  });

  it('two catalogs making an event of the same name from one span get distinct messageIds, the same on every run', () => {
    const twin = (name: string): Catalog => ({
      name,
      map: (it, ctx) => [ctx.track(it, 'ai.classification', { from: name })],
    });
    const s = walkthroughClassificationSpan();
    const options = { catalogs: ['ai-agent', twin('a'), twin('b')] } as TranslatorOptions;
    const first = createTranslator(options)(s).messages.map((m) => m.messageId);
    expect(first).toHaveLength(3);
    expect(new Set(first).size).toBe(3);
    expect(createTranslator(options)(s).messages.map((m) => m.messageId)).toEqual(first);
    // The ordinal counts the events of that name made from the span: 0, 1, 2.
    expect(first.map((id) => id.slice(-2))).toEqual(['-0', '-1', '-2']);
    // A user catalog's fixed id that is already taken is renumbered too.
    const fixed: Catalog = {
      name: 'fixed',
      map: (it) =>
        [0, 1].map(() => ({
          type: 'track' as const,
          event: 'Fixed',
          properties: {},
          messageId: 'same',
          timestamp: it.timestamp,
          userId: 'u',
        })),
    };
    const ids = createTranslator({ catalogs: [fixed] })(s).messages.map((m) => m.messageId);
    expect(ids[0]).toBe('same');
    expect(ids[1]).not.toBe('same');
  });

  it('a span whose times are unusable is recognised, reported once (invalid_span), and yields nothing', () => {
    const r = translate(
      span({
        startTimeUnixNano: 0n,
        endTimeUnixNano: 0n,
        attributes: { 'spantrack.interaction.kind': 'track', 'gen_ai.operation.name': 'invoke_agent' },
      }),
    );
    expect(r).toMatchObject({ messages: [], recognised: true });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['invalid_span']);
    const counter = new DiagnosticCounter();
    counter.record(r);
    expect(counter.unrecognised).toBe(0);
  });

  it.each<[TranslatorOptions, string]>([
    [{ catalogs: ['ai-agent', 'nope' as 'ai-agent'] }, 'catalogs[1]'],
    [{ catalogs: 'ai-agent' as unknown as [] }, 'catalogs'],
    [{ catalogs: [{ name: 'x' } as unknown as Catalog] }, 'catalogs[0]'],
    [{ catalogs: ['ai-agent', 'ai-agent'] }, 'catalogs[1]'],
    [{ privacy: { captureContent: 'yes' as unknown as boolean } }, 'privacy.captureContent'],
    [{ privacy: { pseudonymizeUserIds: { secret: '' } } }, 'privacy.pseudonymizeUserIds.secret'],
    [{ privacy: { redact: 'x' as unknown as () => string } }, 'privacy.redact'],
    [{ privacy: { maxEventBytes: 10 } }, 'privacy.maxEventBytes'],
  ])('rejects bad options up front with a SpantrackConfigError naming the option (%#)', (options, option) => {
    let error: unknown;
    try {
      createTranslator(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpantrackConfigError);
    expect((error as SpantrackConfigError).option).toBe(option);
  });
});

describe('fromReadableSpan', () => {
  it('converts an SDK span (times, parent, status, events, resource, scope) and translates it', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('my-scope', '1.2.3');
    const parent = tracer.startSpan('parent', { startTime: [1_704_067_200, 0] });
    const { context, trace } = await import('@opentelemetry/api');
    const child = tracer.startSpan(
      'classify default',
      {
        startTime: [1_704_067_200, 5_000_000],
        attributes: {
          'spantrack.interaction.kind': 'classification',
          'user.id': '+254712345678',
          'spantrack.channel': 'whatsapp',
          'spantrack.intent.name': 'nil_filing',
          'spantrack.intent.confidence': 0.99,
        },
      },
      trace.setSpan(context.active(), parent),
    );
    child.recordException(new TypeError('bad json'));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'could not parse' });
    child.end([1_704_067_200, 455_000_000]);
    parent.end([1_704_067_201, 0]);
    const [readable] = exporter.getFinishedSpans();
    const s = fromReadableSpan(readable!);
    expect(s).toMatchObject({
      traceId: parent.spanContext().traceId,
      spanId: child.spanContext().spanId,
      parentSpanId: parent.spanContext().spanId,
      name: 'classify default',
      kind: 0,
      startTimeUnixNano: 1_704_067_200_005_000_000n,
      endTimeUnixNano: 1_704_067_200_455_000_000n,
      status: { code: 2, message: 'could not parse' },
      scope: { name: 'my-scope', version: '1.2.3' },
    });
    expect(s.events[0]).toMatchObject({
      name: 'exception',
      attributes: { 'exception.type': 'TypeError', 'exception.message': 'bad json' },
    });
    expect(s.resource['service.name']).toBeDefined();
    const { messages } = translate(s, { catalogs: ['ai-agent'] });
    expect(messages).toMatchObject([
      { event: 'ai.error', userId: '+254712345678', properties: { error_type: 'TypeError' } },
    ]);
    await provider.shutdown();
  });
});
