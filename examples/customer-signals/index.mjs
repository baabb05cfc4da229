// The customer-signals tracking plan (signals, triage, replies, outcomes): three inbound items of
// one workspace's inbox, from detection to outcome. Every event carries org_id, workspace_id, user_id and
// timestamp, and never any message content (the catalog drops it even with capture on).
import { AgentTracker } from '@spantrack/instrumentation';

export const ORG_ID = 'org_acme';
export const WORKSPACE_ID = 'ws_support_ke';

/**
 * Runs the three items. Spans go to the global tracer provider unless a tracker is given.
 * @param {object} [options]
 * @param {AgentTracker} [options.tracker]  default: agent `signals-pipeline` in org_acme / ws_support_ke
 * @param {(line: string) => void} [options.log]
 * @returns {Promise<{ items: number, signals: number, triages: number, escalations: number, replies: number, outcomes: number }>}
 *   how many inbox items were played, and how many calls of each kind they made
 */
export async function run(options = {}) {
  const log = options.log ?? (() => {});
  const tracker =
    options.tracker ??
    new AgentTracker({ agentName: 'signals-pipeline', orgId: ORG_ID, workspaceId: WORKSPACE_ID });
  const counts = { signals: 0, triages: 0, escalations: 0, replies: 0, outcomes: 0 };
  // The calls this example makes, counted for the closing summary.
  const signal = (fields) => {
    counts.signals += 1;
    tracker.signal(fields);
  };
  const triage = (fields) => {
    counts.triages += 1;
    if (fields.escalated) counts.escalations += 1;
    tracker.triage(fields);
  };
  const reply = (fields) => {
    counts.replies += 1;
    tracker.reply(fields);
  };
  const outcome = (fields) => {
    counts.outcomes += 1;
    tracker.outcome(fields);
  };
  const inWorkspace = (userId, fn) =>
    tracker.withContext({ orgId: ORG_ID, workspaceId: WORKSPACE_ID, userId }, fn);

  // 1. A late refund on WhatsApp: dissatisfaction, clustered into a theme, handled automatically.
  inWorkspace('u_1001', () => {
    const common = { channelType: 'whatsapp', appSurface: 'inbox' };
    signal({ ...common, event: 'detected', signalType: 'dissatisfaction', severity: 'medium' });
    signal({
      ...common,
      event: 'theme_clustered',
      signalType: 'dissatisfaction',
      themeId: 'late_refund',
    });
    triage({ ...common, triageResult: 'billing', confidenceBand: 'high' });
    reply({ ...common, event: 'generated', replyMode: 'auto', confidenceBand: 'high' });
    reply({ ...common, event: 'sent', replyMode: 'auto', result: 'delivered' });
    outcome({
      ...common,
      event: 'resolved',
      outcomeType: 'refund_issued',
      previousSignalType: 'dissatisfaction',
      timeToResolutionMs: 2 * 3_600_000,
      resolutionPath: 'auto_reply',
    });
  });
  log('u_1001 (whatsapp): late refund -> auto reply -> resolved');

  // 2. A public comment threatening legal action: severe, escalated to a human, the knowledge
  //    base had no answer, the handoff completed and the customer calmed down.
  inWorkspace('u_1002', () => {
    const common = { channelType: 'instagram_comment', appSurface: 'comment_responder' };
    signal({
      ...common,
      event: 'severe_negative_detected',
      signalType: 'legal_threat',
      severity: 'critical',
    });
    triage({
      ...common,
      triageResult: 'legal',
      confidenceBand: 'low',
      escalated: true,
      escalationReason: 'legal_threat',
    });
    reply({
      ...common,
      event: 'kb_gap_detected',
      kbGapType: 'missing_article',
      confidenceBand: 'low',
    });
    outcome({
      ...common,
      event: 'handoff_completed',
      outcomeType: 'human_handled',
      handoffTarget: 'tier2_support',
      resolutionPath: 'human',
      timeToResolutionMs: 45 * 60_000,
    });
    outcome({
      ...common,
      event: 'recovered',
      previousSignalType: 'legal_threat',
      outcomeType: 'apology_accepted',
    });
  });
  log('u_1002 (instagram_comment): legal threat -> escalated -> kb gap -> handoff -> recovered');

  // 3. Praise in the web widget, an assisted answer; the customer's problem comes back a day later.
  inWorkspace('u_1003', () => {
    const common = { channelType: 'web_widget', appSurface: 'widget' };
    signal({ ...common, event: 'success_detected', signalType: 'praise', severity: 'low' });
    triage({ ...common, triageResult: 'account', confidenceBand: 'medium' });
    reply({ ...common, event: 'generated', replyMode: 'assisted', confidenceBand: 'medium' });
    reply({ ...common, event: 'sent', replyMode: 'assisted' });
    outcome({
      ...common,
      event: 'resolved',
      outcomeType: 'answered',
      timeToResolutionMs: 5 * 60_000,
    });
    outcome({ ...common, event: 'reopened', previousSignalType: 'praise', outcomeType: 'answered' });
  });
  log('u_1003 (web_widget): praise -> assisted reply -> resolved -> reopened');

  return { items: 3, ...counts };
}
