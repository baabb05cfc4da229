// Segment's AI Copilot spec: one support conversation with every event of the spec.
// A customer is identified, asks a question, gets an answer; a timed turn calls a tool; the
// customer reserves an item; the copilot generates an image and shows a chart; the customer rates
// the answer; the conversation ends with its message count.
import { AgentTracker } from '@spantrack/instrumentation';

/** The customer, as the AI Copilot spec's examples name them. */
export const CUSTOMER = { userId: '123', anonymousId: '768923ihuy32' };

const INVENTORY = { 'super-widget': 42 };

/**
 * Runs the conversation. Spans go to the global tracer provider unless a tracker is given.
 * @param {object} [options]
 * @param {AgentTracker} [options.tracker]  default: agent `support-copilot` on channel web_widget
 * @param {string} [options.conversationId]  default: a random one (the spec's example id is 1238041hdou)
 * @param {string} [options.assistant]  the `assistant` property on every event (the dashboards'
 *   assistant filter); default none, so the events match the spec's examples
 * @param {(line: string) => void} [options.log]
 * @returns {Promise<{ conversationId: string, messageCount: number, actions: number }>}
 *   the conversation's id, its message count (what Conversation Ended reports) and the actions
 *   invoked in it (the tool call and the customer's own)
 */
export async function run(options = {}) {
  const log = options.log ?? (() => {});
  const tracker =
    options.tracker ?? new AgentTracker({ agentName: 'support-copilot', channel: 'web_widget' });
  const conversationId = options.conversationId ?? `copilot-${Math.random().toString(36).slice(2, 12)}`;
  const properties = options.assistant === undefined ? undefined : { assistant: options.assistant };

  // Identify: the anonymous visitor logs in.
  tracker.identify(
    CUSTOMER.userId,
    { plan: 'pro', company: 'Acme Ltd' },
    { anonymousId: CUSTOMER.anonymousId },
  );

  let actions = 0;
  const conversation = tracker.conversation({
    conversationId,
    userId: CUSTOMER.userId,
    channel: 'web_widget',
  });
  await tracker.withContext({ userId: CUSTOMER.userId, conversationId }, async () => {
    // Conversation Started + Message Sent, then Message Received.
    conversation.messageSent({
      messageId: 'msg123',
      body: "What's the best stock in the Nasdaq right now?",
      properties,
    });
    conversation.messageReceived({
      messageId: 'msg124',
      body: 'Thank you for reaching out. How can I assist you today?',
      properties,
    });

    // A timed turn (its duration is the response time) in which the copilot calls a tool:
    // Message Sent at the start, Action Invoked for the tool, Message Received at the end.
    const answer = await conversation.turn(
      { text: 'Do you have the Super Widget in stock?', messageId: 'msg125', properties },
      async (turn) => {
        const stock = await conversation.tool(
          'check_stock_level',
          async (tool) => {
            tool.setCallId('call_7f3a');
            await sleep(15);
            return INVENTORY['super-widget'];
          },
          {
            actionType: 'Inventory Request',
            actionName: 'check stock level',
            messageId: 'msg125',
            properties,
          },
        );
        actions += 1;
        const text = `Yes, we have ${stock} Super Widgets in stock.`;
        turn.setOutput(text, 'msg126');
        return text;
      },
    );
    log(`customer: Do you have the Super Widget in stock?\n  -> ${answer}`);

    // The customer acts on the answer (Action Invoked, role customer).
    conversation.actionInvoked({
      messageId: 'msg127',
      type: 'Inventory Request',
      action: 'reserve item',
      role: 'customer',
      properties,
    });
    actions += 1;
    // The copilot makes a product animation and shows a price chart.
    conversation.mediaGenerated({ messageId: 'msg128', type: 'image', subType: 'gif', properties });
    conversation.componentLoaded({ messageId: 'msg129', type: 'Stock Price Chart', properties });
    // The customer rates the answer.
    conversation.feedback({ messageId: 'msg126', rating: 5, properties });
  });
  const messageCount = conversation.messageCount;
  conversation.end({ properties });
  log(`conversation ${conversationId} ended after ${messageCount} messages`);
  return { conversationId, messageCount, actions };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
