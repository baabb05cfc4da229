// The bot: for each WhatsApp message, classify the intent (JSON output), then generate the answer;
// when the model's JSON is broken it retries once, and when that fails too, or the model times
// out, it hands the customer to a human agent. Instrumented once with AgentTracker: the spans
// become the AI agent tracking plan's ai.classification / ai.generation / ai.error, and each
// customer's conversation becomes the conversation events of Segment's AI Copilot spec (and of
// the conversation tracking plan).
//
// The model calls themselves are not instrumented here: with @spantrack/instrumentation-ollama
// installed, setup() (or the register entry) patches the Ollama client, and each `chat` becomes a
// `chat llama3.2:3b` client span under the classify / generate span, with the answering model,
// its token usage and, for a timeout, `error.type`. Those spans are counted by the enclosing call's
// event, not twice. What no client instrumentation can know stays here: the intent and its
// confidence, the prompt type, the retry and its outcome, and the tokens of all attempts together.
import {
  ATTR_SPANTRACK_ERROR_FALLBACK_ACTION,
  ATTR_SPANTRACK_ERROR_RECOVERED,
  ATTR_SPANTRACK_ERROR_RECOVERY_ATTEMPT,
} from '@spantrack/conventions';
import { errorTypeOf } from '@spantrack/instrumentation';
import { Ollama } from 'ollama';

const CLASSIFY_PROMPT =
  'You classify messages sent to the Kenya Revenue Authority WhatsApp assistant. Answer with JSON ' +
  '{"intent": string, "confidence": number between 0 and 1}. Intents: nil_filing, pin_provided, ' +
  'pin_registration, tcc_application, payment_query, other.';
const ANSWER_PROMPT =
  'You are the Kenya Revenue Authority WhatsApp assistant. Answer in one or two short sentences.';

/** What the answer does, by intent: the AI agent tracking plan's `prompt_type`. */
const PROMPT_TYPES = {
  nil_filing: 'clarification',
  pin_provided: 'confirmation',
  pin_registration: 'instructions',
  tcc_application: 'instructions',
  payment_query: 'clarification',
  other: 'fallback_menu',
};

export const HANDOFF_REPLY = 'Let me connect you to one of our agents. Please hold on.';

/** The model's output is not the classification asked for: a SyntaxError, as JSON.parse throws. */
export function parseClassification(content) {
  const value = JSON.parse(content);
  if (
    value === null ||
    typeof value.intent !== 'string' ||
    typeof value.confidence !== 'number' ||
    value.confidence < 0 ||
    value.confidence > 1
  ) {
    throw new SyntaxError(`model output is not a classification: ${content.slice(0, 80)}`);
  }
  return { intent: value.intent, confidence: value.confidence };
}

