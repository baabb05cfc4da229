import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { countByName, named, props, runExampleThroughCollector } from '../../../test/helpers/example-e2e';

const dir = fileURLToPath(new URL('..', import.meta.url));

it('customer-signals sends every event of the customer-signals tracking plan, with the required fields and no content', async () => {
  const run = await runExampleThroughCollector(dir, {
    expectedMessages: 18,
    // Even with content capture on, the customer-signals events carry none.
    env: { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' },
  });
  const { messages } = run;
  expect(run.duplicates).toEqual([]);
  // The printed summary agrees with the events counted below: 4 customer_signal.*, 3 triages with
  // 1 escalation, 5 ai_reply.*, 5 interaction.outcome_*.
  expect(run.stdout).toMatch(
    /customer-signals: 3 inbox items, 4 signals, 3 triages \(1 escalated\), 5 replies, 5 outcomes; \d+ spans, \d+ exported over OTLP, 0 failed/,
  );
  expect(countByName(messages)).toEqual({
    'ai_reply.generated': 2,
    'ai_reply.kb_gap_detected': 1,
    'ai_reply.sent': 2,
    'ai_triage.completed': 3,
    'ai_triage.escalation_triggered': 1,
    'customer_signal.detected': 1,
    'customer_signal.severe_negative_detected': 1,
    'customer_signal.success_detected': 1,
    'customer_signal.theme_clustered': 1,
    'interaction.outcome_handoff_completed': 1,
    'interaction.outcome_recovered': 1,
    'interaction.outcome_reopened': 1,
    'interaction.outcome_resolved': 2,
  });
  for (const m of messages) {
    const p = props(m);
    expect(p).toMatchObject({
      org_id: 'org_acme',
      workspace_id: 'ws_support_ke',
      user_id: m.userId,
      timestamp: m.timestamp,
    });
    expect(['u_1001', 'u_1002', 'u_1003']).toContain(m.userId);
    for (const key of Object.keys(p))
      expect(['input_text', 'message_body', 'output_text']).not.toContain(key);
  }

  const only = (event: string) => {
    const found = named(messages, event);
    expect(found, event).toHaveLength(1);
    return props(found[0]!);
  };
  expect(only('customer_signal.detected')).toMatchObject({
    user_id: 'u_1001',
    channel_type: 'whatsapp',
    app_surface: 'inbox',
    signal_type: 'dissatisfaction',
    severity: 'medium',
  });
  expect(only('customer_signal.theme_clustered')).toMatchObject({ theme_id: 'late_refund' });
  expect(only('customer_signal.severe_negative_detected')).toMatchObject({
    user_id: 'u_1002',
    channel_type: 'instagram_comment',
    app_surface: 'comment_responder',
    signal_type: 'legal_threat',
    severity: 'critical',
  });
  const escalation = only('ai_triage.escalation_triggered');
  expect(escalation).toMatchObject({
    user_id: 'u_1002',
    triage_result: 'legal',
    confidence_band: 'low',
    escalation_reason: 'legal_threat',
  });
  expect(only('ai_reply.kb_gap_detected')).toMatchObject({
    kb_gap_type: 'missing_article',
    confidence_band: 'low',
  });
  expect(only('interaction.outcome_handoff_completed')).toMatchObject({
    handoff_target: 'tier2_support',
    resolution_path: 'human',
    time_to_resolution_ms: 2_700_000,
  });
  expect(only('interaction.outcome_recovered')).toMatchObject({ previous_signal_type: 'legal_threat' });
  expect(only('interaction.outcome_reopened')).toMatchObject({
    user_id: 'u_1003',
    previous_signal_type: 'praise',
  });
  expect(
    named(messages, 'ai_reply.sent')
      .map((m) => props(m).reply_mode)
      .sort(),
  ).toEqual(['assisted', 'auto']);
  expect(
    named(messages, 'interaction.outcome_resolved')
      .map((m) => [m.userId, props(m).outcome_type])
      .sort(),
  ).toEqual([
    ['u_1001', 'refund_issued'],
    ['u_1003', 'answered'],
  ]);
});
