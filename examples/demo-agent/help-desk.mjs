// The demo's second assistant: an online shop's help desk in the web widget, and the same
// assistant on the test channel where the team tries it out. Each customer message is classified
// and answered through the real `openai` client (its OpenTelemetry instrumentation, loaded by
// @spantrack/node, makes the model-call spans: model, tokens, and so the cost from the price
// table), against a local fake OpenAI server. An order question calls a tool; a failed model call
// (the connection drops, the prompt is too long) hands the customer to a human, which the
// customer-signals tracking plan records as an escalation, a human reply and a completed handoff.
import { AgentTracker } from '@spantrack/instrumentation';
import OpenAI from 'openai';
import { startFakeOpenAIServer } from './fake-openai-server.mjs';

/** The assistant's name on every event it makes (the dashboards' assistant filter and column). */
export const HELP_DESK_ASSISTANT = 'acme-help';
const ORG_ID = 'org_acme';
const WORKSPACE_ID = 'ws_shop_eu';
// A small model sorts the messages, a larger one writes the answers.
const CLASSIFY_MODEL = 'gpt-4o-mini';
const ANSWER_MODEL = 'gpt-4o';
const CLASSIFY_PROMPT =
  'Classify the customer message of an online shop. Answer with JSON {"intent": string, "confidence": number}. ' +
  'Intents: order_status, refund_request, product_question, account_access, other.';
const ANSWER_PROMPT = 'You are the help desk of an online shop. Answer in one short sentence.';
/** What the answering model is given to go on, as help desks give theirs: the shop's policies. */
const POLICIES = [
  'Orders ship within one working day from the warehouse in Leipzig; delivery takes two to four working days.',
  'Customers may return unused items within 30 days; refunds reach the original card in 3 to 5 working days.',
  'Trail shoes come in EU sizes 39 to 47; half sizes are not made. Stock levels are live on the product page.',
  'Password resets are sent to the e-mail address on the account and expire after one hour.',
  'Never ask for card numbers. Hand the customer to a person when unsure, or when they ask for one.',
].join('\n');

/**
 * Conversations by type (web widget, test), each a customer and their messages; `fault` makes the
 * fake model fail that message's classification.
 */
export const HELP_DESK_SCRIPT = [
  {
    channel: 'web_widget',
    customer: { userId: 'cust_2001' },
    messages: [{ text: 'Where is my order #4471?' }, { text: 'Can I get my money back instead?' }],
  },
  {
    channel: 'web_widget',
    customer: { anonymousId: 'anon_7f3k9q' },
    messages: [{ text: 'Do the trail shoes come in size 46?' }],
  },
  {
    channel: 'web_widget',
    customer: { userId: 'cust_2002' },
    messages: [{ text: 'I cannot log in to my account', fault: 'context_length' }],
  },
  {
    channel: 'test',
    customer: { userId: 'qa_amina' },
    messages: [{ text: 'Track parcel 1000 please' }, { text: 'I forgot my password' }, { text: 'hello?' }],
  },
  {
    channel: 'test',
    customer: { userId: 'qa_brian' },
    messages: [{ text: 'Refund my last order', fault: 'network' }],
  },
];

/**
 * Runs the help desk's script. Spans go to the global tracer provider unless a tracker is given.
 * @param {object} [options]
 * @param {AgentTracker} [options.tracker]  default: a tracker for agent `acme-help`
 * @param {string} [options.runId]  suffix of conversation ids; default random
 * @param {(line: string) => void} [options.log]
 * @returns {Promise<{ conversations: number, messages: number, handoffs: number, toolCalls: number }>}
 */
