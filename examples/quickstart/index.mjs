// Quickstart: a WhatsApp tax bot instrumented once with @spantrack/instrumentation.
// Plays one short conversation and prints the spans it produced, as a tree.
//
//   npm run build && node examples/quickstart/index.mjs   (from the repository root)
import { context, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { AgentTracker, ContextAttributesSpanProcessor } from '@spantrack/instrumentation';

// 1. OpenTelemetry: a provider, the context processor (copies user/conversation onto every span,
//    LLM client spans included) and an exporter. A real agent would export OTLP instead.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [new ContextAttributesSpanProcessor(), new SimpleSpanProcessor(exporter)],
});

// 2. The tracker.
const tracker = new AgentTracker({ tracerProvider: provider, agentName: 'kra-bot', channel: 'whatsapp' });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// 3. The agent. Everything inside withContext carries the user, org and workspace.
await tracker.withContext({ userId: '+254712345678', orgId: 'org_1', workspaceId: 'ws_1' }, async () => {
  tracker.identify('+254712345678', { plan: 'free', language: 'en' });
  const conversation = tracker.conversation({ conversationId: 'wa-conv-1238041' });

  // One customer message and the bot's answer (AI Copilot Message Sent / Received; its
  // duration is the conversation tracking plan's response time).
  await conversation.turn({ text: 'I want to file nil returns', messageId: 'wamid.1' }, async (turn) => {
    // ai.classification (the AI agent tracking plan)
    const { intent } = await tracker.classify({ model: 'llama3.2:3b', provider: 'ollama' }, async (h) => {
      await sleep(45);
      h.setUsage({ inputTokens: 120, outputTokens: 15 });
      return { intent: 'nil_filing', confidence: 0.99 };
    });

    // ai.error: the model's JSON was broken; the bot fell back to a handoff.
    try {
      JSON.parse('{"pin": ');
    } catch (error) {
      tracker.error({ error, recoveryAttempt: 1, recovered: false, fallbackAction: 'agent_handoff' });
    }

    // ai.generation
    const answer = await tracker.generate(
      { promptType: 'clarification', model: 'llama3.2:3b' },
      async (h) => {
        await sleep(80);
        h.setUsage({ inputTokens: 60, outputTokens: 12 });
        return intent === 'nil_filing' ? 'Sure. What is your KRA PIN?' : 'How can I help?';
      },
    );
    turn.setOutputMessageId('wamid.2');
    return answer;
  });

  // A tool call (AI Copilot Action Invoked) and the customer's rating (Feedback Submitted).
  await conversation.tool('lookup_taxpayer', async () => {
    await sleep(10);
    return { registered: true };
  });
  conversation.feedback({ rating: 5, messageId: 'wamid.2' });

  // The customer-signals tracking plan: a success signal, the triage of the conversation, and its outcome.
  tracker.signal({ event: 'success_detected', signalType: 'praise', channelType: 'whatsapp' });
  tracker.triage({ triageResult: 'self_service', confidenceBand: 'high' });
  tracker.outcome({ event: 'resolved', outcomeType: 'nil_return_filed', timeToResolutionMs: 140 });

  conversation.end();
});

await tracker.flush();

// 4. Print the spans as a tree, compactly.
const spans = exporter.getFinishedSpans();
const byParent = new Map();
for (const span of spans) {
  const parent = span.parentSpanContext?.spanId ?? 'root';
  if (!byParent.has(parent)) byParent.set(parent, []);
  byParent.get(parent).push(span);
}
const ms = (t) => t[0] * 1000 + t[1] / 1e6;
const SHOWN_ALWAYS = new Set(['spantrack.interaction.kind', 'gen_ai.agent.name']);
function print(span, depth) {
  const duration = ms(span.duration);
  const status = span.status.code === SpanStatusCode.ERROR ? `  ERROR: ${span.status.message}` : '';
  console.log(
    `${'  '.repeat(depth)}${span.name}  [${span.attributes['spantrack.interaction.kind']}]` +
      `${duration > 0 ? ` ${duration.toFixed(0)} ms` : ''}${status}`,
  );
  const attrs = Object.entries(span.attributes)
    .filter(([k]) => !SHOWN_ALWAYS.has(k))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  console.log(`${'  '.repeat(depth + 2)}${attrs.join(' ')}`);
  const children = (byParent.get(span.spanContext().spanId) ?? []).sort(
    (a, b) => ms(a.startTime) - ms(b.startTime),
  );
  for (const child of children) print(child, depth + 1);
}
const roots = (byParent.get('root') ?? []).sort((a, b) => ms(a.startTime) - ms(b.startTime));
console.log(`${spans.length} spans from one WhatsApp conversation:\n`);
for (const root of roots) print(root, 0);

// Flush and shut the provider down (the in-memory exporter forgets its spans on shutdown).
await tracker.shutdown();
