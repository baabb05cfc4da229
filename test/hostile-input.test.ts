import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, type DiagLogger, DiagLogLevel, diag, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import * as conventions from '@spantrack/conventions';
import { AgentTracker, ContextAttributesSpanProcessor } from '@spantrack/instrumentation';
import {
  type AnalyticsMessage,
  AnalyticsSpanProcessor,
  type AnalyticsSpanProcessorOptions,
  type Catalog,
  createTranslator,
  type Diagnostic,
  JsonlFileSink,
  MemorySink,
  pseudonymizeUserId,
  type SpanLike,
  SpantrackConfigError,
  type TranslateResult,
} from '@spantrack/processor';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/*
 * Hostile input, against the built packages: wrong types everywhere, prototype-pollution keys,
 * absurd times and sizes, garbage from user code, the API called wrongly from plain JS, bursts
 * through a real SDK provider, and content / user ids that must never reach a Segment message.
 *
 * The review's fourteen `BUG: ...` tests now pass under names that state the correct behaviour.
 */

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const START = 1_700_000_000_000_000_000n;
const END = 1_700_000_000_500_000_000n;
const MESSAGE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const SEGMENT_MAX_BYTES = 32 * 1024;

const KIND = conventions.ATTR_SPANTRACK_INTERACTION_KIND;

function span(attributes: Record<string, unknown>, overrides: Partial<Record<keyof SpanLike, unknown>> = {}) {
  return {
    traceId: TRACE,
    spanId: SPAN,
    name: 'hostile',
    kind: 0,
    startTimeUnixNano: START,
    endTimeUnixNano: END,
    attributes,
    events: [],
    status: { code: 0 },
    resource: {},
    scope: { name: 'hostile-test' },
    ...overrides,
  } as unknown as SpanLike;
}

/** Every plain object / array inside a message has the ordinary prototype. */
function assertPlain(value: unknown, path: string): void {
  if (value === null || typeof value !== 'object') return;
  const proto = Object.getPrototypeOf(value);
  expect(proto === Object.prototype || proto === Array.prototype, `${path} has a plain prototype`).toBe(true);
  for (const [k, v] of Object.entries(value)) assertPlain(v, `${path}.${k}`);
}

/** Only what JSON carries unchanged: strings, finite numbers, booleans, null, arrays, objects. */
function assertJsonSafe(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    expect(Number.isFinite(value), `${path} is a finite number`).toBe(true);
    return;
  }
  expect(typeof value, `${path} is JSON`).toBe('object');
  for (const [k, v] of Object.entries(value as object)) {
    if (v !== undefined) assertJsonSafe(v, `${path}.${k}`);
  }
}

/** What every message handed to a Segment sink must be. */
function assertSegmentValid(messages: readonly AnalyticsMessage[]): void {
  for (const m of messages) {
    const json = JSON.stringify(m);
    assertJsonSafe(m, 'message');
    expect(JSON.stringify(JSON.parse(json)), 'JSON round-trips').toBe(json);
    expect(Buffer.byteLength(json), 'under 32 KB').toBeLessThan(SEGMENT_MAX_BYTES);
    expect(m.messageId).toMatch(MESSAGE_ID);
    expect(m.timestamp).toMatch(ISO);
    const hasId =
      (typeof m.userId === 'string' && m.userId.length > 0) ||
      (typeof m.anonymousId === 'string' && m.anonymousId.length > 0);
    expect(hasId, 'userId or anonymousId').toBe(true);
    expect(['track', 'identify']).toContain(m.type);
    if (m.type === 'track') expect(typeof m.event === 'string' && m.event.length > 0).toBe(true);
    assertPlain(m, 'message');
  }
}

function translateSafely(translate: (s: SpanLike) => TranslateResult, s: SpanLike): TranslateResult {
  let result: TranslateResult | undefined;
  expect(() => {
    result = translate(s);
  }).not.toThrow();
  assertSegmentValid(result!.messages);
  return result!;
}

const codes = (diagnostics: readonly Diagnostic[]) => diagnostics.map((d) => d.code);

function assertNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(probe['0']).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
}

// Hostile attribute values: every wrong type a JS producer (or a decoded OTLP payload) can send.
const LONE_SURROGATES = '\ud800x\udfff\u0000';
const HOSTILE_VALUES: unknown[] = [
  '',
  ' ',
  LONE_SURROGATES,
  'x'.repeat(1 << 20),
  0,
  -0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 53 + 2,
  1e308,
  true,
  false,
  [],
  ['a', 'b'],
  [1, Number.NaN, null, undefined],
  [true, false],
  null,
  undefined,
];

/** Every attribute key the conventions package defines. */
const ALL_KEYS: string[] = (Object.values(conventions) as unknown[]).filter(
  (v): v is string => typeof v === 'string' && /^(spantrack|gen_ai|user|error)\.[a-z_.]+$/.test(v),
);

let diagMessages: string[] = [];
const diagLogger: DiagLogger = {
  error: (m) => diagMessages.push(m),
  warn: (m) => diagMessages.push(m),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  diag.setLogger(diagLogger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
});
afterAll(() => {
  diag.disable();
  context.disable();
  assertNoPollution();
});
beforeEach(() => {
  diagMessages = [];
});

