import type { Metric } from './metric';

const count = (event: string, name: string) => `count(*) FILTER (WHERE event = '${event}') AS ${name}`;

/** The customer-signals tracking plan's dashboard modules. */
export const customerSignalMetrics: readonly Metric[] = [
  {
    name: 'signals_handling_mix',
    title: 'Auto / assisted / escalated handling split',
    plan: 'customer-signals',
    shape: 'value',
    uses: ['fev'],
    filtered: true,
    sql: `SELECT count(*) FILTER (WHERE event = 'ai_reply.sent' AND reply_mode = 'auto') AS auto,
       count(*) FILTER (WHERE event = 'ai_reply.sent' AND reply_mode = 'assisted') AS assisted,
       count(*) FILTER (WHERE event = 'ai_reply.sent' AND reply_mode = 'human') AS human,
       ${count('ai_triage.escalation_triggered', 'escalated')},
       ${count('ai_triage.completed', 'triaged')}
FROM fev`,
  },
  {
    name: 'signals_negatives',
    title: 'Dissatisfaction and severe negatives',
    plan: 'customer-signals',
    shape: 'value',
    uses: ['fev'],
    filtered: true,
    sql: `SELECT ${count('customer_signal.severe_negative_detected', 'value')},
       count(*) FILTER (WHERE event = 'customer_signal.detected' AND signal_type = 'dissatisfaction')
         AS dissatisfaction
FROM fev`,
  },
  {
    name: 'signals_kb_gaps',
    title: 'Knowledge-base gaps affecting replies',
    plan: 'customer-signals',
    shape: 'rows',
    uses: ['fev'],
    filtered: true,
    sql: `SELECT coalesce(kb_gap_type, '(unspecified)') AS kb_gap_type, count(*) AS count
FROM fev WHERE event = 'ai_reply.kb_gap_detected'
GROUP BY coalesce(kb_gap_type, '(unspecified)')
ORDER BY count DESC, kb_gap_type`,
  },
  {
    name: 'signals_outcomes',
    title: 'Outcomes',
    plan: 'customer-signals',
    shape: 'value',
    uses: ['fev'],
    filtered: true,
    sql: `SELECT ${count('interaction.outcome_resolved', 'resolved')},
       ${count('interaction.outcome_recovered', 'recovered')},
       ${count('interaction.outcome_reopened', 'reopened')},
       ${count('interaction.outcome_handoff_completed', 'handoff_completed')}
FROM fev`,
  },
  {
    name: 'signals_top_themes',
    title: 'Top friction themes',
    plan: 'customer-signals',
    shape: 'rows',
    uses: ['fev'],
    filtered: true,
    extraParams: ['limit'],
    sql: `SELECT theme_id, count(*) AS count
FROM fev WHERE event = 'customer_signal.theme_clustered' AND theme_id IS NOT NULL
GROUP BY theme_id ORDER BY count DESC, theme_id
LIMIT CAST($limit AS INTEGER)`,
  },
];
