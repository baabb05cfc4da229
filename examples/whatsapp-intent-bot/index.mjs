// The AI agent tracking plan's WhatsApp flow, played against the bot: six customers, seven messages, one broken JSON
// answer the bot recovers from, one it cannot recover from, and one model timeout.
import { AgentTracker } from '@spantrack/instrumentation';
import { IntentBot } from './bot.mjs';
import { startFakeModelServer } from './fake-model-server.mjs';

export { HANDOFF_REPLY, IntentBot, parseClassification } from './bot.mjs';
export { FAKE_MODEL, INTENTS, intentOf, startFakeModelServer } from './fake-model-server.mjs';

/**
 * The script: who writes what, and what the model does wrong on that message (faults need the
 * fake model server; against a real Ollama they are skipped).
 */
export const SCRIPT = [
  { from: '+254712345678', text: 'I want to file nil returns' },
  { from: '+254712345678', text: 'My PIN is A012345678Z' },
  { from: '+254722334455', text: 'How do I register for a KRA PIN?' },
  { from: '+254766778899', text: 'Nil return for March please' },
  // Broken JSON once: the retry recovers (ai.error recovered: true, then ai.classification).
  { from: '+254733445566', text: 'Nataka cheti cha TCC', fault: { kind: 'invalid_json', times: 1 } },
  // Broken JSON twice: no recovery, handoff (the AI agent tracking plan's ai.error example, letter for letter).
  { from: '+254744556677', text: 'Why was I charged a penalty?', fault: { kind: 'invalid_json', times: 2 } },
  // The model never answers: timeout, handoff.
  { from: '+254755667788', text: 'Check my payment balance please', fault: { kind: 'timeout', times: 1 } },
];

/**
 * Runs the script through the bot. Spans go to the global tracer provider (set one up first, e.g.
 * with `setup()` from `@spantrack/node`) unless a tracker is given.
 * @param {object} [options]
 * @param {AgentTracker} [options.tracker]  default: a tracker for agent `kra-bot` on channel whatsapp
 * @param {string} [options.modelHost]  an Ollama URL; default: a fake model server started for the run
 * @param {number} [options.timeoutMs]  per model request; default 5,000 (1,000 against the fake server)
 * @param {string} [options.runId]  suffix of conversation ids; default random
 * @param {string} [options.assistant]  the `assistant` property on every event; default none
 * @param {(line: string) => void} [options.log]
 * @returns {Promise<{ messages: number, conversations: number, handoffs: number, replies: string[] }>}
 */
export async function run(options = {}) {
  const log = options.log ?? (() => {});
  const tracker = options.tracker ?? new AgentTracker({ agentName: 'kra-bot', channel: 'whatsapp' });
  const fake = options.modelHost === undefined ? await startFakeModelServer() : undefined;
  const bot = new IntentBot({
    tracker,
    modelHost: options.modelHost ?? fake.url,
    timeoutMs: options.timeoutMs ?? (fake ? 1_000 : 5_000),
    runId: options.runId,
    assistant: options.assistant,
  });
  const replies = [];
  try {
    let n = 0;
    for (const step of SCRIPT) {
      if (step.fault && fake) fake.failNext(step.fault.kind, step.fault.times);
      const reply = await bot.handleMessage({ from: step.from, text: step.text, messageId: `wamid.${++n}` });
      replies.push(reply);
      log(`${step.from}: ${step.text}\n  -> ${reply}`);
    }
    const conversations = bot.conversations.size;
    bot.endConversations();
    return { messages: bot.messages, conversations, handoffs: bot.handoffs, replies };
  } finally {
    await fake?.close();
  }
}
