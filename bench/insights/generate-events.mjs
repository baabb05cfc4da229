// A realistic event stream for the insights benchmark, made in chunks so a million events never
// sit in memory at once: AI classifications / generations / errors, conversations of Segment's AI
// Copilot spec (started, customer messages, AI replies, tool calls, ended), and customer signals,
// spread over 30 days, four channels and three assistants.

const DAY = 86_400_000;
const START = Date.parse('2026-10-01T00:00:00.000Z');
const CHANNELS = ['whatsapp', 'web_widget', 'test', 'api'];
const ASSISTANTS = ['kra-bot', 'help-bot', 'sales-bot'];
const INTENTS = [
  'nil_filing',
  'pin_registration',
  'tax_compliance',
  'refund_status',
  'billing',
  'other_intent',
];

/** A small deterministic generator, so every run stores the same events. */
function random(initial) {
  let s = initial >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Yields arrays of about `chunk` messages until `total` messages were made. */
export function* generateEvents(total, chunk = 10_000) {
  const rnd = random(42);
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  let made = 0;
  let batch = [];
  let n = 0;
  const track = (event, ts, properties, userId, channel) => {
    n += 1;
    batch.push({
      type: 'track',
      event,
      messageId: `bench-${n}`,
      timestamp: new Date(ts).toISOString(),
      userId,
      context: { channel },
      properties,
    });
  };
  while (made < total) {
    const ts = START + Math.floor(rnd() * 30 * DAY);
    const channel = pick(CHANNELS);
    const assistant = pick(ASSISTANTS);
    const userId = `user-${Math.floor(rnd() * 50_000)}`;
    const roll = rnd();
    if (roll < 0.45) {
      // A conversation: 1 to 4 exchanges, a tool call now and then, usually ended.
      const conversationId = `conv-${n}`;
      let t = ts;
      track('Conversation Started', t, { conversationId }, userId, channel);
      const exchanges = 1 + Math.floor(rnd() * 4);
      let messages = 0;
      for (let i = 0; i < exchanges; i++) {
        track(
          'Message Sent',
          t,
          { conversationId, messageId: `m-${n}`, role: 'customer', assistant },
          userId,
          channel,
        );
        messages += 1;
        if (rnd() < 0.2)
          track(
            'Action Invoked',
            t + 300,
            { conversationId, type: 'tool', action: 'lookup', assistant },
            userId,
            channel,
          );
        if (rnd() < 0.93) {
          t += 400 + Math.floor(rnd() * 3000);
          track(
            'Message Received',
            t,
            {
              conversationId,
              messageId: `r-${n}`,
              role: 'agent',
              assistant,
              prompt_tokens: 200,
              completion_tokens: 40,
              cost_usd: 0.0005 + rnd() * 0.002,
            },
            userId,
            channel,
          );
          messages += 1;
        }
        t += 5_000 + Math.floor(rnd() * 60_000);
      }
      if (rnd() < 0.8)
        track('Conversation Ended', t, { conversationId, message_count: messages }, userId, channel);
    } else if (roll < 0.8) {
      track(
        'ai.classification',
        ts,
        {
          detected_intent: pick(INTENTS),
          confidence: 0.5 + rnd() / 2,
          latency_ms: Math.floor(50 + rnd() * 1500),
          prompt_tokens: 120,
          completion_tokens: 15,
          model: 'llama3.2:3b',
          assistant,
        },
        userId,
        channel,
      );
    } else if (roll < 0.9) {
      track(
        'ai.generation',
        ts,
        { latency_ms: Math.floor(200 + rnd() * 3000), output_length: 80, model: 'llama3.2:3b', assistant },
        userId,
        channel,
      );
    } else if (roll < 0.93) {
      track(
        'ai.error',
        ts,
        { error_type: pick(['timeout', 'json_parse_error', 'network', 'context_length']), assistant },
        userId,
        channel,
      );
    } else {
      const event = pick([
        'ai_reply.sent',
        'ai_triage.completed',
        'ai_triage.escalation_triggered',
        'customer_signal.detected',
        'customer_signal.severe_negative_detected',
        'ai_reply.kb_gap_detected',
        'interaction.outcome_resolved',
        'interaction.outcome_reopened',
        'customer_signal.theme_clustered',
      ]);
      track(
        event,
        ts,
        {
          org_id: 'org-1',
          workspace_id: 'ws-1',
          user_id: userId,
          timestamp: new Date(ts).toISOString(),
          reply_mode: pick(['auto', 'assisted', 'human']),
          signal_type: pick(['dissatisfaction', 'praise']),
          kb_gap_type: 'missing_article',
          theme_id: pick(['billing', 'shipping', 'login']),
        },
        userId,
        channel,
      );
    }
    if (batch.length >= chunk) {
      made += batch.length;
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
