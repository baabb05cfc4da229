import { describe, expect, it } from 'vitest';
import {
  CUSTOMER_SIGNALS_TRACKING_PLAN,
  type JsonSchema,
  SEGMENT_COPILOT_TRACKING_PLAN,
  TRACKING_PLANS,
  type TrackingPlan,
  validateMessage,
} from '../src/index';
import { referenceAjv } from './reference-ajv';

const T = '2024-05-01T12:00:00.000Z';
const track = (event: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event,
  userId: 'u-1',
  messageId: 'm-1',
  timestamp: T,
  properties,
  ...extra,
});
const signal = (extra: Record<string, unknown> = {}) => ({
  org_id: 'org',
  workspace_id: 'ws',
  user_id: 'u-1',
  timestamp: T,
  ...extra,
});

describe('validateMessage', () => {
  it('accepts the messages the plans document', () => {
    const good = [
      track(
        'ai.classification',
        {
          detected_intent: 'nil_filing',
          confidence: 0.99,
          latency_ms: 450,
          prompt_tokens: 120,
          completion_tokens: 15,
          model: 'llama3.2:3b',
        },
        { context: { channel: 'whatsapp' } },
      ),
      track('ai.error', {
        error_type: 'json_parse_error',
        recovery_attempt: 1,
        recovered: false,
        fallback_action: 'agent_handoff',
      }),
      track('Message Received', { conversationId: 'c', messageId: 'msg124', role: 'agent' }),
      track('Conversation Ended', { conversationId: 'c', message_count: 4 }),
      track('ai_reply.sent', signal({ reply_mode: 'assisted', tenant_tier: 'gold' })),
      { type: 'identify', anonymousId: 'a-1', timestamp: T, traits: { plan: 'pro' } },
    ];
    for (const m of good)
      expect(validateMessage(m), JSON.stringify(m)).toEqual({
        valid: true,
        errors: [],
        checkedBy: expect.any(Array),
      });
    expect(validateMessage(good[2]).checkedBy).toEqual(['segment-copilot', 'conversation']);
  });

  it('names the event, the path and the problem of each violation', () => {
    const result = validateMessage(
      track('ai.classification', { confidence: 7, latency_ms: 1.5, model: 3 }, { context: { channel: 1 } }),
    );
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual([
      {
        event: 'ai.classification',
        path: 'context.channel',
        message: 'must be string, got integer',
        plan: 'ai-agent',
      },
      {
        event: 'ai.classification',
        path: 'properties.detected_intent',
        message: 'required property "detected_intent" is missing',
        plan: 'ai-agent',
      },
      {
        event: 'ai.classification',
        path: 'properties.confidence',
        message: 'must be <= 1',
        plan: 'ai-agent',
      },
      {
        event: 'ai.classification',
        path: 'properties.latency_ms',
        message: 'must be integer, got number',
        plan: 'ai-agent',
      },
      {
        event: 'ai.classification',
        path: 'properties.model',
        message: 'must be string, got integer',
        plan: 'ai-agent',
      },
    ]);
  });

  it('rejects undeclared properties only where the plan says so, and undocumented enum values', () => {
    expect(
      validateMessage(track('Conversation Started', { conversationId: 'c', extra: 1 }), [
        SEGMENT_COPILOT_TRACKING_PLAN,
      ]).errors,
    ).toEqual([
      expect.objectContaining({ path: 'properties.extra', message: 'property "extra" is not in the plan' }),
    ]);
    expect(validateMessage(track('ai_reply.sent', signal({ reply_mode: 'robot' }))).errors).toEqual([
      expect.objectContaining({
        path: 'properties.reply_mode',
        message: 'must be one of "auto", "assisted", "human"',
      }),
    ]);
    expect(
      validateMessage(track('ai_triage.completed', signal({ timestamp: '2024-13-01T00:00:00Z' }))).errors,
    ).toEqual([expect.objectContaining({ path: 'properties.timestamp' })]);
  });

  it('checks what Segment needs of any message, even of events no plan names', () => {
    const result = validateMessage({
      type: 'track',
      event: 'Item Purchased',
      properties: {},
      timestamp: 'yesterday',
    });
    expect(result.checkedBy).toEqual([]);
    expect(result.errors.map((e) => e.path)).toEqual(['', 'timestamp']);
    expect(validateMessage(track('Item Purchased', { price: 'any' }))).toEqual({
      valid: true,
      errors: [],
      checkedBy: [],
    });
  });

  it('flags content sent with content capture off', () => {
    const m = track('Message Sent', {
      conversationId: 'c',
      messageId: 'x',
      role: 'customer',
      message_body: 'hi',
    });
    expect(validateMessage(m, undefined, { captureContent: true }).valid).toBe(true);
    expect(validateMessage(m).valid).toBe(true);
    expect(validateMessage(m, undefined, { captureContent: false }).errors).toEqual([
      {
        event: 'Message Sent',
        path: 'properties.message_body',
        message: 'is content and was sent with content capture off',
      },
    ]);
  });

  it('validates a user plan in the same form', () => {
    const plan: TrackingPlan = {
      name: 'shop',
      rules: {
        events: [
          {
            name: 'Item Purchased',
            rules: {
              type: 'object',
              properties: {
                properties: {
                  type: 'object',
                  properties: {
                    price: { type: 'number', exclusiveMinimum: 0 },
                    sku: { type: 'string', pattern: '^[A-Z]{3}-\\d+$' },
                    tags: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 3 },
                  },
                  required: ['sku'],
                },
              },
            },
          },
        ],
      },
    };
    expect(
      validateMessage(track('Item Purchased', { sku: 'ABC-1', price: 2, tags: ['a'] }), [plan]).valid,
    ).toBe(true);
    expect(
      validateMessage(track('Item Purchased', { sku: 'abc', price: 0, tags: ['a', '', 'c', 'd'] }), [
        plan,
      ]).errors.map((e) => `${e.path}: ${e.message}`),
    ).toEqual([
      'properties.price: must be > 0',
      'properties.sku: must match ^[A-Z]{3}-\\d+$',
      'properties.tags: must have at most 3 items',
      'properties.tags[1]: must be at least 1 characters long',
    ]);
    // The built-in plans are not consulted when a list is given.
    expect(validateMessage(track('ai.classification', {}), [plan]).valid).toBe(true);
  });

  it('reports unsupported keywords and malformed plans instead of ignoring them', () => {
    const plan = {
      name: 'odd',
      rules: { events: [{ name: 'E', rules: { anyOf: [], properties: { properties: null } } }] },
    };
    const errors = validateMessage(track('E', {}), [plan as unknown as TrackingPlan]).errors.map(
      (e) => e.message,
    );
    expect(errors).toEqual([
      'the plan uses JSON Schema keyword "anyOf", which this validator does not support',
      "the plan's schema here is null, not an object",
    ]);
    expect(
      validateMessage(track('E', {}), [{ name: 'x' } as unknown as TrackingPlan]).errors[0]?.message,
    ).toBe('tracking plan has no rules object');
    const invalidPattern = {
      name: 'p',
      rules: { events: [{ name: 'E', rules: { properties: { event: { pattern: '(' } } } }] },
    };
    expect(validateMessage(track('E', {}), [invalidPattern as TrackingPlan]).errors[0]?.message).toMatch(
      /pattern "\(" is invalid/,
    );
  });
});

