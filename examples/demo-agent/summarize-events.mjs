// What `npm start` prints after the demo: the events the collector wrote, counted per event name
// and grouped by catalog, and the dashboard figures the tracking plans define, computed from those
// events.
import { readFileSync } from 'node:fs';
import { AiAgentEvent, CatalogName, CopilotEvent, CustomerSignalEvent } from '@spantrack/conventions';

/** The document each catalog implements, as the summary names it. */
const PLANS = {
  [CatalogName.AI_AGENT]: 'AI agent tracking plan',
  [CatalogName.SEGMENT_COPILOT]: "Segment's AI Copilot spec",
  [CatalogName.CUSTOMER_SIGNALS]: 'customer-signals tracking plan',
};
const CATALOG_OF = new Map([
  ...Object.values(AiAgentEvent).map((e) => [e, CatalogName.AI_AGENT]),
  ...Object.values(CopilotEvent).map((e) => [e, CatalogName.SEGMENT_COPILOT]),
  ...Object.values(CustomerSignalEvent).map((e) => [e, CatalogName.CUSTOMER_SIGNALS]),
]);
/** Display order of a catalog's events: the order its document lists them. */
const ORDER = [...CATALOG_OF.keys(), 'identify'];

/** The catalog a message comes from; `identify` is Segment's AI Copilot spec's. */
export function catalogOf(message) {
  if (message.type === 'identify') return CatalogName.SEGMENT_COPILOT;
  return CATALOG_OF.get(message.event) ?? 'other';
}

/**
 * Reads a JSONL file of messages, from byte `offset` on (to summarise one run of an appended file).
 * Lines that are not JSON are skipped.
 */
export function readJsonl(path, offset = 0) {
  const text = readFileSync(path).subarray(offset).toString('utf8');
  const messages = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      messages.push(JSON.parse(line));
    } catch {
      // A torn last line (the file is still being written) or foreign content.
    }
  }
  return messages;
}

