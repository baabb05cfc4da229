import { describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/index';
import { span } from './span-fixture';

const failOn = (failing: string) => (value: string, path: string) => {
  if (path === failing) throw new Error('redaction service down');
  return value;
};

describe('redact failing on a property the tracking plan requires', () => {
  it('drops the message instead of sending an event that breaks its plan', () => {
    const classification = span({
      attributes: {
        'spantrack.interaction.kind': 'classification',
        'spantrack.intent.name': 'nil_filing',
        'gen_ai.request.model': 'llama3.2:3b',
        'user.id': 'u-1',
      },
      durationMs: 5,
    });
    const dropped = createTranslator({ privacy: { redact: failOn('properties.detected_intent') } })(
      classification,
    );
    expect(dropped.messages).toEqual([]);
    expect(dropped.diagnostics).toMatchObject([
      {
        code: 'redact_error',
        attribute: 'properties.detected_intent',
        message:
          'redact failed on properties.detected_intent, which ai.classification requires: message not sent',
      },
    ]);
    // An optional property is dropped alone, as before.
    const kept = createTranslator({ privacy: { redact: failOn('properties.model') } })(classification);
    expect(kept.messages).toHaveLength(1);
    expect(kept.messages[0]).toMatchObject({ properties: { detected_intent: 'nil_filing' } });
    expect(kept.messages[0]!.type === 'track' && 'model' in kept.messages[0]!.properties).toBe(false);
  });

  it('applies to the customer-signals required fields too', () => {
    const reply = span({
      attributes: {
        'spantrack.interaction.kind': 'reply',
        'spantrack.reply.event': 'sent',
        'spantrack.org.id': 'org-1',
        'spantrack.workspace.id': 'ws-1',
        'user.id': 'u-1',
      },
    });
    expect(createTranslator({ privacy: { redact: failOn('properties.org_id') } })(reply).messages).toEqual(
      [],
    );
    expect(
      createTranslator({ privacy: { redact: failOn('properties.app_surface') } })(reply).messages,
    ).toHaveLength(1);
  });
});
