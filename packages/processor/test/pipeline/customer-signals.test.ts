import { describe, expect, it } from 'vitest';
import { createTranslator, pseudonymizeUserId, type TrackMessage } from '../../src/index';
import { iso, span } from './span-fixture';

const signals = createTranslator({ catalogs: ['customer-signals'] });
const signalsWithCapture = createTranslator({
  catalogs: ['customer-signals'],
  privacy: { captureContent: true },
});

/** Who and where, plus the customer-signals tracking plan's common optional fields. */
const common = {
  'user.id': 'usr_42',
  'spantrack.org.id': 'org_1',
  'spantrack.workspace.id': 'ws_1',
  'spantrack.channel': 'whatsapp',
  'spantrack.app_surface': 'inbox',
  'spantrack.result': 'ok',
  'spantrack.error.code': 'E_NONE',
};
const required = { org_id: 'org_1', workspace_id: 'ws_1', user_id: 'usr_42', timestamp: iso(0) };
const optional = { channel_type: 'whatsapp', app_surface: 'inbox', result: 'ok', error_code: 'E_NONE' };

function one(attributes: Record<string, string | number>, name = 'span'): TrackMessage {
  const { messages, diagnostics } = signals(span({ name, attributes }));
  expect(diagnostics).toEqual([]);
  expect(messages).toHaveLength(1);
  return messages[0] as TrackMessage;
}

describe('customer-signals catalog (the customer-signals tracking plan)', () => {
  it.each([
    ['detected', 'customer_signal.detected'],
    ['severe_negative_detected', 'customer_signal.severe_negative_detected'],
    ['success_detected', 'customer_signal.success_detected'],
    ['theme_clustered', 'customer_signal.theme_clustered'],
  ])('signal %s → %s', (value, event) => {
    const m = one({
      ...common,
      'spantrack.interaction.kind': 'signal',
      'spantrack.signal.event': value,
      'spantrack.signal.signal_type': 'dissatisfaction',
      'spantrack.signal.severity': 'high',
      'spantrack.signal.theme_id': 'theme_7',
    });
    expect(m).toMatchObject({ type: 'track', event, userId: 'usr_42', timestamp: iso(0) });
    expect(m.properties).toEqual({
      ...required,
      ...optional,
      signal_type: 'dissatisfaction',
      severity: 'high',
      theme_id: 'theme_7',
    });
  });

  it.each([
    ['completed', 'ai_triage.completed'],
    ['escalation_triggered', 'ai_triage.escalation_triggered'],
  ])('triage %s → %s', (value, event) => {
    const m = one({
      ...common,
      'spantrack.interaction.kind': 'triage',
      'spantrack.triage.event': value,
      'spantrack.triage.triage_result': 'billing',
      'spantrack.triage.confidence_band': 'high',
      'spantrack.triage.escalation_reason': 'legal',
    });
    expect(m.event).toBe(event);
    expect(m.properties).toEqual({
      ...required,
      ...optional,
      triage_result: 'billing',
      confidence_band: 'high',
      escalation_reason: 'legal',
    });
  });

  it.each([
    ['generated', 'ai_reply.generated'],
    ['sent', 'ai_reply.sent'],
    ['kb_gap_detected', 'ai_reply.kb_gap_detected'],
  ])('reply %s → %s', (value, event) => {
    const m = one({
      ...common,
      'spantrack.interaction.kind': 'reply',
      'spantrack.reply.event': value,
      'spantrack.reply.reply_mode': 'assisted',
      'spantrack.reply.kb_gap_type': 'missing_article',
      'spantrack.reply.confidence_band': 'low',
    });
    expect(m.event).toBe(event);
    expect(m.properties).toEqual({
      ...required,
      ...optional,
      reply_mode: 'assisted',
      kb_gap_type: 'missing_article',
      confidence_band: 'low',
    });
  });

  it.each([
    ['resolved', 'interaction.outcome_resolved'],
    ['recovered', 'interaction.outcome_recovered'],
    ['reopened', 'interaction.outcome_reopened'],
    ['handoff_completed', 'interaction.outcome_handoff_completed'],
  ])('outcome %s → %s', (value, event) => {
    const m = one({
      ...common,
      'spantrack.interaction.kind': 'outcome',
      'spantrack.outcome.event': value,
      'spantrack.outcome.outcome_type': 'resolved_by_ai',
      'spantrack.outcome.previous_signal_type': 'dissatisfaction',
      'spantrack.outcome.time_to_resolution_ms': 360000,
      'spantrack.outcome.handoff_target': 'tier2',
      'spantrack.outcome.resolution_path': 'kb_article',
    });
    expect(m.event).toBe(event);
    expect(m.properties).toEqual({
      ...required,
      ...optional,
      outcome_type: 'resolved_by_ai',
      previous_signal_type: 'dissatisfaction',
      time_to_resolution_ms: 360000,
      handoff_target: 'tier2',
      resolution_path: 'kb_article',
    });
  });

  it('carries only the required fields when nothing optional is known', () => {
    const m = one({
      'user.id': 'usr_42',
      'spantrack.org.id': 'org_1',
      'spantrack.workspace.id': 'ws_1',
      'spantrack.interaction.kind': 'triage',
      'spantrack.triage.event': 'completed',
    });
    expect(m.properties).toEqual(required);
  });

  it('takes the event from the span name when the event attribute is missing', () => {
    const m = one({ ...common, 'spantrack.interaction.kind': 'signal' }, 'customer_signal.theme_clustered');
    expect(m.event).toBe('customer_signal.theme_clustered');
  });

  it('never carries content, even with capture on', () => {
    const { messages } = signalsWithCapture(
      span({
        attributes: {
          ...common,
          'spantrack.interaction.kind': 'signal',
          'spantrack.signal.event': 'detected',
          'spantrack.input.text': 'my order never arrived, I am furious',
          'spantrack.output.text': 'sorry!',
        },
      }),
    );
    expect(JSON.stringify(messages)).not.toContain('furious');
    expect(JSON.stringify(messages)).not.toContain('sorry');
  });

  it.each([
    ['spantrack.org.id', 'org_id'],
    ['spantrack.workspace.id', 'workspace_id'],
    ['user.id', 'user_id'],
  ])('does not send an event missing %s, and says so', (key, field) => {
    const attributes: Record<string, string> = {
      ...common,
      'spantrack.interaction.kind': 'reply',
      'spantrack.reply.event': 'sent',
    };
    delete attributes[key];
    const { messages, diagnostics } = signals(span({ attributes }));
    expect(messages).toEqual([]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: 'missing_required',
      catalog: 'customer-signals',
      event: 'ai_reply.sent',
    });
    expect(diagnostics[0]!.message).toContain(field);
  });

  it('reports an event value the tracking plan does not define', () => {
    const { messages, diagnostics } = signals(
      span({
        attributes: {
          ...common,
          'spantrack.interaction.kind': 'signal',
          'spantrack.signal.event': 'exploded',
        },
      }),
    );
    expect(messages).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toEqual(['unknown_event']);
  });

  it('puts the pseudonymised internal id in user_id and userId alike', () => {
    const t = createTranslator({
      catalogs: ['customer-signals'],
      privacy: { pseudonymizeUserIds: { secret: 's3cret' } },
    });
    const m = t(
      span({
        attributes: {
          ...common,
          'spantrack.interaction.kind': 'signal',
          'spantrack.signal.event': 'detected',
        },
      }),
    ).messages[0] as TrackMessage;
    const expected = pseudonymizeUserId('usr_42', 's3cret');
    expect(m.userId).toBe(expected);
    expect(m.properties.user_id).toBe(expected);
  });
});
