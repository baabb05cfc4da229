import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AgentTracker } from '@spantrack/instrumentation';

const T0 = Date.parse('2026-11-20T09:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const scope = { orgId: 'org-1', workspaceId: 'ws-1' };

/**
 * A known workload made through spantrack's own API, so it reaches the store the way a user's
 * agent does: tracker → spans → AnalyticsSpanProcessor → translator → store.
 * WhatsApp (kra-bot): 6 classifications, 3 generations, 1 error, 2 conversations. Web widget (help-bot):
 * 2 classifications, 1 conversation. Plus customer-signal events.
 */
export async function runWorkload(provider: BasicTracerProvider) {
  const kra = new AgentTracker({
    tracerProvider: provider,
    agentName: 'kra-bot',
    channel: 'whatsapp',
    captureContent: true,
  });
  const help = new AgentTracker({
    tracerProvider: provider,
    agentName: 'help-bot',
    channel: 'web_widget',
    captureContent: true,
  });
  const intents = [
    'nil_filing',
    'pin_registration',
    'nil_filing',
    'tax_compliance',
    'nil_filing',
    'pin_registration',
  ];
  for (const [i, intent] of intents.entries()) {
    await kra.classify(
      { userId: `+25470000000${i}`, model: 'llama3.2:3b', properties: { assistant: 'kra-bot' } },
      (h) => {
        h.setUsage({ inputTokens: 100 + i, outputTokens: 10 });
        return { intent, confidence: 0.5 + i * 0.08 };
      },
    );
  }
  // Generations with known latencies (a one-shot interaction lasting `latency` ms).
  for (const [i, latency] of [120, 640, 1300].entries()) {
    kra.track({ userId: `+25470000000${i}`, latency, properties: { assistant: 'kra-bot' } });
  }
  kra.error({
    userId: '+254700000001',
    type: 'timeout',
    recovered: false,
    properties: { assistant: 'kra-bot' },
  });
  for (const [i, intent] of ['billing', 'billing'].entries()) {
    await help.classify(
      { userId: `web-${i}`, model: 'gpt-4o-mini', properties: { assistant: 'help-bot' } },
      () => ({
        intent,
        confidence: 0.9,
      }),
    );
  }

  const kraProps = { assistant: 'kra-bot' };
  const a = kra.conversation({ conversationId: 'conv-wa-1', userId: '+254700000001' });
  a.messageSent({
    messageId: 'wa1-m1',
    body: 'I want to file nil returns',
    timestamp: at(0),
    properties: kraProps,
  });
  a.actionInvoked({
    action: 'lookup_pin',
    type: 'tool',
    role: 'agent',
    timestamp: at(1),
    properties: kraProps,
  });
  a.messageReceived({
    messageId: 'wa1-r1',
    body: 'Sure. What is your KRA PIN?',
    timestamp: at(2),
    properties: { ...kraProps, cost_usd: 0.0021 },
  });
  a.messageSent({ messageId: 'wa1-m2', body: 'A012345678Z', timestamp: at(30), properties: kraProps });
  a.messageReceived({
    messageId: 'wa1-r2',
    body: 'Your nil return is filed.',
    timestamp: at(33),
    properties: { ...kraProps, cost_usd: 0.0034 },
  });
  a.end({ timestamp: at(40) });

  const b = kra.conversation({ conversationId: 'conv-wa-2', userId: '+254700000002' });
  b.messageSent({ messageId: 'wa2-m1', body: 'hello?', timestamp: at(3600), properties: kraProps });

  const c = help.conversation({ conversationId: 'conv-web-1', userId: 'web-0' });
  c.messageSent({
    messageId: 'web1-m1',
    body: 'Where is my invoice?',
    timestamp: at(7200),
    properties: { assistant: 'help-bot' },
  });
  c.messageReceived({
    messageId: 'web1-r1',
    body: 'Under Billing → Invoices.',
    timestamp: at(7201.5),
    properties: { assistant: 'help-bot', cost_usd: 0.001 },
  });
  c.end({ timestamp: at(7300) });

  kra.reply({ ...scope, userId: 'u1', event: 'sent', replyMode: 'auto', timestamp: at(100) });
  kra.reply({ ...scope, userId: 'u2', event: 'sent', replyMode: 'assisted', timestamp: at(101) });
  kra.triage({ ...scope, userId: 'u3', escalated: true, timestamp: at(102) });
  kra.signal({
    ...scope,
    userId: 'u3',
    event: 'severe_negative_detected',
    severity: 'high',
    timestamp: at(103),
  });
  kra.reply({
    ...scope,
    userId: 'u3',
    event: 'kb_gap_detected',
    kbGapType: 'missing_article',
    timestamp: at(104),
  });
  kra.outcome({ ...scope, userId: 'u1', event: 'resolved', timestamp: at(105) });
  kra.outcome({ ...scope, userId: 'u3', event: 'reopened', timestamp: at(106) });
}
