import type { Overview } from '../insights';

const na = (v: number | null, f: (n: number) => string) => (v === null ? 'n/a' : f(v));
const pct = (v: number | null) => na(v, (n) => `${(n * 100).toFixed(1)}%`);
const ms = (v: number | null) => na(v, (n) => `${Math.round(n)} ms`);
const usd = (v: number | null) => na(v, (n) => `$${n.toFixed(4)}`);
const fixed = (v: number | null, d: number) => na(v, (n) => n.toFixed(d));

function table(title: string, rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([k]) => k.length));
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), ''];
}

/** The dashboard's figures as text tables: what `spantrack report` prints. */
export function formatReport(o: Overview): string {
  const a = o.aiAgent;
  const c = o.conversations;
  const s = o.customerSignals;
  const filters = Object.entries(o.filters).filter(([, v]) => v);
  return [
    `Filters: ${filters.length ? filters.map(([k, v]) => `${k}=${v}`).join(' ') : 'none'}`,
    '',
    ...table('AI agent (the AI agent tracking plan)', [
      ['AI classifications', String(a.classifications)],
      ['AI accuracy (mean confidence)', fixed(a.accuracy, 3)],
      ['Average latency', ms(a.avgLatencyMs)],
      ['Error rate', `${pct(a.errorRate)} (${a.errors} of ${a.requests} AI requests)`],
      ['Top intents', a.topIntents.map((i) => `${i.intent} ${i.count}`).join(', ') || 'none'],
      ['Latency distribution', a.latencyDistribution.map((b) => `${b.bucket} ${b.count}`).join(', ')],
    ]),
    ...table('Conversations (the conversation tracking plan)', [
      ['Total conversations', String(c.total)],
      ['Messages per conversation', fixed(c.messagesPerConversation, 1)],
      ['Response rate', `${pct(c.responseRate)} (${c.answered} of ${c.customerMessages} customer messages)`],
      ['Average response time', ms(c.avgResponseTimeMs)],
      ['Cost per conversation', usd(c.costPerConversation)],
    ]),
    ...table('Customer signals (the customer-signals tracking plan)', [
      [
        'Handling auto / assisted / human',
        `${s.handling.auto} / ${s.handling.assisted} / ${s.handling.human}`,
      ],
      ['Escalated for human review', String(s.handling.escalated)],
      ['Severe negatives', String(s.severeNegatives)],
      ['Dissatisfaction detected', String(s.dissatisfaction)],
      ['Knowledge-base gaps', String(s.kbGaps)],
      ['Resolved / recovered', `${s.outcomes.resolved} / ${s.outcomes.recovered}`],
      ['Reopened', String(s.outcomes.reopened)],
      ['Successful human handoffs', String(s.outcomes.handoff_completed)],
      ['Top friction themes', s.topThemes.map((t) => `${t.theme_id} ${t.count}`).join(', ') || 'none'],
    ]),
  ].join('\n');
}
