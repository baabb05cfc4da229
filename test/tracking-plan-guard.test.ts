import { channel } from 'node:diagnostics_channel';
import { AiAgentEvent, validateMessage } from '@spantrack/conventions';
import { type Catalog, createTranslator, MESSAGE_CHANNEL_NAME, type SpanLike } from '@spantrack/processor';
import { describe, expect, it } from 'vitest';
import { takeViolations } from './setup/validate-messages';

// The suite-wide guard (test/setup/validate-messages.ts) is what makes every other test fail on a
// message that breaks a tracking plan: this checks that it does see and judge what the processor makes.
const span: SpanLike = {
  name: 'classify',
  kind: 1,
  events: [],
  status: { code: 0 },
  resource: {},
  scope: { name: 'guard' },
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  startTimeUnixNano: 1_714_564_800_000_000_000n,
  endTimeUnixNano: 1_714_564_800_450_000_000n,
  attributes: {
    'spantrack.interaction.kind': 'classification',
    'spantrack.intent.name': 'nil_filing',
    'spantrack.intent.confidence': 0.99,
    'user.id': '+254712345678',
  },
};

describe('the tracking-plan guard of the test suite', () => {
  it('validates every produced message, content capture included, at no cost without subscribers', () => {
    const seen: unknown[] = [];
    const ch = channel(MESSAGE_CHANNEL_NAME);
    const listener = (data: unknown) => seen.push(data);
    ch.subscribe(listener);
    try {
      const { messages } = createTranslator()(span);
      expect(messages.map((m) => (m.type === 'track' ? m.event : m.type))).toEqual([
        AiAgentEvent.CLASSIFICATION,
      ]);
      expect(seen).toEqual([{ message: messages[0], catalog: 'ai-agent', captureContent: false }]);
      expect(validateMessage(messages[0], undefined, { captureContent: false })).toMatchObject({
        valid: true,
        checkedBy: ['ai-agent'],
      });
    } finally {
      ch.unsubscribe(listener);
    }
    expect(takeViolations()).toEqual([]);
  });

  it('fails the test when a built-in catalog sends a message its plan does not allow', () => {
    // A catalog under a built-in name stands in for a catalog bug: ai.classification without its intent.
    const buggy: Catalog = {
      name: 'ai-agent',
      map: (it, ctx) => [
        ctx.track(it, AiAgentEvent.CLASSIFICATION, { confidence: 3 }),
        ctx.track(it, 'ai.classified', {}),
      ],
    };
    const { messages } = createTranslator({ catalogs: [buggy] })(span);
    expect(messages).toHaveLength(2);
    expect(takeViolations()).toEqual([
      'ai-agent "ai.classification": properties.detected_intent required property "detected_intent" is missing',
      'ai-agent "ai.classification": properties.confidence must be <= 1',
      'ai-agent sent "ai.classified", an event its tracking plan does not name',
    ]);
  });

  it("checks a user catalog's events only against the plans registered for them", () => {
    const shop: Catalog = {
      name: 'shop',
      map: (it, ctx) => [ctx.track(it, 'Item Purchased', { price: 'free' })],
    };
    createTranslator({ catalogs: ['ai-agent', shop] })(span);
    expect(takeViolations()).toEqual([]);
  });
});
