import { describe, expect, it } from 'vitest';
import { expectInternal, hrToMs, setup, useDiag } from './support';

const diagState = useDiag();
const who = { orgId: 'org-1', workspaceId: 'ws-1', userId: 'u-1' };
const whoAttrs = {
  'gen_ai.agent.name': 'default',
  'spantrack.org.id': 'org-1',
  'spantrack.workspace.id': 'ws-1',
  'user.id': 'u-1',
};
const common = { channelType: 'instagram', appSurface: 'inbox', result: 'ok', errorCode: 'E0' };
const commonAttrs = {
  'spantrack.channel': 'instagram',
  'spantrack.app_surface': 'inbox',
  'spantrack.result': 'ok',
  'spantrack.error.code': 'E0',
};

describe('the customer-signals tracking plan', () => {
  it('signal', () => {
    const { tracker, only } = setup();
    const timestamp = Date.UTC(2024, 0, 1);
    tracker.signal({
      ...who,
      ...common,
      event: 'severe_negative_detected',
      signalType: 'dissatisfaction',
      severity: 'high',
      themeId: 'th-1',
      timestamp,
    });
    const span = only();
    expect(span.name).toBe('customer_signal.severe_negative_detected');
    expectInternal(span);
    expect(hrToMs(span.startTime)).toBe(timestamp);
    expect(span.endTime).toEqual(span.startTime);
    expect(span.attributes).toEqual({
      ...whoAttrs,
      ...commonAttrs,
      'spantrack.interaction.kind': 'signal',
      'spantrack.signal.event': 'severe_negative_detected',
      'spantrack.signal.signal_type': 'dissatisfaction',
      'spantrack.signal.severity': 'high',
      'spantrack.signal.theme_id': 'th-1',
    });
  });

  it('signal defaults to detected', () => {
    const { tracker, only } = setup();
    tracker.signal({ ...who });
    expect(only().name).toBe('customer_signal.detected');
  });

  it('triage, with escalation', () => {
    const { tracker, spans } = setup();
    tracker.triage({
      ...who,
      triageResult: 'billing',
      confidenceBand: 'low',
      escalated: true,
      escalationReason: 'vip',
    });
    const [completed, escalation] = spans();
    const payload = {
      ...whoAttrs,
      'spantrack.interaction.kind': 'triage',
      'spantrack.triage.triage_result': 'billing',
      'spantrack.triage.confidence_band': 'low',
      'spantrack.triage.escalation_reason': 'vip',
    };
    expect(completed!.name).toBe('ai_triage.completed');
    expectInternal(completed!);
    expect(completed!.attributes).toEqual({ ...payload, 'spantrack.triage.event': 'completed' });
    expect(escalation!.name).toBe('ai_triage.escalation_triggered');
    expect(escalation!.attributes).toEqual({ ...payload, 'spantrack.triage.event': 'escalation_triggered' });
  });

  it('triage without escalation writes one span', () => {
    const { tracker, only } = setup();
    tracker.triage({ ...who, triageResult: 'faq' });
    expect(only().name).toBe('ai_triage.completed');
  });

  it.each(['generated', 'sent', 'kb_gap_detected'] as const)('reply %s', (event) => {
    const { tracker, only } = setup();
    tracker.reply({
      ...who,
      event,
      replyMode: 'assisted',
      kbGapType: 'missing_article',
      confidenceBand: 'mid',
    });
    expect(only().name).toBe(`ai_reply.${event}`);
    expectInternal(only());
    expect(only().attributes).toEqual({
      ...whoAttrs,
      'spantrack.interaction.kind': 'reply',
      'spantrack.reply.event': event,
      'spantrack.reply.reply_mode': 'assisted',
      'spantrack.reply.kb_gap_type': 'missing_article',
      'spantrack.reply.confidence_band': 'mid',
    });
  });

  it.each(['resolved', 'recovered', 'reopened', 'handoff_completed'] as const)('outcome %s', (event) => {
    const { tracker, only } = setup();
    tracker.outcome({
      ...who,
      event,
      outcomeType: 'refund',
      previousSignalType: 'dissatisfaction',
      timeToResolutionMs: 3_600_000,
      handoffTarget: 'tier2',
      resolutionPath: 'human',
    });
    expect(only().name).toBe(`interaction.outcome_${event}`);
    expectInternal(only());
    expect(only().attributes).toEqual({
      ...whoAttrs,
      'spantrack.interaction.kind': 'outcome',
      'spantrack.outcome.event': event,
      'spantrack.outcome.outcome_type': 'refund',
      'spantrack.outcome.previous_signal_type': 'dissatisfaction',
      'spantrack.outcome.time_to_resolution_ms': 3_600_000,
      'spantrack.outcome.handoff_target': 'tier2',
      'spantrack.outcome.resolution_path': 'human',
    });
  });

  it('drops an unknown event (no span) and an unknown reply mode (rest kept)', () => {
    const { tracker, spans } = setup();
    tracker.signal({ ...who, event: 'exploded' as never });
    // @ts-expect-error: event is required
    tracker.outcome({ ...who });
    tracker.reply({ ...who, replyMode: 'robot' as never, kbGapType: 'x' });
    expect(spans().map((s) => s.name)).toEqual(['ai_reply.generated']);
    expect(spans()[0]!.attributes['spantrack.reply.reply_mode']).toBeUndefined();
    expect(spans()[0]!.attributes['spantrack.reply.kb_gap_type']).toBe('x');
    expect(diagState.warnings).toHaveLength(3);
    expect(diagState.warnings.join('\n')).toMatch(/signal: dropped "event"/);
    expect(diagState.warnings.join('\n')).toMatch(/reply: dropped "replyMode"/);
  });
});