export class IntentBot {
  /**
   * @param {object} options
   * @param {import('@spantrack/instrumentation').AgentTracker} options.tracker
   * @param {string} options.modelHost  Ollama's URL (the fake model server's, or a real Ollama)
   * @param {string} [options.model]  default `llama3.2:3b`
   * @param {number} [options.timeoutMs]  per model request; default 1,500 ms
   * @param {number} [options.maxRetries]  retries after invalid JSON; default 1
   * @param {string} [options.runId]  makes conversation ids unique per run; default random
   * @param {string} [options.assistant]  the `assistant` property on every event (the dashboards'
   *   assistant filter); default none, so the events match the AI agent tracking plan's examples
   */
  constructor(options) {
    this.tracker = options.tracker;
    this.model = options.model ?? 'llama3.2:3b';
    this.timeoutMs = options.timeoutMs ?? 1_500;
    this.maxRetries = options.maxRetries ?? 1;
    this.runId = options.runId ?? Math.random().toString(36).slice(2, 10);
    this.properties = options.assistant === undefined ? undefined : { assistant: options.assistant };
    // The real Ollama client; each request gets a deadline through the fetch it uses.
    this.ollama = new Ollama({
      host: options.modelHost,
      fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) }),
    });
    /** One conversation per customer (phone number), as WhatsApp analytics shows them. */
    this.conversations = new Map();
    this.handoffs = 0;
    this.messages = 0;
  }

  conversationOf(phone) {
    let conversation = this.conversations.get(phone);
    if (conversation === undefined) {
      conversation = this.tracker.conversation({
        conversationId: `wa-${phone.replace(/\D/g, '')}-${this.runId}`,
        userId: phone,
        channel: 'whatsapp',
      });
      this.conversations.set(phone, conversation);
    }
    return conversation;
  }

  /**
   * Handles one inbound WhatsApp message and returns the reply. Never throws because of the model:
   * a failure ends in a handoff to a human agent.
   * @param {{ from: string, text: string, messageId: string }} message
   */
  handleMessage({ from, text, messageId }) {
    const conversation = this.conversationOf(from);
    this.messages++;
    const scope = { userId: from, conversationId: conversation.conversationId, channel: 'whatsapp' };
    return this.tracker.withContext(scope, () =>
      conversation.turn({ text, messageId, properties: this.properties }, async (turn) => {
        let reply;
        try {
          const { intent } = await this.classify(text);
          reply = await this.generate(intent, text);
        } catch {
          // The failure is already on the span that failed (with its recovery details).
          reply = await this.handOff(conversation);
        }
        turn.setOutput(reply, `${messageId}.reply`);
        return reply;
      }),
    );
  }

  /** The AI agent tracking plan's `ai.classification`; a broken JSON answer is retried, then reported as `ai.error`. */
  classify(text) {
    const call = { model: this.model, provider: 'ollama', input: text, properties: this.properties };
    return this.tracker.classify(call, async (h) => {
      let firstFailure;
      let inputTokens = 0;
      let outputTokens = 0;
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await this.ollama.chat({
            model: this.model,
            format: 'json',
            stream: false,
            options: { temperature: 0 },
            messages: [
              { role: 'system', content: CLASSIFY_PROMPT },
              { role: 'user', content: text },
            ],
          });
          inputTokens += res.prompt_eval_count ?? 0;
          outputTokens += res.eval_count ?? 0;
          h.setModel(res.model).setUsage({ inputTokens, outputTokens });
          const result = parseClassification(res.message.content);
          if (firstFailure !== undefined) {
            // Handled: one ai.error saying the retry recovered it, at the time it happened.
            this.tracker.error({
              error: firstFailure.error,
              timestamp: firstFailure.at,
              recoveryAttempt: attempt,
              recovered: true,
              properties: this.properties,
            });
          }
          return result;
        } catch (error) {
          firstFailure ??= { error, at: Date.now() };
          // Broken JSON is worth one more try; a timeout is not (the customer is waiting).
          if (errorTypeOf(error) !== 'json_parse_error' || attempt >= this.maxRetries) {
            // Not handled here: this span's own ai.error carries the outcome.
            h.span.setAttributes({
              [ATTR_SPANTRACK_ERROR_RECOVERY_ATTEMPT]: attempt,
              [ATTR_SPANTRACK_ERROR_RECOVERED]: false,
              [ATTR_SPANTRACK_ERROR_FALLBACK_ACTION]: 'agent_handoff',
            });
            throw error;
          }
        }
      }
    });
  }

  /** The AI agent tracking plan's `ai.generation`. */
  generate(intent, text) {
    const promptType = PROMPT_TYPES[intent] ?? 'answer';
    return this.tracker.generate(
      { model: this.model, provider: 'ollama', promptType, input: text, properties: this.properties },
      async (h) => {
        const res = await this.ollama.chat({
          model: this.model,
          stream: false,
          messages: [
            { role: 'system', content: `${ANSWER_PROMPT} The customer's intent is ${intent}.` },
            { role: 'user', content: text },
          ],
        });
        h.setModel(res.model).setUsage({ inputTokens: res.prompt_eval_count, outputTokens: res.eval_count });
        return res.message.content;
      },
    );
  }

  /** The fallback: a human agent takes over (the conversation tracking plan's "transfer to human agent" tool). */
  async handOff(conversation) {
    this.handoffs++;
    await conversation.tool('transfer_to_agent', async () => ({ queue: 'kra-support' }), {
      actionType: 'handoff',
      actionName: 'transfer to human agent',
      properties: this.properties,
    });
    return HANDOFF_REPLY;
  }

  /** The 24-hour windows close: each conversation ends with its message count. */
  endConversations() {
    for (const conversation of this.conversations.values()) conversation.end({ properties: this.properties });
    this.conversations.clear();
  }
}
