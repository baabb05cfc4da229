import { describe, expect, it } from 'vitest';
import {
  createTranslator,
  type IdentifyMessage,
  type InteractionSource,
  normalize,
  pseudonymizeUserId,
  type TrackMessage,
} from '../../src/index';
import { applyPrivacy } from '../../src/privacy/privacy-policy';
import { DEFAULT_MAX_EVENT_BYTES, messageBytes, SEGMENT_MAX_EVENT_BYTES } from '../../src/privacy/size-cap';
import { span, WALKTHROUGH_PRICES, walkthroughClassificationSpan } from './span-fixture';

const conversation = {
  'user.id': '+254712345678',
  'gen_ai.conversation.id': 'conv-1',
  'spantrack.channel': 'whatsapp',
};

describe('privacy policy', () => {
  it('pseudonymises user ids: HMAC-SHA256 hex, stable per secret, different across secrets', () => {
    const a1 = createTranslator({ privacy: { pseudonymizeUserIds: { secret: 'one' } } });
    const a2 = createTranslator({ privacy: { pseudonymizeUserIds: { secret: 'one' } } });
    const b = createTranslator({ privacy: { pseudonymizeUserIds: { secret: 'two' } } });
    const s = walkthroughClassificationSpan();
    const id1 = a1(s).messages[0]!.userId!;
    expect(id1).toMatch(/^[0-9a-f]{64}$/);
    expect(id1).not.toContain('254712345678');
    expect(a1(s).messages[0]!.userId).toBe(id1);
    expect(a2(s).messages[0]!.userId).toBe(id1);
    expect(b(s).messages[0]!.userId).not.toBe(id1);
    expect(id1).toBe(pseudonymizeUserId('+254712345678', 'one'));
  });

  it('pseudonymises the identify userId, not the anonymousId', () => {
    const t = createTranslator({
      prices: WALKTHROUGH_PRICES,
      catalogs: ['segment-copilot'],
      privacy: { pseudonymizeUserIds: { secret: 'k' } },
    });
    const m = t(
      span({
        attributes: {
          'spantrack.interaction.kind': 'identify',
          'user.id': '123',
          'spantrack.anonymous.id': 'anon',
        },
      }),
    ).messages[0] as IdentifyMessage;
    expect(m.userId).toBe(pseudonymizeUserId('123', 'k'));
    expect(m.anonymousId).toBe('anon');
  });

  it('applies redact to every string taken from span data, with its path', () => {
    const paths: string[] = [];
    const t = createTranslator({
      prices: WALKTHROUGH_PRICES,
      catalogs: ['ai-agent', 'segment-copilot'],
      privacy: {
        captureContent: true,
        redact: (value, path) => {
          paths.push(path);
          return value.replace(/\d{6,}/g, '[number]');
        },
      },
    });
    const s = span({
      name: 'message customer',
      attributes: {
        ...conversation,
        'spantrack.interaction.kind': 'message',
        'spantrack.message.id': 'm1',
        'spantrack.message.role': 'customer',
        'spantrack.input.text': 'call me on 0712345678',
        'spantrack.property.tags': ['vip', 'id 99999999'],
      },
    });
    const m = t(s).messages[0] as TrackMessage;
    expect(m.userId).toBe('+[number]');
    expect(m.properties.message_body).toBe('call me on [number]');
    expect(m.properties.tags).toEqual(['vip', 'id [number]']);
    expect(paths).toEqual(
      expect.arrayContaining([
        'userId',
        'properties.conversationId',
        'properties.messageId',
        'properties.message_body',
        'properties.role',
        'properties.tags[0]',
        'properties.tags[1]',
        'context.channel',
      ]),
    );
    // Not on what spantrack generates itself.
    expect(paths).not.toContain('messageId');
    expect(paths).not.toContain('event');
  });

  it('drops a value whose redaction throws, and the message when it is an id', () => {
    const t = createTranslator({
      prices: WALKTHROUGH_PRICES,
      catalogs: ['ai-agent'],
      privacy: {
        redact: (value, path) => {
          if (path === 'properties.model') throw new Error('nope');
          if (path === 'userId' && value === 'bad') throw new Error('nope');
          return value;
        },
      },
    });
    const ok = t(walkthroughClassificationSpan());
    expect(ok.messages[0]).not.toHaveProperty('properties.model');
    expect(ok.diagnostics).toMatchObject([{ code: 'redact_error', attribute: 'properties.model' }]);
    const s = walkthroughClassificationSpan();
    const bad = t({ ...s, attributes: { ...s.attributes, 'user.id': 'bad' } });
    expect(bad.messages).toEqual([]);
    expect(bad.diagnostics.map((d) => d.code)).toContain('redact_error');
  });

  it('caps the size: cuts the longest content first, flags it, keeps the event under 32 KB', () => {
    const t = createTranslator({
      catalogs: ['ai-agent'],
      prices: WALKTHROUGH_PRICES,
      privacy: { captureContent: true },
    });
    const s = walkthroughClassificationSpan();
    const huge = 'é'.repeat(60_000);
    const r = t({ ...s, attributes: { ...s.attributes, 'spantrack.input.text': huge } });
    expect(r.messages).toHaveLength(1);
    const m = r.messages[0] as TrackMessage;
    expect(messageBytes(m)).toBeLessThanOrEqual(DEFAULT_MAX_EVENT_BYTES);
    expect(messageBytes(m)).toBeLessThan(SEGMENT_MAX_EVENT_BYTES);
    expect(m.properties.input_text_truncated).toBe(true);
    expect((m.properties.input_text as string).length).toBeGreaterThan(1000);
    expect(huge.startsWith(m.properties.input_text as string)).toBe(true);
    expect(m.properties.detected_intent).toBe('nil_filing');
    expect(r.diagnostics).toMatchObject([{ code: 'truncated', attribute: 'properties.input_text' }]);
  });

  it('cuts other long strings too, and drops user properties as a last resort', () => {
    const t = createTranslator({
      catalogs: ['ai-agent'],
      prices: WALKTHROUGH_PRICES,
      privacy: { maxEventBytes: 2048 },
    });
    const s = walkthroughClassificationSpan();
    const props: Record<string, string[]> = {};
    for (let i = 0; i < 20; i++) props[`spantrack.property.list${i}`] = ['x'.repeat(100)];
    const r = t({
      ...s,
      attributes: { ...s.attributes, 'spantrack.intent.name': 'i'.repeat(5000), ...props },
    });
    expect(r.messages).toHaveLength(1);
    const m = r.messages[0] as TrackMessage;
    expect(messageBytes(m)).toBeLessThanOrEqual(2048);
    expect(m.properties.detected_intent_truncated).toBe(true);
    expect(m.properties).not.toHaveProperty('list0');
    expect(m.properties.model).toBe('llama3.2:3b');
    expect(r.diagnostics.every((d) => d.code === 'truncated')).toBe(true);
  });

  it('drops the oversize user properties even when a redact hook rewrote them (never a documented field)', () => {
    const tags = Array.from({ length: 10_000 }, (_, i) => `item-${i}`);
    const s = span({
      attributes: {
        'spantrack.interaction.kind': 'generation',
        'user.id': 'u',
        'gen_ai.request.model': 'llama',
        'spantrack.property.tags': tags,
        'spantrack.property.model': 'user-model',
      },
    });
    for (const redact of [undefined, (v: string) => v.replace(/\d/g, '#')]) {
      const r = createTranslator({ catalogs: ['ai-agent'], prices: WALKTHROUGH_PRICES, privacy: { redact } })(
        s,
      );
      expect(r.diagnostics.map((d) => d.code)).toEqual(['truncated']);
      expect(r.diagnostics[0]!.message).toContain('properties.tags');
      const m = r.messages[0] as TrackMessage;
      expect(m.properties).not.toHaveProperty('tags');
      // The documented `model` wins over the user property of the same name, and is never dropped.
      expect(m.properties.model).toBe('llama');
    }
  });

  it('a user catalog copying a content-named user property through ctx.track still cannot send it with capture off', () => {
    // A source that bypasses readSpan and leaves a content-named user property in the interaction.
    const leaky: InteractionSource = {
      name: 'leaky',
      recognise(sp) {
        const it = normalize(sp);
        if (it !== undefined) it.properties = { input_text: 'SECRET', plan: 'pro' };
        return it;
      },
    };
    const t = createTranslator({ catalogs: ['ai-agent'], prices: WALKTHROUGH_PRICES, sources: [leaky] });
    const r = t(span({ attributes: { 'gen_ai.request.model': 'm', 'gen_ai.system': 'x', 'user.id': 'u' } }));
    const m = r.messages[0] as TrackMessage;
    expect(m.properties.plan).toBe('pro');
    expect(JSON.stringify(r.messages)).not.toContain('SECRET');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['invalid_attribute']);
  });

  it('measures exactly only when the cheap bound says it might be too large', () => {
    const m: TrackMessage = {
      type: 'track',
      event: 'e',
      messageId: 'id',
      timestamp: '2024-01-01T00:00:00.000Z',
      userId: 'u',
      properties: { a: 'short' },
    };
    expect(applyPrivacy(m, {})).toBe(m);
  });
});