describe('validateMessage on hostile input', () => {
  it('is not valid when the plans argument is not an array (nothing would have been checked)', () => {
    const message = track('ai.error', { error_type: 'timeout' });
    for (const plans of [null, 'x', 42, {}]) {
      const result = validateMessage(message, plans as never);
      expect(result.valid).toBe(false);
      expect(result.errors.map((e) => e.message)).toEqual(['plans must be an array of tracking plans']);
    }
  });

  it('never throws, and says what is wrong', () => {
    const cyclic: Record<string, unknown> = track('ai.error', { error_type: 'x' });
    (cyclic.properties as Record<string, unknown>).self = cyclic;
    const throwing = Object.defineProperty(track('ai.error', {}), 'properties', {
      get() {
        throw new Error('boom');
      },
      enumerable: true,
    });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const cases: [unknown, string][] = [
      [null, 'a message must be an object, got null'],
      [undefined, 'a message must be an object, got undefined'],
      [[], 'a message must be an object, got an array'],
      ['track', 'a message must be an object, got string'],
      [{ type: 'track' }, 'a track message needs a non-empty event name'],
      [{ type: 'launch' }, 'unknown message type "launch"'],
      [throwing, 'the message could not be read: boom'],
      [revoked.proxy, 'the message could not be read: '],
    ];
    for (const [input, message] of cases) {
      const result = validateMessage(input);
      expect(result.valid).toBe(false);
      expect(result.errors[0]?.message).toContain(message);
    }
    expect(validateMessage(cyclic).valid).toBe(true);
  });

  it('treats __proto__ as an ordinary key and stays bounded on huge messages', () => {
    const parsed = JSON.parse(
      '{"type":"track","event":"Conversation Started","userId":"u","properties":{"conversationId":"c","__proto__":{"x":1}}}',
    );
    expect(validateMessage(parsed, [SEGMENT_COPILOT_TRACKING_PLAN]).errors).toEqual([
      expect.objectContaining({
        path: 'properties.__proto__',
        message: 'property "__proto__" is not in the plan',
      }),
    ]);
    const huge: Record<string, unknown> = { conversationId: 'c' };
    for (let i = 0; i < 200_000; i++) huge[`k${i}`] = i;
    const result = validateMessage(track('Conversation Started', huge));
    expect(result.valid).toBe(false);
    expect(result.errors).toHaveLength(100);
    const items = Array.from({ length: 1_000_000 }, () => 1);
    const plan: TrackingPlan = {
      name: 'arr',
      rules: {
        events: [
          {
            name: 'A',
            rules: { properties: { properties: { properties: { xs: { items: { type: 'string' } } } } } },
          },
        ],
      },
    };
    expect(validateMessage(track('A', { xs: items }), [plan]).errors).toHaveLength(100);
    expect(
      validateMessage({ ...track('ai.generation', {}), properties: { model: 'x'.repeat(10_000_000) } }).valid,
    ).toBe(true);
  });

  it('stops at a cyclic plan', () => {
    const schema: JsonSchema = { type: 'object', properties: {} };
    schema.properties!.properties = schema;
    let m: Record<string, unknown> = {};
    const root = m;
    for (let i = 0; i < 40; i++) {
      const next = {};
      m.properties = next;
      m = next;
    }
    const result = validateMessage({ ...track('C', {}), properties: root.properties }, [
      { name: 'cyclic', rules: { events: [{ name: 'C', rules: schema }] } },
    ]);
    expect(result.errors.map((e) => e.message)).toEqual([
      "the plan's schema is nested more than 32 levels deep",
    ]);
  });
});