const round = (n, digits = 0) => Number(n.toFixed(digits));
const mean = (xs) => (xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Counts per catalog and event, and the tracking plans' dashboard figures. */
export function summarizeEvents(messages) {
  const byId = new Map();
  for (const m of messages) byId.set(m.messageId, m);
  // Segment keeps one message per messageId: so does the summary.
  const unique = [...byId.values()];

  const catalogs = new Map();
  for (const m of unique) {
    const catalog = catalogOf(m);
    const name = m.type === 'identify' ? 'identify' : m.event;
    let counts = catalogs.get(catalog);
    if (counts === undefined) {
      counts = new Map();
      catalogs.set(catalog, counts);
    }
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const byCatalog = [CatalogName.AI_AGENT, CatalogName.SEGMENT_COPILOT, CatalogName.CUSTOMER_SIGNALS, 'other']
    .filter((c) => catalogs.has(c))
    .map((catalog) => {
      const counts = catalogs.get(catalog);
      const events = [...counts.entries()].sort(
        (a, b) => (ORDER.indexOf(a[0]) + 1 || 99) - (ORDER.indexOf(b[0]) + 1 || 99),
      );
      return { catalog, plan: PLANS[catalog], total: events.reduce((n, [, c]) => n + c, 0), events };
    });

  const track = (event) => unique.filter((m) => m.type === 'track' && m.event === event);
  const props = (m) => m.properties ?? {};

  // The AI agent tracking plan's dashboard.
  const classifications = track(AiAgentEvent.CLASSIFICATION);
  const generations = track(AiAgentEvent.GENERATION);
  const errors = track(AiAgentEvent.ERROR);
  const latencies = [...classifications, ...generations]
    .map((m) => props(m).latency_ms)
    .filter((n) => typeof n === 'number');
  const intents = new Map();
  for (const m of classifications) {
    const intent = props(m).detected_intent;
    intents.set(intent, (intents.get(intent) ?? 0) + 1);
  }
  const requests = classifications.length + generations.length + errors.length;
  const buckets = [
    ['<100 ms', 0, 100],
    ['100-250 ms', 100, 250],
    ['250-500 ms', 250, 500],
    ['500 ms-1 s', 500, 1000],
    ['>=1 s', 1000, Number.POSITIVE_INFINITY],
  ].map(([label, lo, hi]) => [label, latencies.filter((l) => l >= lo && l < hi).length]);
  const confidence = mean(
    classifications.map((m) => props(m).confidence).filter((n) => typeof n === 'number'),
  );
  const aiAgent = {
    classifications: classifications.length,
    accuracy: confidence === undefined ? undefined : round(confidence, 3),
    avgLatencyMs: latencies.length ? round(mean(latencies)) : undefined,
    errorRate: requests ? round(errors.length / requests, 3) : undefined,
    errors: errors.length,
    aiRequests: requests,
    topIntents: [...intents.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(b[0])),
    latencyDistribution: buckets,
  };

  // The conversation tracking plan's metrics, from the AI Copilot events.
  const conversations = new Map();
  const conv = (id) => {
    let c = conversations.get(id);
    if (c === undefined) {
      c = { sent: [], received: [], messageCount: undefined };
      conversations.set(id, c);
    }
    return c;
  };
  for (const m of track(CopilotEvent.CONVERSATION_STARTED)) conv(props(m).conversationId);
  for (const m of track(CopilotEvent.MESSAGE_SENT))
    conv(props(m).conversationId).sent.push(Date.parse(m.timestamp));
  for (const m of track(CopilotEvent.MESSAGE_RECEIVED)) {
    conv(props(m).conversationId).received.push(Date.parse(m.timestamp));
  }
  for (const m of track(CopilotEvent.CONVERSATION_ENDED))
    conv(props(m).conversationId).messageCount = props(m).message_count;
  const responseTimes = [];
  let sent = 0;
  let answered = 0;
  for (const c of conversations.values()) {
    c.sent.sort((a, b) => a - b);
    c.received.sort((a, b) => a - b);
    sent += c.sent.length;
    // Each customer message is answered by the first agent message at or after it.
    let r = 0;
    for (const s of c.sent) {
      while (r < c.received.length && c.received[r] < s) r++;
      if (r < c.received.length) {
        answered++;
        responseTimes.push(c.received[r] - s);
        r++;
      }
    }
  }
  const perConversation = [...conversations.values()].map(
    (c) => c.messageCount ?? c.sent.length + c.received.length,
  );
  const conversationsSummary = {
    conversations: conversations.size,
    messagesPerConversation: perConversation.length ? round(mean(perConversation), 1) : undefined,
    responseRate: sent ? round(answered / sent, 3) : undefined,
    avgResponseTimeMs: responseTimes.length ? round(mean(responseTimes)) : undefined,
  };

  // The customer-signals tracking plan's "auto / assisted / escalated handling split" and the
  // outcome counts.
  const split = { auto: 0, assisted: 0, human: 0 };
  for (const m of track(CustomerSignalEvent.REPLY_SENT)) {
    const mode = props(m).reply_mode;
    if (mode in split) split[mode]++;
  }
  const customerSignals = {
    handling: { ...split, escalated: track(CustomerSignalEvent.TRIAGE_ESCALATION_TRIGGERED).length },
    severeNegative: track(CustomerSignalEvent.SIGNAL_SEVERE_NEGATIVE_DETECTED).length,
    kbGaps: track(CustomerSignalEvent.REPLY_KB_GAP_DETECTED).length,
    resolvedOrRecovered:
      track(CustomerSignalEvent.OUTCOME_RESOLVED).length +
      track(CustomerSignalEvent.OUTCOME_RECOVERED).length,
    reopened: track(CustomerSignalEvent.OUTCOME_REOPENED).length,
  };

  return {
    messages: messages.length,
    uniqueMessageIds: unique.length,
    byCatalog,
    dashboards: { aiAgent, conversations: conversationsSummary, customerSignals },
  };
}

const pct = (x) => (x === undefined ? 'n/a' : `${round(x * 100, 1)}%`);
const or = (x, unit = '') => (x === undefined ? 'n/a' : `${x}${unit}`);

/** The summary as the lines `npm start` prints. */
export function formatSummary(summary) {
  const lines = [
    `Events by catalog: ${summary.uniqueMessageIds} events` +
      (summary.messages !== summary.uniqueMessageIds
        ? ` (${summary.messages} written; duplicates share a messageId)`
        : ''),
  ];
  for (const c of summary.byCatalog) {
    lines.push(`  ${`${c.catalog}${c.plan ? ` (${c.plan})` : ''}`.padEnd(50)}${String(c.total).padStart(4)}`);
    for (const [name, count] of c.events) lines.push(`    ${name.padEnd(48)}${String(count).padStart(4)}`);
  }
  const a = summary.dashboards.aiAgent;
  const v = summary.dashboards.conversations;
  const s = summary.dashboards.customerSignals;
  lines.push(
    'Dashboards',
    `  AI agent tracking plan:         ${a.classifications} classifications, accuracy (mean confidence) ${or(a.accuracy)}, ` +
      `avg latency ${or(a.avgLatencyMs, ' ms')}, error rate ${pct(a.errorRate)} (${a.errors} of ${a.aiRequests} AI requests)`,
    `                                  top intents: ${a.topIntents.map(([i, n]) => `${i} ${n}`).join(', ') || 'none'}`,
    `                                  latency: ${a.latencyDistribution.map(([l, n]) => `${l} ${n}`).join(', ')}`,
    `  conversation tracking plan:     ${v.conversations} conversations, ${or(v.messagesPerConversation)} messages per conversation, ` +
      `response rate ${pct(v.responseRate)}, avg response time ${or(v.avgResponseTimeMs, ' ms')}`,
    `  customer-signals tracking plan: handling auto ${s.handling.auto} / assisted ${s.handling.assisted} / escalated ${s.handling.escalated}, ` +
      `${s.severeNegative} severe negative, ${s.kbGaps} KB gaps, ${s.resolvedOrRecovered} resolved or recovered, ${s.reopened} reopened`,
  );
  return lines;
}