export async function runHelpDesk(options = {}) {
  const log = options.log ?? (() => {});
  const tracker = options.tracker ?? new AgentTracker({ agentName: HELP_DESK_ASSISTANT });
  const runId = options.runId ?? Math.random().toString(36).slice(2, 10);
  const model = await startFakeOpenAIServer();
  // The real client; no retries, so each failure is one failed call the customer waits on.
  const openai = new OpenAI({ baseURL: model.baseURL, apiKey: 'demo-key', maxRetries: 0, timeout: 5_000 });
  const properties = { assistant: HELP_DESK_ASSISTANT };
  const totals = { conversations: 0, messages: 0, handoffs: 0, toolCalls: 0 };

  const classify = (text) =>
    tracker.classify({ model: CLASSIFY_MODEL, provider: 'openai', input: text, properties }, async () => {
      const res = await openai.chat.completions.create({
        model: CLASSIFY_MODEL,
        response_format: { type: 'json_object' },
        temperature: 0,
        messages: [
          { role: 'system', content: CLASSIFY_PROMPT },
          { role: 'user', content: text },
        ],
      });
      const { intent, confidence } = JSON.parse(res.choices[0]?.message.content ?? '');
      return { intent, confidence };
    });

  const answer = (intent, text) =>
    tracker.generate(
      { model: ANSWER_MODEL, provider: 'openai', promptType: 'answer', input: text, properties },
      async () => {
        const res = await openai.chat.completions.create({
          model: ANSWER_MODEL,
          messages: [
            { role: 'system', content: `${ANSWER_PROMPT} The customer's intent is ${intent}.\n${POLICIES}` },
            { role: 'user', content: text },
          ],
        });
        return res.choices[0]?.message.content ?? '';
      },
    );

  try {
    let n = 0;
    for (const [i, script] of HELP_DESK_SCRIPT.entries()) {
      const customer = script.customer;
      const conversation = tracker.conversation({
        conversationId: `help-${script.channel}-${i + 1}-${runId}`,
        ...customer,
        channel: script.channel,
      });
      totals.conversations++;
      const scope = { ...customer, conversationId: conversation.conversationId, channel: script.channel };
      await tracker.withContext(scope, async () => {
        for (const message of script.messages) {
          const messageId = `help.${++n}`;
          totals.messages++;
          if (message.fault) model.failNext(message.fault);
          const reply = await conversation.turn(
            { text: message.text, messageId, properties },
            async (turn) => {
              let text;
              try {
                const { intent } = await classify(message.text);
                if (intent === 'order_status') {
                  totals.toolCalls++;
                  await conversation.tool('lookup_order', async () => ({ status: 'shipped' }), {
                    actionType: 'tool',
                    actionName: 'look up order',
                    messageId,
                    properties,
                  });
                }
                text = await answer(intent, message.text);
              } catch {
                // The failure is on the model call's span (ai.error); a person takes over.
                totals.handoffs++;
                text = await handOff(conversation, scope, script.channel, messageId);
              }
              turn.setOutput(text, `${messageId}.reply`);
              return text;
            },
          );
          log(`${script.channel} ${customer.userId ?? customer.anonymousId}: ${message.text}\n  -> ${reply}`);
        }
      });
      conversation.end({ properties });
    }
  } finally {
    await model.close();
  }
  return totals;

  /** A support agent takes over: the transfer tool, then the customer-signals tracking plan's escalation and handoff. */
  async function handOff(conversation, scope, channel, messageId) {
    await conversation.tool('transfer_to_agent', async () => ({ queue: 'shop-support' }), {
      actionType: 'handoff',
      actionName: 'transfer to human agent',
      messageId,
      properties,
    });
    const common = { ...scope, orgId: ORG_ID, workspaceId: WORKSPACE_ID, channelType: channel, properties };
    tracker.triage({
      ...common,
      triageResult: 'support',
      confidenceBand: 'low',
      escalated: true,
      escalationReason: 'model_failure',
    });
    tracker.reply({ ...common, event: 'sent', replyMode: 'human', result: 'delivered' });
    tracker.outcome({
      ...common,
      event: 'handoff_completed',
      outcomeType: 'human_handled',
      handoffTarget: 'tier1_support',
      resolutionPath: 'human',
    });
    return 'A member of our support team will take it from here.';
  }
}