// ---------------------------------------------------------------------------------------------
describe('translator on hostile SpanLikes', () => {
  const translate = createTranslator();
  const capturing = createTranslator({ privacy: { captureContent: true } });

  it('every known key with every wrong-typed value, for every interaction kind: never throws, valid messages', () => {
    let spans = 0;
    for (const kind of conventions.INTERACTION_KINDS) {
      for (const value of HOSTILE_VALUES) {
        const attrs: Record<string, unknown> = { [KIND]: kind };
        for (const key of ALL_KEYS) if (key !== KIND) attrs[key] = value;
        for (const t of [translate, capturing]) {
          translateSafely(t, span(attrs));
          spans++;
        }
      }
    }
    expect(spans).toBeGreaterThan(100);
    assertNoPollution();
  });

  it('one wrong-typed key at a time on an otherwise good span: the event is still sent, the value is explained', () => {
    const good = {
      [KIND]: 'classification',
      'spantrack.intent.name': 'file_returns',
      'user.id': 'u-1',
      'gen_ai.conversation.id': 'c-1',
    };
    const wrong: Record<string, unknown[]> = {
      'spantrack.intent.confidence': [Number.NaN, -1, ['x'], true, 7, '0.5'],
      'gen_ai.usage.input_tokens': [Number.NaN, -1, 1.5, ['x'], true, '7', Number.POSITIVE_INFINITY],
      'gen_ai.request.model': [['x'], true, Number.NaN],
    };
    for (const [key, values] of Object.entries(wrong)) {
      for (const value of values) {
        const r = translateSafely(translate, span({ ...good, [key]: value }));
        expect(r.messages.map((m) => (m.type === 'track' ? m.event : m.type))).toEqual(['ai.classification']);
        expect(codes(r.diagnostics)).toContain('invalid_attribute');
        expect(r.diagnostics.find((d) => d.code === 'invalid_attribute')?.attribute).toBe(key);
      }
    }
  });

  it('prototype-pollution keys do not pollute Object.prototype and messages stay plain JSON', () => {
    // As a decoded OTLP/JSON payload or JSON.parse would produce it: `__proto__` as an own key.
    const attrs: Record<string, unknown> = JSON.parse(`{
      "${KIND}": "generation",
      "user.id": "u-1",
      "__proto__": { "polluted": "yes" },
      "constructor": { "prototype": { "polluted": "yes" } },
      "spantrack.property.__proto__": "polluted",
      "spantrack.property.__proto__.polluted": "yes",
      "spantrack.property.constructor.prototype.polluted": "yes",
      "spantrack.user.trait.__proto__": "polluted",
      "spantrack.user.trait.constructor": "x"
    }`);
    expect(Object.hasOwn(attrs, '__proto__')).toBe(true);
    for (const kind of ['generation', 'identify', 'track', 'signal']) {
      const r = translateSafely(translate, span({ ...attrs, [KIND]: kind }));
      for (const m of r.messages) assertPlain(m, 'message');
    }
    assertNoPollution();
  });

  it('a user property or trait named __proto__ (array or string) is dropped with invalid_attribute; the properties keep their prototype', () => {
    for (const value of [['a', 'b'], 'polluted']) {
      for (const kind of ['generation', 'identify']) {
        const r = translateSafely(
          translate,
          span({
            [KIND]: kind,
            'user.id': 'u-1',
            'spantrack.property.__proto__': value,
            'spantrack.user.trait.__proto__': value,
            'spantrack.property.ok': 1,
            'spantrack.user.trait.ok': 1,
          }),
        );
        const m = r.messages[0]!;
        const bag = m.type === 'track' ? m.properties : m.traits;
        expect(Object.getPrototypeOf(bag)).toBe(Object.prototype);
        expect(Object.keys(bag)).not.toContain('0');
        expect(Object.hasOwn(bag, '__proto__')).toBe(false);
        expect(bag.ok).toBe(1);
        const dropped = r.diagnostics.filter((d) => d.code === 'invalid_attribute').map((d) => d.attribute);
        expect(dropped).toEqual(['spantrack.property.__proto__', 'spantrack.user.trait.__proto__']);
      }
    }
    assertNoPollution();
  });

  it('the bare prefix spantrack.property. names no property: dropped with invalid_attribute, never a property ""', () => {
    const r = translateSafely(
      translate,
      span({
        [KIND]: 'generation',
        'user.id': 'u-1',
        'spantrack.property.': 'x',
        'spantrack.user.trait.': 'y',
      }),
    );
    const m = r.messages[0]!;
    expect(m.type === 'track' && Object.hasOwn(m.properties, '')).toBe(false);
    expect(r.diagnostics.filter((d) => d.code === 'invalid_attribute').map((d) => d.attribute)).toEqual([
      'spantrack.property.',
      'spantrack.user.trait.',
    ]);
  });

  it('diagnostics never repeat attribute strings (they may be content or PII), short or long', () => {
    const r = translateSafely(
      translate,
      span({
        [KIND]: 'classification',
        'user.id': 'u-1',
        'spantrack.intent.confidence': 'SECRET-short',
        'gen_ai.usage.input_tokens': `SECRET-${'x'.repeat(100)}`,
        'spantrack.feedback.rating': ['SECRET-item'],
      }),
    );
    expect(codes(r.diagnostics)).toContain('invalid_attribute');
    expect(JSON.stringify(r.diagnostics)).not.toContain('SECRET');
  });

  it('user properties named like Object.prototype members (constructor, toString, valueOf) reach track events', () => {
    const r = translateSafely(
      translate,
      span({
        [KIND]: 'generation',
        'user.id': 'u-1',
        'spantrack.property.constructor': 'c',
        'spantrack.property.toString': 't',
        'spantrack.property.valueOf': 'v',
      }),
    );
    const m = r.messages[0]!;
    expect(m.type === 'track' ? m.properties : {}).toMatchObject({
      constructor: 'c',
      toString: 't',
      valueOf: 'v',
    });
  });

  it('numbers, huge numbers, -0 and empty strings as ids', () => {
    for (const id of [0, -0, 42, 2 ** 53 + 2, 1e21, -1e-7, '', 'x'.repeat(1025)]) {
      const r = translateSafely(
        translate,
        span({
          [KIND]: 'generation',
          'user.id': id,
          'gen_ai.conversation.id': id,
          'spantrack.anonymous.id': id,
        }),
      );
      expect(r.messages).toHaveLength(1); // ai.generation only (a generation is no turn)
    }
  });

  it('trace and span ids that are not hex, of the wrong length, empty, uppercase or non-strings: message ids stay valid', () => {
    const ids: [unknown, unknown][] = [
      ['', ''],
      ['not hex at all!', 'zz'],
      [TRACE.toUpperCase(), SPAN.toUpperCase()],
      ['a'.repeat(10_000), 'b'.repeat(10_000)],
      [`${TRACE}/../`, `${SPAN}\u0000`],
      [12345, 678],
      [undefined, undefined],
    ];
    const seen = new Set<string>();
    for (const [traceId, spanId] of ids) {
      const r = translateSafely(
        translate,
        span({ [KIND]: 'generation', 'user.id': 'u' }, { traceId, spanId }),
      );
      for (const m of r.messages) seen.add(m.messageId);
    }
    expect(seen.size).toBeGreaterThan(3);
  });

  it('lone surrogates, NUL and 1 MB strings: valid JSON under 32 KB, cut fields flagged', () => {
    const huge = 'é😀'.repeat(1 << 18);
    const r = translateSafely(
      capturing,
      span({
        [KIND]: 'classification',
        'user.id': LONE_SURROGATES,
        'spantrack.intent.name': huge,
        'spantrack.input.text': huge,
        'spantrack.property.note': `${LONE_SURROGATES}${huge}`,
        'spantrack.channel': '\u0000',
      }),
    );
    expect(r.messages).toHaveLength(1);
    const m = r.messages[0]!;
    expect(m.type === 'track' && m.properties.input_text_truncated).toBe(true);
    expect(codes(r.diagnostics)).toContain('truncated');
    // No half surrogate pair was produced by cutting.
    const text = m.type === 'track' ? String(m.properties.detected_intent) : '';
    expect((text as string & { isWellFormed(): boolean }).isWellFormed()).toBe(true);
  });

  it('10,000 user properties on one span: the event is sent under the cap, the dropped properties are named', () => {
    const attrs: Record<string, unknown> = { [KIND]: 'generation', 'user.id': 'u-1' };
    for (let i = 0; i < 10_000; i++) attrs[`spantrack.property.p${i}`] = `value-${i}-${'z'.repeat(20)}`;
    const r = translateSafely(translate, span(attrs));
    expect(r.messages).toHaveLength(1);
    expect(codes(r.diagnostics)).toContain('truncated');
  });

  it('times: end before start, zero, negative and far-future: never throws, ISO timestamps, invalid_span explained', () => {
    const year3000 = BigInt(Date.UTC(3000, 0, 1)) * 1_000_000n;
    const cases: [bigint, bigint][] = [
      [END, START],
      [0n, END],
      [-5n, END],
      [START, year3000],
      [year3000, year3000],
      [START, 2n ** 80n],
      [2n ** 80n, 2n ** 80n],
      [0n, 0n],
      [-(2n ** 63n), -1n],
    ];
    for (const [s, e] of cases) {
      const r = translateSafely(
        translate,
        span({ [KIND]: 'generation', 'user.id': 'u' }, { startTimeUnixNano: s, endTimeUnixNano: e }),
      );
      if (r.messages.length === 0) expect(codes(r.diagnostics)).toContain('invalid_span');
    }
    const r = translateSafely(
      translate,
      span(
        { [KIND]: 'generation', 'user.id': 'u' },
        { startTimeUnixNano: year3000, endTimeUnixNano: year3000 },
      ),
    );
    expect(r.messages[0]?.timestamp).toBe('3000-01-01T00:00:00.000Z');
    const backwards = translateSafely(
      translate,
      span({ [KIND]: 'generation', 'user.id': 'u' }, { startTimeUnixNano: END, endTimeUnixNano: START }),
    );
    const m = backwards.messages[0]!;
    expect(m.type === 'track' && 'latency_ms' in m.properties).toBe(false);
    expect(codes(backwards.diagnostics)).toContain('invalid_span');
  });

  it('non-bigint times from plain JS (numbers, strings, undefined): never throws', () => {
    for (const t of [1.7e18, '1700000000000000000', undefined, null, Number.NaN]) {
      translateSafely(
        translate,
        span({ [KIND]: 'generation' }, { startTimeUnixNano: t, endTimeUnixNano: t }),
      );
      translateSafely(translate, span({ [KIND]: 'generation' }, { endTimeUnixNano: t }));
    }
  });

  it('times past 9999-12-31T23:59:59.999Z are unusable (invalid_span): never a "+010000-..." timestamp', () => {
    const t = BigInt(Date.UTC(10_000, 0, 1)) * 1_000_000n;
    const last = BigInt(Date.UTC(9999, 11, 31, 23, 59, 59, 999)) * 1_000_000n;
    const both = translate(
      span({ [KIND]: 'generation', 'user.id': 'u' }, { startTimeUnixNano: t, endTimeUnixNano: t }),
    );
    expect(both.messages).toEqual([]);
    expect(both.recognised).toBe(true);
    expect(codes(both.diagnostics)).toEqual(['invalid_span']);
    const endOnly = translateSafely(
      translate,
      span({ [KIND]: 'generation', 'user.id': 'u' }, { endTimeUnixNano: t }),
    );
    expect(endOnly.messages.map((m) => m.timestamp)).toEqual(['2023-11-14T22:13:20.000Z']);
    const edge = translateSafely(
      translate,
      span({ [KIND]: 'generation', 'user.id': 'u' }, { startTimeUnixNano: last, endTimeUnixNano: last }),
    );
    expect(edge.messages.map((m) => m.timestamp)).toEqual(['9999-12-31T23:59:59.999Z']);
  });

  it('a span whose end time is unusable (0) is sent at its start time, without latency_ms', () => {
    const r = translateSafely(
      translate,
      span({ [KIND]: 'generation', 'user.id': 'u' }, { endTimeUnixNano: 0n }),
    );
    const m = r.messages[0]!;
    expect(m.timestamp).toBe('2023-11-14T22:13:20.000Z');
    expect(m.type === 'track' && 'latency_ms' in m.properties).toBe(false);
    expect(codes(r.diagnostics)).toEqual(['invalid_span']);
  });

  it('a spantrack span with unusable times is recognised, reported once as invalid_span, and yields nothing', () => {
    const r = translate(
      span(
        { [KIND]: 'track', 'gen_ai.operation.name': 'invoke_agent', 'user.id': 'u' },
        { startTimeUnixNano: 0n, endTimeUnixNano: 0n },
      ),
    );
    expect(r.messages).toEqual([]);
    expect(r.recognised).toBe(true);
    expect(codes(r.diagnostics)).toEqual(['invalid_span']);
  });

  it('status codes out of range, garbage status and events: never throws', () => {
    const statuses = [
      { code: 7 },
      { code: -1 },
      { code: 2, message: 42 },
      { code: '2' },
      {},
      null,
      undefined,
    ];
    const eventLists = [
      [
        {
          name: 'exception',
          timeUnixNano: 0n,
          attributes: { 'exception.type': ['x'], 'exception.message': 5 },
        },
      ],
      [{ name: 'exception', timeUnixNano: -1n, attributes: {} }],
      [{ name: 'exception', timeUnixNano: 'never', attributes: null }],
      [{ name: 42, attributes: undefined }],
      [null],
      'not an array',
      null,
    ];
    for (const status of statuses) {
      for (const events of eventLists) {
        translateSafely(
          translate,
          span(
            { [KIND]: 'classification', 'spantrack.intent.name': 'x', 'user.id': 'u' },
            { status, events },
          ),
        );
      }
    }
  });

  it('an exception event with no type nor message still marks the span failed (ai.error with _OTHER)', () => {
    const r = translateSafely(
      translate,
      span(
        { [KIND]: 'generation', 'user.id': 'u' },
        { events: [{ name: 'exception', timeUnixNano: END, attributes: {} }] },
      ),
    );
    const m = r.messages[0]!;
    expect(m.type === 'track' && [m.event, m.properties.error_type]).toEqual(['ai.error', '_OTHER']);
  });

  it('unknown, non-string and prototype-named spantrack.interaction.kind: unknown_kind, nothing sent', () => {
    for (const kind of ['nope', '', 'constructor', '__proto__', 'toString', 42, ['generation'], true]) {
      const r = translateSafely(translate, span({ [KIND]: kind, 'user.id': 'u' }));
      expect(r.messages).toEqual([]);
      expect(codes(r.diagnostics)).toContain('unknown_kind');
    }
  });

  it('attributes or span that are not objects at all: never throws', () => {
    for (const bad of [null, undefined, 'str', 42, []] as unknown[]) {
      translateSafely(translate, span({}, { attributes: bad }));
      translateSafely(translate, bad as SpanLike);
    }
  });

  it('a redact hook that throws or returns non-strings: value dropped (redact_error), message dropped for ids', () => {
    const outs: unknown[] = [undefined, null, 42, { toString: () => 'x' }, Symbol('s')];
    for (const out of outs) {
      const t = createTranslator({
        privacy: {
          redact: (v, path) => {
            if (path === 'properties.note') return out as string;
            return v;
          },
        },
      });
      const r = translateSafely(
        t,
        span({
          [KIND]: 'generation',
          'user.id': 'u',
          'spantrack.property.note': 'n',
          'spantrack.property.ok': 'k',
        }),
      );
      expect(r.messages).toHaveLength(1);
      const m = r.messages[0]!;
      expect(m.type === 'track' && m.properties).toMatchObject({ ok: 'k' });
      expect(m.type === 'track' && 'note' in m.properties).toBe(false);
      expect(codes(r.diagnostics)).toContain('redact_error');
    }
    const throwing = createTranslator({
      privacy: {
        redact: () => {
          throw new Error('redactor down');
        },
      },
    });
    const r = translateSafely(throwing, span({ [KIND]: 'generation', 'user.id': 'u' }));
    expect(r.messages).toEqual([]);
    expect(codes(r.diagnostics)).toContain('redact_error');
  });

  it('with a redact hook that rewrites strings, a too-large array user property is dropped and the event still sent', () => {
    const tags = Array.from({ length: 10_000 }, (_, i) => `item-${i}`);
    const attrs = { [KIND]: 'generation', 'user.id': 'u', 'spantrack.property.tags': tags };
    // Without redact: the property is dropped, the event is sent.
    expect(createTranslator()(span(attrs)).messages).toHaveLength(1);
    // With a redact hook that masks digits: the event itself is lost (event_too_large).
    const masked = createTranslator({ privacy: { redact: (v) => v.replace(/\d/g, '#') } });
    const r = masked(span(attrs));
    expect(codes(r.diagnostics)).not.toContain('event_too_large');
    expect(r.messages).toHaveLength(1);
    const m = r.messages[0]!;
    expect(m.type === 'track' && 'tags' in m.properties).toBe(false);
    expect(r.diagnostics.find((d) => d.code === 'truncated')?.message).toContain('properties.tags');
  });

  it('configuration errors: empty or non-string pseudonymisation secret, bad redact, bad maxEventBytes', () => {
    const bad: unknown[] = [
      { privacy: { pseudonymizeUserIds: { secret: '' } } },
      { privacy: { pseudonymizeUserIds: { secret: 42 } } },
      { privacy: { pseudonymizeUserIds: {} } },
      { privacy: { pseudonymizeUserIds: null } },
      { privacy: { redact: 'mask' } },
      { privacy: { maxEventBytes: Number.NaN } },
      { privacy: { maxEventBytes: 10 } },
      { privacy: { captureContent: 'yes' } },
      { catalogs: 'ai-agent' },
      { catalogs: ['nope'] },
      { catalogs: ['ai-agent', 'ai-agent'] },
      { catalogs: [{ name: '', map: () => [] }] },
      { catalogs: [{ name: 'x' }] },
      { sources: [{}] },
      null,
      42,
    ];
    for (const options of bad) {
      expect(() => createTranslator(options as never), JSON.stringify(options)).toThrow(SpantrackConfigError);
    }
  });

  it('user catalogs that throw, return non-arrays or messages without a type: catalog_error, the others still run', () => {
    const garbage: Catalog[] = [
      {
        name: 'throws',
        map: () => {
          throw new Error('catalog bug');
        },
      },
      { name: 'null', map: () => null as never },
      { name: 'object', map: () => ({ length: 1, 0: {} }) as never },
      { name: 'string', map: () => 'messages' as never },
      {
        name: 'untyped',
        map: (it, ctx) => {
          const m = ctx.track(it, 'E', {}) as unknown as Record<string, unknown>;
          delete m.type;
          return [m as never, null as never, 42 as never, { type: 'page' } as never];
        },
      },
    ];
    const t = createTranslator({ catalogs: [...garbage, 'ai-agent'] });
    const r = translateSafely(t, span({ [KIND]: 'generation', 'user.id': 'u' }));
    expect(r.messages.map((m) => (m.type === 'track' ? m.event : m.type))).toEqual(['ai.generation']);
    expect(codes(r.diagnostics).filter((c) => c === 'catalog_error').length).toBeGreaterThanOrEqual(5);
  });

  it("a user-catalog message whose field access throws (getter, Proxy) is dropped alone with catalog_error; the other catalogs' messages are sent", () => {
    const getter: Catalog = {
      name: 'getter',
      map: (it, ctx) => {
        const m = ctx.track(it, 'E2', {});
        Object.defineProperty(m, 'properties', {
          get() {
            throw new Error('boom');
          },
          enumerable: true,
        });
        return [m];
      },
    };
    const r = createTranslator({ catalogs: [getter, 'ai-agent'] })(
      span({ [KIND]: 'generation', 'user.id': 'u' }),
    );
    expect(r.messages.map((m) => (m.type === 'track' ? m.event : m.type))).toEqual(['ai.generation']);
    expect(codes(r.diagnostics)).toEqual(['catalog_error']);

    const proxy: Catalog = {
      name: 'proxy',
      map: (it, ctx) => [
        new Proxy(ctx.track(it, 'P', {}), {
          get() {
            throw new Error('trap');
          },
        }),
        ctx.track(it, 'Fine', {}),
      ],
    };
    const p = createTranslator({ catalogs: ['ai-agent', proxy] })(
      span({ [KIND]: 'generation', 'user.id': 'u' }),
    );
    assertSegmentValid(p.messages);
    expect(p.messages.map((m) => (m.type === 'track' ? m.event : m.type))).toEqual(['ai.generation', 'Fine']);
    expect(codes(p.diagnostics)).toEqual(['catalog_error']);
  });

  it('user-catalog messages with an invalid messageId or timestamp, an empty id, BigInt or NaN values are dropped, each with catalog_error', () => {
    const sloppy: Catalog = {
      name: 'sloppy',
      map: () =>
        [
          {
            type: 'track',
            event: 'A',
            properties: {},
            messageId: 'has spaces / slashes',
            timestamp: 'yesterday',
            userId: 'u',
          },
          {
            type: 'track',
            event: 'B',
            properties: { n: 10n },
            messageId: 'b',
            timestamp: '2020-01-01T00:00:00.000Z',
            userId: 'u',
          },
          {
            type: 'track',
            event: 'C',
            properties: { n: Number.NaN },
            messageId: 'c',
            timestamp: '2020-01-01T00:00:00.000Z',
            userId: 'u',
          },
          {
            type: 'identify',
            traits: {},
            messageId: 'x'.repeat(500),
            timestamp: '2020-01-01T00:00:00.000Z',
            userId: '',
          },
        ] as never,
    };
    const r = createTranslator({ catalogs: [sloppy] })(span({ [KIND]: 'generation', 'user.id': 'u' }));
    assertSegmentValid(r.messages);
    expect(codes(r.diagnostics).filter((c) => c === 'catalog_error')).toHaveLength(4);
  });

  it('a spantrack.event.name equal to a built-in event name: the two messages get distinct, stable messageIds', () => {
    const s = span({
      [KIND]: 'track',
      'spantrack.event.name': 'ai.generation',
      'gen_ai.conversation.id': 'c-1',
    });
    const r = translateSafely(translate, s);
    expect(r.messages).toHaveLength(2);
    expect(new Set(r.messages.map((m) => m.messageId)).size).toBe(2);
    expect(createTranslator()(s).messages.map((m) => m.messageId)).toEqual(
      r.messages.map((m) => m.messageId),
    );
  });
});