describe('validateMessage agrees with Ajv (draft-07) on every plan event', () => {
  const ajv = referenceAjv();

  /** A message with every documented property set to a valid value. */
  function full(event: string, rules: JsonSchema): Record<string, unknown> {
    const props: Record<string, unknown> = {};
    for (const [key, s] of Object.entries(rules.properties?.properties?.properties ?? {})) {
      props[key] =
        s.enum?.[0] ??
        (s.format === 'date-time'
          ? T
          : s.type === 'string'
            ? 'v'
            : s.type === 'boolean'
              ? true
              : s.type === 'integer'
                ? 3
                : s.maximum !== undefined
                  ? s.maximum / 2
                  : 12.5);
    }
    return track(event, props, { context: { channel: 'whatsapp', library: { name: 'x' } } });
  }

  /** Good and bad variants of one event's message. */
  function corpus(event: string, rules: JsonSchema): Record<string, unknown>[] {
    const base = full(event, rules);
    const body = rules.properties?.properties ?? {};
    const out: Record<string, unknown>[] = [
      base,
      { ...base, properties: {} },
      { ...base, context: { channel: null } },
    ];
    const withProps = (p: Record<string, unknown>) => ({ ...base, properties: p });
    const baseProps = base.properties as Record<string, unknown>;
    out.push(withProps({ ...baseProps, undeclared: 'x' }), { ...base, properties: 'none' });
    for (const [key, s] of Object.entries(body.properties ?? {})) {
      const { [key]: _, ...without } = baseProps;
      out.push(withProps(without));
      for (const bad of [
        null,
        'text',
        -1,
        1.5,
        2,
        true,
        [],
        {},
        '2024-02-30T00:00:00Z',
        '2024-02-29T23:59:60Z',
        '2024-12-31T23:59:60Z',
        '2024-01-01t00:00:00.5+05:30',
      ]) {
        if (s.type === 'string' && typeof bad === 'string' && s.format === undefined && s.enum === undefined)
          continue;
        out.push(withProps({ ...baseProps, [key]: bad }));
      }
    }
    return out;
  }

  for (const plan of TRACKING_PLANS) {
    for (const e of plan.rules.events ?? []) {
      it(`${plan.name} ${e.name}`, () => {
        const reference = ajv.compile(e.rules);
        const messages = corpus(e.name, e.rules);
        let invalid = 0;
        for (const m of messages) {
          const expected = reference(m);
          const ours = validateMessage(m, [{ name: plan.name, rules: { events: [e] } }]);
          expect(
            ours.valid,
            `${JSON.stringify(m.properties)}: ${JSON.stringify(ours.errors)} vs ${JSON.stringify(reference.errors)}`,
          ).toBe(expected);
          if (!expected) invalid++;
        }
        expect(invalid).toBeGreaterThan(messages.length / 2);
      });
    }
  }

  it('customer-signals timestamps', () => {
    const e = CUSTOMER_SIGNALS_TRACKING_PLAN.rules.events![0]!;
    const reference = ajv.compile(e.rules);
    expect(reference(track(e.name, signal()))).toBe(true);
    expect(validateMessage(track(e.name, signal())).valid).toBe(true);
  });
});
