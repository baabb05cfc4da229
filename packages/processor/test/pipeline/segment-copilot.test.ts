import { describe, expect, it } from 'vitest';
import { createTranslator, type IdentifyMessage, type TrackMessage } from '../../src/index';
import { conversationMessageId } from '../../src/message-id';
import { iso, SPAN_ID, span } from './span-fixture';

const copilot = createTranslator({ catalogs: ['segment-copilot'] });
const copilotCapture = createTranslator({ catalogs: ['segment-copilot'], privacy: { captureContent: true } });

/** Context attributes the tracker copies onto every span of a conversation scope. */
const scope = {
  'gen_ai.agent.name': 'default',
  'user.id': '123',
  'gen_ai.conversation.id': '1238041hdou',
  'spantrack.channel': 'web_widget',
};

function only(result: { messages: unknown[] }): TrackMessage {
  expect(result.messages).toHaveLength(1);
  return result.messages[0] as TrackMessage;
}

describe("segment-copilot catalog (Segment's AI Copilot spec)", () => {
  it('Message Sent from a customer message span (body only with capture)', () => {
    const s = span({
      name: 'message customer',
      attributes: {
        ...scope,
        'spantrack.interaction.kind': 'message',
        'spantrack.message.id': 'msg123',
        'spantrack.message.role': 'customer',
        'spantrack.input.text': "What's the best stock in the Nasdaq right now?",
      },
    });
    const m = only(copilotCapture(s));
    expect(m).toMatchObject({ type: 'track', event: 'Message Sent', userId: '123', timestamp: iso(0) });
    expect(m.properties).toEqual({
      conversationId: '1238041hdou',
      messageId: 'msg123',
      message_body: "What's the best stock in the Nasdaq right now?",
      role: 'customer',
    });
    expect(m.context).toEqual({ channel: 'web_widget' });
    expect(only(copilot(s)).properties).toEqual({
      conversationId: '1238041hdou',
      messageId: 'msg123',
      role: 'customer',
    });
  });

  it('Message Received from an agent message span, role inside properties', () => {
    const s = span({
      name: 'message agent',
      attributes: {
        ...scope,
        'spantrack.interaction.kind': 'message',
        'spantrack.message.id': 'msg124',
        'spantrack.message.role': 'agent',
        'spantrack.output.text': 'Thank you for reaching out. How can I assist you today?',
      },
    });
    const m = only(copilotCapture(s));
    expect(m.event).toBe('Message Received');
    expect(m.properties).toEqual({
      conversationId: '1238041hdou',
      messageId: 'msg124',
      message_body: 'Thank you for reaching out. How can I assist you today?',
      role: 'agent',
    });
    expect(m).not.toHaveProperty('role');
    // Any role other than customer is a received message (Segment's AI Copilot spec extends role: ai_agent, ...).
    const ai = span({
      name: 'message agent',
      attributes: { ...s.attributes, 'spantrack.message.role': 'ai_agent' },
    });
    expect(only(copilot(ai))).toMatchObject({ event: 'Message Received', properties: { role: 'ai_agent' } });
  });

  it('Conversation Started from the first message, keyed by conversation', () => {
    const s = span({
      name: 'message customer',
      attributes: {
        ...scope,
        'spantrack.interaction.kind': 'message',
        'spantrack.message.id': 'msg1',
        'spantrack.message.role': 'customer',
        'spantrack.conversation.event': 'started',
        'spantrack.property.plan': 'pro',
      },
    });
    const { messages } = copilot(s);
    expect(messages.map((m) => (m as TrackMessage).event)).toEqual(['Conversation Started', 'Message Sent']);
    const started = messages[0] as TrackMessage;
    expect(started.properties).toEqual({ conversationId: '1238041hdou' });
    expect(started.userId).toBe('123');
    expect(started.messageId).toBe(conversationMessageId('1238041hdou', 'Conversation Started'));
    // Another span (another trace, another replica) reporting the same start gets the same id.
    const other = copilot({ ...s, traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanId: 'bbbbbbbbbbbbbbbb' });
    expect(other.messages[0]!.messageId).toBe(started.messageId);
    expect(other.messages[1]!.messageId).not.toBe(messages[1]!.messageId);
  });

  it('Message Sent + Message Received from a turn, with given or derived message ids', () => {
    const s = span({
      name: 'invoke_agent default',
      durationMs: 1200,
      attributes: {
        ...scope,
        'spantrack.interaction.kind': 'turn',
        'gen_ai.operation.name': 'invoke_agent',
        'spantrack.input.message_id': 'msg1',
        'spantrack.output.message_id': 'msg2',
        'spantrack.output.length': 10,
        'spantrack.input.text': 'hi',
        'spantrack.output.text': 'hello there',
      },
    });
    const [sent, received] = copilotCapture(s).messages as TrackMessage[];
    expect(sent).toMatchObject({ event: 'Message Sent', timestamp: iso(0) });
    expect(sent!.properties).toEqual({
      conversationId: '1238041hdou',
      messageId: 'msg1',
      message_body: 'hi',
      role: 'customer',
    });
    expect(received).toMatchObject({ event: 'Message Received', timestamp: iso(1200) });
    expect(received!.properties).toEqual({
      conversationId: '1238041hdou',
      messageId: 'msg2',
      message_body: 'hello there',
      role: 'agent',
    });
    const derived = copilot(
      span({
        attributes: {
          ...scope,
          'spantrack.interaction.kind': 'turn',
          'gen_ai.operation.name': 'invoke_agent',
        },
      }),
    ).messages as TrackMessage[];
    expect(derived.map((m) => m.properties.messageId)).toEqual([`${SPAN_ID}-in`, `${SPAN_ID}-out`]);
  });

  it('Message Sent + Received from an interaction-API track span only inside a conversation', () => {
    const attributes = {
      'spantrack.interaction.kind': 'track',
      'gen_ai.operation.name': 'invoke_agent',
      'user.id': 'u',
    };
    expect(copilot(span({ attributes })).messages).toEqual([]);
    const inConversation = copilot(
      span({ attributes: { ...attributes, 'gen_ai.conversation.id': 'c9' } }),
    ).messages;
    expect(inConversation.map((m) => (m as TrackMessage).event)).toEqual([
      'Message Sent',
      'Message Received',
    ]);
  });

  it('a custom-named track span becomes a standard track call with the conversation ids', () => {
    const m = only(
      copilot(
        span({
          attributes: {
            ...scope,
            'spantrack.interaction.kind': 'track',
            'spantrack.event.name': 'Item Purchased',
            'spantrack.message.id': 'msg789',
            'spantrack.property.itemId': 'item101112',
            'spantrack.property.itemPrice': 19.99,
          },
        }),
      ),
    );
    expect(m.event).toBe('Item Purchased');
    expect(m.properties).toEqual({
      conversationId: '1238041hdou',
      messageId: 'msg789',
      itemId: 'item101112',
      itemPrice: 19.99,
    });
  });

  it('Action Invoked from a tool span and from actionInvoked', () => {
    const tool = only(
      copilot(
        span({
          name: 'execute_tool check_stock',
          attributes: {
            ...scope,
            'spantrack.interaction.kind': 'tool',
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': 'check_stock',
            'gen_ai.tool.call.id': 'call_1',
            'spantrack.action.type': 'tool',
            'spantrack.action.name': 'check_stock',
            'spantrack.message.role': 'agent',
          },
        }),
      ),
    );
    expect(tool.event).toBe('Action Invoked');
    expect(tool.properties).toEqual({
      conversationId: '1238041hdou',
      type: 'tool',
      action: 'check_stock',
      role: 'agent',
    });
    const action = only(
      copilot(
        span({
          name: 'action check stock level',
          attributes: {
            ...scope,
            'spantrack.interaction.kind': 'tool',
            'spantrack.action.type': 'Inventory Request',
            'spantrack.action.name': 'check stock level',
            'spantrack.message.id': 'msg125',
            'spantrack.message.role': 'customer',
          },
        }),
      ),
    );
    expect(action.properties).toEqual({
      conversationId: '1238041hdou',
      messageId: 'msg125',
      type: 'Inventory Request',
      action: 'check stock level',
      role: 'customer',
    });
  });

  it('Media Generated, Component Loaded, Feedback Submitted', () => {
    const media = only(
      copilot(
        span({
          name: 'media image',
          attributes: {
            ...scope,
            'spantrack.interaction.kind': 'media',
            'spantrack.media.type': 'image',
            'spantrack.media.sub_type': 'gif',
            'spantrack.message.id': 'msg126',
            'spantrack.message.role': 'agent',
          },
        }),
      ),
    );
    expect(media.event).toBe('Media Generated');
    expect(media.properties).toEqual({
      conversationId: '1238041hdou',
      messageId: 'msg126',
      role: 'agent',
      type: 'image',
      sub_type: 'gif',
    });

    const component = only(
      copilot(
        span({
          name: 'component Stock Price Chart',
          attributes: {
            ...scope,
            'spantrack.interaction.kind': 'component',
            'spantrack.component.type': 'Stock Price Chart',
            'spantrack.message.id': 'msg127',
          },
        }),
      ),
    );
    expect(component.event).toBe('Component Loaded');
    expect(component.properties).toEqual({
      conversationId: '1238041hdou',
      messageId: 'msg127',
      type: 'Stock Price Chart',
    });

    const feedback = only(
      copilot(
        span({
          name: 'feedback',
          attributes: {
            ...scope,
            'spantrack.interaction.kind': 'feedback',
            'spantrack.feedback.rating': 5,
            'spantrack.message.id': 'msg128',
          },
        }),
      ),
    );
    expect(feedback.event).toBe('Feedback Submitted');
    expect(feedback.properties).toEqual({ conversationId: '1238041hdou', messageId: 'msg128', rating: 5 });
  });

  it('Conversation Ended with message_count, keyed by conversation', () => {
    const m = only(
      copilot(
        span({
          name: 'conversation ended',
          attributes: {
            ...scope,
            'spantrack.interaction.kind': 'conversation',
            'spantrack.conversation.event': 'ended',
            'spantrack.conversation.message_count': 4,
          },
        }),
      ),
    );
    expect(m.event).toBe('Conversation Ended');
    expect(m.properties).toEqual({ conversationId: '1238041hdou', message_count: 4 });
    expect(m.messageId).toBe(conversationMessageId('1238041hdou', 'Conversation Ended'));
  });

  it('identify with userId, anonymousId and traits', () => {
    const { messages } = copilot(
      span({
        name: 'identify',
        attributes: {
          'spantrack.interaction.kind': 'identify',
          'user.id': '123',
          'spantrack.anonymous.id': '768923ihuy32',
          'spantrack.user.trait.email': 'a@example.com',
          'spantrack.user.trait.plan': 'pro',
        },
      }),
    );
    expect(messages).toHaveLength(1);
    const m = messages[0] as IdentifyMessage;
    expect(m).toMatchObject({
      type: 'identify',
      userId: '123',
      anonymousId: '768923ihuy32',
      timestamp: iso(0),
    });
    expect(m.traits).toEqual({ email: 'a@example.com', plan: 'pro' });
    expect(m).not.toHaveProperty('event');
  });

  it('identify without any id is not sent, and says why', () => {
    const { messages, diagnostics } = copilot(
      span({ attributes: { 'spantrack.interaction.kind': 'identify' } }),
    );
    expect(messages).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toEqual(['missing_required']);
  });

  it('a conversation span without conversation id yields a diagnostic, not an event', () => {
    const { messages, diagnostics } = copilot(
      span({
        attributes: {
          'spantrack.interaction.kind': 'feedback',
          'spantrack.feedback.rating': 3,
          'user.id': 'u',
        },
      }),
    );
    expect(messages).toEqual([]);
    expect(diagnostics).toMatchObject([
      { code: 'missing_required', catalog: 'segment-copilot', event: 'Feedback Submitted' },
    ]);
  });
});