// ---------------------------------------------------------------------------------------------
describe('spans of other libraries through a real SDK provider', () => {
  let provider: BasicTracerProvider | undefined;
  afterEach(async () => {
    await provider?.shutdown();
    provider = undefined;
  });

  function setup(options: Partial<AnalyticsSpanProcessorOptions> = {}, extra: SpanProcessor[] = []) {
    const sink = new MemorySink();
    const processor = new AnalyticsSpanProcessor({ sink, ...options });
    provider = new BasicTracerProvider({
      spanProcessors: [new ContextAttributesSpanProcessor(), processor, ...extra],
      spanLimits: { attributeCountLimit: 20_000 },
    });
    return { sink, processor, tracer: provider.getTracer('hostile') };
  }

  it('HTTP server and DB spans (and a DB statement with a prompt in it) yield nothing, counted as unrecognised', async () => {
    const { sink, processor, tracer } = setup();
    const root = tracer.startSpan('GET /chat', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', 'url.path': '/chat', 'http.response.status_code': 500 },
    });
    root.setStatus({ code: SpanStatusCode.ERROR, message: 'Internal Server Error' });
    const db = tracer.startSpan('SELECT', {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system': 'postgresql', 'db.statement': "SELECT * FROM prompts WHERE text='SECRET'" },
    });
    db.recordException(new Error('relation does not exist'));
    db.end();
    root.end();
    await processor.forceFlush();
    expect(sink.messages).toEqual([]);
    expect(processor.stats()).toMatchObject({ spansSeen: 2, spansUnrecognised: 2, spansFailed: 0 });
  });

  it('a span with 10,000 attributes: one message under 32 KB, truncation counted', async () => {
    const { sink, processor, tracer } = setup();
    const s = tracer.startSpan('chat gpt-4o', {
      kind: SpanKind.CLIENT,
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'user.id': 'u-1' },
    });
    for (let i = 0; i < 10_000; i++) s.setAttribute(`spantrack.property.p${i}`, `v${i}-${'y'.repeat(30)}`);
    s.end();
    await processor.forceFlush();
    assertSegmentValid(sink.messages);
    expect(sink.messages).toHaveLength(1);
    expect(processor.stats().diagnostics.truncated).toBeGreaterThan(0);
  });

  it('100,000 spans in one synchronous burst: no crash, bounded queue, drops counted, the rest delivered', async () => {
    const { sink, processor, tracer } = setup({ maxQueueSize: 20_000 });
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      tracer
        .startSpan('chat m', {
          kind: SpanKind.CLIENT,
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': 'm',
            'user.id': `u${i % 7}`,
          },
        })
        .end();
    }
    const during = processor.stats();
    expect(during.queueDepth).toBeLessThanOrEqual(20_000);
    expect(during.spansDropped).toBe(n - 20_000);
    await processor.forceFlush();
    const after = processor.stats();
    expect(after.spansSeen).toBe(n);
    expect(after.spansTranslated + after.spansDropped).toBe(n);
    expect(sink.messages).toHaveLength(after.spansTranslated);
    expect(after).toMatchObject({ messagesFailed: 0, messagesDropped: 0, queueDepth: 0, pendingMessages: 0 });
    expect(new Set(sink.messageIds()).size).toBe(sink.messages.length);
    expect(diagMessages.some((m) => m.includes('dropped'))).toBe(true);
  });

  it('a span ended twice yields one message; a span ended after shutdown is dropped and counted', async () => {
    const { sink, processor, tracer } = setup();
    const s = tracer.startSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat', 'user.id': 'u' } });
    s.end();
    s.end();
    await processor.forceFlush();
    expect(sink.messages).toHaveLength(1);
    const late = tracer.startSpan('chat m', {
      attributes: { 'gen_ai.operation.name': 'chat', 'user.id': 'u' },
    });
    await processor.shutdown();
    await processor.shutdown(); // idempotent
    late.end();
    await processor.forceFlush();
    expect(sink.messages).toHaveLength(1);
    expect(processor.stats()).toMatchObject({ spansSeen: 2, spansDropped: 1 });
  });

  it('hostile attributes through the SDK (SDK-sanitised) still give valid messages', async () => {
    const { sink, processor, tracer } = setup({ privacy: { captureContent: true } });
    for (const value of HOSTILE_VALUES) {
      const s = tracer.startSpan('hostile');
      s.setAttribute(KIND, 'classification');
      for (const key of ALL_KEYS) if (key !== KIND) s.setAttribute(key, value as never);
      s.end();
    }
    await processor.forceFlush();
    assertSegmentValid(sink.messages);
    expect(processor.stats()).toMatchObject({ spansFailed: 0, spansSeen: HOSTILE_VALUES.length });
  });

  it('one BigInt in a message fails that message alone: the rest of the batch reaches the JSONL sink', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spantrack-hostile-'));
    try {
      const path = join(dir, 'out.jsonl');
      const sink = new JsonlFileSink({ path });
      const poison: Catalog = {
        name: 'poison',
        map: (it, ctx) => (it.spanName === 'poison' ? [ctx.track(it, 'Poison', { n: 1n as never })] : []),
      };
      const processor = new AnalyticsSpanProcessor({ sink, catalogs: ['ai-agent', poison] });
      provider = new BasicTracerProvider({ spanProcessors: [processor] });
      const tracer = provider.getTracer('hostile');
      for (let i = 0; i < 10; i++) {
        tracer
          .startSpan(i === 5 ? 'poison' : 'chat', { attributes: { 'gen_ai.operation.name': 'chat' } })
          .end();
      }
      await processor.forceFlush();
      await sink.flush();
      const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
      expect(lines.length).toBeGreaterThanOrEqual(10); // the 10 ai.generation events at least
      expect(processor.stats().messagesFailed).toBeLessThanOrEqual(1);
      // The sink on its own, handed a poisoned batch directly: the bad message fails alone.
      const good = JSON.parse(lines[0]!) as AnalyticsMessage;
      const bad = { ...good, messageId: 'bad', properties: { n: 1n } } as unknown as AnalyticsMessage;
      const result = await sink.send([{ ...good, messageId: 'g1' }, bad, { ...good, messageId: 'g2' }]);
      expect(result.delivered).toBe(2);
      expect(result.failed).toBe(1);
      expect(result.errors.map((e) => [e.messageId, e.error.name])).toEqual([['bad', 'InvalidMessageError']]);
      await sink.flush();
      const after = readFileSync(path, 'utf8').split('\n').filter(Boolean);
      expect(after.slice(-2).map((l) => JSON.parse(l).messageId)).toEqual(['g1', 'g2']);
      await sink.shutdown();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('the instrumentation API called wrongly from plain JS', () => {
  let provider: BasicTracerProvider;
  let sink: MemorySink;
  let processor: AnalyticsSpanProcessor;
  let exporter: InMemorySpanExporter;

  beforeEach(() => {
    sink = new MemorySink();
    exporter = new InMemorySpanExporter();
    processor = new AnalyticsSpanProcessor({ sink });
    provider = new BasicTracerProvider({
      spanProcessors: [new ContextAttributesSpanProcessor(), processor, new SimpleSpanProcessor(exporter)],
    });
    return () => provider.shutdown();
  });

  // biome-ignore lint/suspicious/noExplicitAny: the point is calling the API the way untyped JS can
  type Loose = any;
  const looseTracker = (options: Record<string, unknown> = {}): Loose =>
    new AgentTracker({ tracerProvider: provider, ...options });

  it('bad arguments never throw and are reported through diag', async () => {
    const t = looseTracker();
    expect(t.classify(null, null)).toBeUndefined();
    expect(t.classify({}, () => null)).toBeNull();
    expect(t.classify('opts', () => ({ intent: 42, confidence: 'high' }))).toEqual({
      intent: 42,
      confidence: 'high',
    });
    expect(t.generate(undefined, 'not a function')).toBeUndefined();
    const c = t.conversation();
    expect(typeof c.conversationId).toBe('string');
    c.end();
    c.end();
    expect(() => c.turn('hi', 'not a function')).not.toThrow();
    expect(() => c.turn(42, () => 'ok')).not.toThrow();
    expect(() => c.tool(null, () => 1)).not.toThrow();
    expect(() => c.messageSent(42)).not.toThrow();
    expect(() => c.messageReceived({ body: ['x'], role: 7, timestamp: 'never' })).not.toThrow();
    expect(() => c.actionInvoked(null)).not.toThrow();
    expect(() => c.mediaGenerated('img')).not.toThrow();
    expect(() => c.componentLoaded([])).not.toThrow();
    expect(() => c.feedback({ rating: '5' })).not.toThrow();
    expect(() => t.track({ timestamp: 'yesterday', latency: -5, success: 'no', output: 42 })).not.toThrow();
    expect(() => t.track(null)).not.toThrow();
    expect(() => t.identify(undefined)).not.toThrow();
    expect(() => t.identify(42, 'traits', 'options')).not.toThrow();
    expect(() => t.signal({ event: 'nope' })).not.toThrow();
    expect(() => t.signal('detected')).not.toThrow();
    expect(() => t.triage({ escalated: 'yes', timestamp: new Date('invalid') })).not.toThrow();
    expect(() => t.reply({ event: 'sent', replyMode: 'robot' })).not.toThrow();
    expect(() => t.outcome({})).not.toThrow();
    expect(() => t.outcome({ event: 'resolved', timeToResolutionMs: -1 })).not.toThrow();
    expect(() => t.error(null)).not.toThrow();
    expect(() => t.error({ error: 42, type: [], recoveryAttempt: 1.5 })).not.toThrow();
    expect(() => t.withContext(null, null)).not.toThrow();
    expect(t.withContext({ userId: 42, orgId: {} }, () => 'ran')).toBe('ran');
    const i = t.begin('options');
    expect(() =>
      i.setProperty('', 1).setProperty('x', Symbol('s')).setProperties('nope').setInput(5),
    ).not.toThrow();
    i.end({
      properties: {
        cyclic: (() => {
          const o: Record<string, unknown> = {};
          o.self = o;
          return o;
        })(),
        big: 10n,
      },
    });
    i.end();
    expect(() =>
      t.generate({ properties: { fn: () => 1 } }, (h: Loose) => {
        h.setUsage(null).setUsage({ inputTokens: -1, outputTokens: 1.5 }).setCost(Number.NaN).setModel(7);
        h.setOutput(42).setProperty(null, 1);
        return 'out';
      }),
    ).not.toThrow();
    expect(new AgentTracker(null as never)).toBeInstanceOf(AgentTracker);
    expect(new AgentTracker({ agentName: 42, channel: [], tracerProvider: {} } as never)).toBeInstanceOf(
      AgentTracker,
    );

    await processor.forceFlush();
    assertSegmentValid(sink.messages);
    const text = diagMessages.join('\n');
    for (const expected of [
      'classify: dropped "fn"',
      'classify: dropped "result"',
      'conversation.end: called more than once',
      'turn: dropped "fn"',
      'feedback: dropped "rating"',
      'track: dropped "timestamp"',
      'identify: neither a userId nor an anonymousId',
      'signal: dropped "event"',
      'end: called more than once',
    ]) {
      expect(text).toContain(expected);
    }
    // Rejected string values are never echoed into the logs.
    expect(text).not.toContain('yesterday');
  });

  it("the agent's own errors are rethrown unchanged (sync throw, rejected promise, non-Error values) and recorded", async () => {
    const t = looseTracker();
    const sync = new TypeError('sync boom');
    expect(() =>
      t.classify({}, () => {
        throw sync;
      }),
    ).toThrow(sync);
    const rejected = new RangeError('async boom');
    await expect(t.generate({}, () => Promise.reject(rejected))).rejects.toBe(rejected);
    await expect(
      t.classify({}, async () => {
        throw 'a string';
      }),
    ).rejects.toBe('a string');
    const c = t.conversation();
    await expect(c.turn('hi', () => Promise.reject(null))).rejects.toBeNull();
    expect(() =>
      c.tool('t', () => {
        throw undefined;
      }),
    ).toThrow();
    await processor.forceFlush();
    assertSegmentValid(sink.messages);
    const errors = sink.messages.filter((m) => m.type === 'track' && m.event === 'ai.error');
    expect(errors.length).toBeGreaterThanOrEqual(3);
  });

  it('a thenable that is not a promise, and a promise resolving to garbage', async () => {
    const t = looseTracker();
    // biome-ignore lint/suspicious/noThenProperty: a hand-made thenable is the hostile input here
    const weird = { then: (ok: (v: unknown) => void) => ok({ intent: 'x', confidence: 2 }) };
    await expect(Promise.resolve(t.classify({}, () => weird))).resolves.toEqual({
      intent: 'x',
      confidence: 2,
    });
    await expect(t.classify({}, async () => 'not a result')).resolves.toBe('not a result');
    await processor.forceFlush();
    assertSegmentValid(sink.messages);
    expect(diagMessages.join('\n')).toContain('dropped "confidence"');
  });

  it('track({ timestamp }) at epoch 0 or past year 9999 is reported through diag and the current time used: the events arrive', async () => {
    const t = looseTracker();
    const before = Date.now();
    t.track({ userId: 'u', timestamp: 1e20 });
    t.track({ userId: 'u', timestamp: 0 });
    t.track({ userId: 'u', timestamp: new Date(Date.UTC(10_000, 0, 1)) });
    await processor.forceFlush();
    expect(diagMessages.join('\n')).toContain('track: dropped "timestamp"');
    for (const m of sink.messages) expect(Date.parse(m.timestamp)).toBeGreaterThanOrEqual(before - 1);
    expect(sink.messages.filter((m) => m.type === 'track' && m.event === 'ai.generation')).toHaveLength(3);
  });

  it('turn(), tool(), classify() and generate() without a function record nothing: no span, no message, not counted', async () => {
    const t = looseTracker();
    const c = t.conversation({ userId: 'u' });
    expect(c.turn('hello', undefined)).toBeUndefined();
    expect(c.tool('lookup', 'not a function')).toBeUndefined();
    expect(t.classify({}, 42)).toBeUndefined();
    expect(t.generate({}, null)).toBeUndefined();
    c.end();
    await processor.forceFlush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['conversation ended']);
    expect(sink.messages.map((m) => (m.type === 'track' ? m.event : m.type))).toEqual(['Conversation Ended']);
    const ended = sink.messages[0]!;
    expect(ended.type === 'track' && ended.properties.message_count).toBe(0);
    const text = diagMessages.join('\n');
    for (const where of ['turn', 'tool', 'classify', 'generate'])
      expect(text).toContain(`${where}: dropped "fn"`);
  });
});

// ---------------------------------------------------------------------------------------------
describe('privacy: nothing of the content, nor the raw user id, leaves', () => {
  const SECRET = 'S3CRET';
  const secret = (n: number) => `${SECRET}-${n}-${'content '.repeat(3)}`;

  async function runEverything(
    trackerCapture: boolean,
    processorOptions: Partial<AnalyticsSpanProcessorOptions>,
  ) {
    const sink = new MemorySink();
    const exporter = new InMemorySpanExporter();
    const processor = new AnalyticsSpanProcessor({ sink, ...processorOptions });
    const provider = new BasicTracerProvider({
      spanProcessors: [new ContextAttributesSpanProcessor(), processor, new SimpleSpanProcessor(exporter)],
    });
    const USER = '+254700000001';
    const t = new AgentTracker({
      tracerProvider: provider,
      captureContent: trackerCapture,
      channel: 'whatsapp',
    });
    const common = { userId: USER, orgId: 'org-1', workspaceId: 'ws-1' };
    t.identify(USER, { plan: 'pro' });
    await t.withContext(common, async () => {
      t.classify({ input: secret(1) }, () => ({ intent: 'billing', confidence: 0.9 }));
      t.generate({ input: secret(2) }, (h) => {
        h.setOutput(secret(3));
        return secret(3);
      });
      const c = t.conversation({ userId: USER });
      c.messageSent(secret(4));
      c.messageReceived({ body: secret(5), messageId: 'm-2' });
      await c.turn(secret(6), async () => secret(7));
      c.tool('lookup', () => secret(8));
      t.track({ input: secret(9), output: secret(10), success: false, conversationId: c.conversationId });
      t.track({ input: secret(9), output: secret(10), conversationId: c.conversationId });
      t.error({ error: new Error(secret(11)), message: secret(12) });
      t.begin({ input: secret(13), conversationId: c.conversationId }).end({ output: secret(14) });
      try {
        t.generate({}, () => {
          throw new Error(secret(15));
        });
      } catch {
        // rethrown by design
      }
      const tracer = provider.getTracer('openai-like');
      const llm = tracer.startSpan('chat gpt-4o', {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.provider.name': 'openai',
          'gen_ai.conversation.id': c.conversationId,
          'gen_ai.input.messages': JSON.stringify([
            { role: 'user', parts: [{ type: 'text', content: secret(16) }] },
          ]),
          'gen_ai.output.messages': JSON.stringify([
            { role: 'assistant', parts: [{ type: 'text', content: secret(17) }] },
          ]),
        },
      });
      llm.recordException(new Error(secret(18)));
      llm.setStatus({ code: SpanStatusCode.ERROR, message: secret(19) });
      llm.end();
      const agent = tracer.startSpan('invoke_agent x', {
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.conversation.id': c.conversationId,
          'gen_ai.input.messages': JSON.stringify([
            { role: 'user', parts: [{ type: 'text', content: secret(20) }] },
          ]),
        },
      });
      agent.end();
      c.end();
      t.signal({ event: 'detected', signalType: 'frustration', ...common });
      t.triage({ escalated: true, triageResult: 'escalate', ...common });
      t.reply({ event: 'sent', replyMode: 'auto', ...common });
      t.outcome({ event: 'resolved', timeToResolutionMs: 5, ...common });
    });
    await processor.forceFlush();
    const spans = exporter.getFinishedSpans();
    await provider.shutdown();
    return { USER, messages: sink.messages, spans, stats: processor.stats() };
  }

  it('capture off in the processor (content on the spans): no content in any message', async () => {
    const { messages, spans } = await runEverything(true, {});
    expect(JSON.stringify(spans.map((s) => s.attributes))).toContain(SECRET); // the spans do carry it
    assertSegmentValid(messages);
    expect(messages.length).toBeGreaterThan(15);
    expect(JSON.stringify(messages)).not.toContain(SECRET);
  });

  it('capture off everywhere: no content in any message', async () => {
    const { messages } = await runEverything(false, {});
    expect(JSON.stringify(messages)).not.toContain(SECRET);
  });

  it('capture on: content does reach the content fields of the AI agent and AI Copilot events (sanity check of the test above)', async () => {
    const { messages } = await runEverything(true, { privacy: { captureContent: true } });
    expect(JSON.stringify(messages)).toContain(SECRET);
    // ...but never the customer-signals events (the customer-signals tracking plan: no content, ever).
    const signals = messages.filter(
      (m) => m.type === 'track' && /^(customer_signal|ai_triage|ai_reply|interaction)\./.test(m.event),
    );
    expect(signals.length).toBe(5);
    expect(JSON.stringify(signals)).not.toContain(SECRET);
  });

  it('pseudonymizeUserIds: the raw user id appears nowhere in any message, the pseudonym everywhere it belongs', async () => {
    const secretKey = 'k3y';
    const { USER, messages } = await runEverything(true, {
      privacy: { pseudonymizeUserIds: { secret: secretKey } },
    });
    const pseudonym = pseudonymizeUserId(USER, secretKey);
    const json = JSON.stringify(messages);
    expect(json).not.toContain(USER);
    expect(json).not.toContain(USER.slice(1));
    expect(messages.filter((m) => m.userId !== undefined).every((m) => m.userId === pseudonym)).toBe(true);
    expect(messages.some((m) => m.type === 'identify' && m.userId === pseudonym)).toBe(true);
    for (const m of messages) {
      if (m.type === 'track' && 'user_id' in m.properties) expect(m.properties.user_id).toBe(pseudonym);
    }
  });

  it('pseudonymizeUserIds with a user catalog that copies the raw id into userId: replaced all the same', () => {
    const copycat: Catalog = {
      name: 'copycat',
      map: (it) =>
        it.userId === undefined
          ? []
          : [
              {
                type: 'track',
                event: 'Copied',
                properties: {},
                messageId: 'copy-1',
                timestamp: it.timestamp,
                userId: it.userId,
              },
            ],
    };
    const t = createTranslator({ catalogs: [copycat], privacy: { pseudonymizeUserIds: { secret: 'k' } } });
    const r = translateSafely(t, span({ [KIND]: 'generation', 'user.id': 'raw-user-7' }));
    expect(JSON.stringify(r.messages)).not.toContain('raw-user-7');
  });

  it('with capture off, user properties and traits named like content (input_text, message_body, prompt, completion, output_text) are dropped with invalid_attribute', () => {
    const names = ['input_text', 'message_body', 'prompt', 'completion', 'output_text'];
    const attrs: Record<string, unknown> = {
      'spantrack.intent.name': 'billing',
      'user.id': 'u',
      'gen_ai.conversation.id': 'c',
      'spantrack.property.kept': 'k',
    };
    names.forEach((name, i) => {
      attrs[`spantrack.property.${name}`] = secret(30 + i);
      attrs[`spantrack.user.trait.${name}`] = secret(40 + i);
    });
    const userCatalog: Catalog = {
      name: 'mine',
      map: (it, ctx) => [ctx.track(it, 'Mine', { from_user_catalog: true })],
    };
    const t = createTranslator({ catalogs: ['ai-agent', 'segment-copilot', userCatalog] });
    for (const kind of ['classification', 'track', 'identify', 'message']) {
      const r = translateSafely(t, span({ ...attrs, [KIND]: kind }));
      expect(r.messages.length).toBeGreaterThan(0);
      expect(JSON.stringify(r.messages)).not.toContain(SECRET);
      const dropped = r.diagnostics.filter((d) => d.code === 'invalid_attribute').map((d) => d.attribute);
      expect(dropped).toHaveLength(10);
      const mine = r.messages.find((m) => m.type === 'track' && m.event === 'Mine');
      expect(mine?.type === 'track' && mine.properties.kept).toBe('k');
    }
    // With capture on they are ordinary user properties.
    const capturing = createTranslator({ privacy: { captureContent: true } });
    const r = capturing(span({ ...attrs, [KIND]: 'classification' }));
    expect(JSON.stringify(r.messages)).toContain(`${SECRET}-30`);
  });

  it('with capture off in the tracker, track({ success: false, output }) sends the error type as the span status message, never the output', async () => {
    const { spans } = await runEverything(false, {});
    const leaking = spans.filter((s) => JSON.stringify([s.attributes, s.status]).includes(`${SECRET}-10`));
    expect(leaking.map((s) => s.name)).toEqual([]);
    const failed = spans.find((s) => s.attributes['spantrack.success'] === false);
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: '_OTHER' });
  });
});
