import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { durationMs, expectInternal, setup, useAsyncContext, useDiag } from './support';

useAsyncContext();
const diagState = useDiag();

const base = {
  'gen_ai.agent.name': 'default',
  'spantrack.channel': 'whatsapp',
  'gen_ai.conversation.id': 'conv-1',
  'user.id': 'u1',
};

describe("conversation (Segment's AI Copilot spec)", () => {
  it('messageSent / messageReceived, the first one marking the conversation started', () => {
    const { tracker, spans } = setup({ captureContent: true });
    const conv = tracker.conversation({ conversationId: 'conv-1', userId: 'u1', channel: 'whatsapp' });
    conv.messageSent({ messageId: 'msg123', body: "What's the best stock?" });
    conv.messageReceived({ messageId: 'msg124', body: 'Thank you for reaching out.', role: 'ai_agent' });
    conv.messageSent('plain text');
    const [sent, received, third] = spans();
    expect(sent!.name).toBe('message customer');
    expectInternal(sent!);
    expect(sent!.startTime).toEqual(sent!.endTime);
    expect(sent!.attributes).toEqual({
      ...base,
      'spantrack.interaction.kind': 'message',
      'spantrack.message.id': 'msg123',
      'spantrack.message.role': 'customer',
      'spantrack.input.text': "What's the best stock?",
      'spantrack.conversation.event': 'started',
    });
    expect(received!.name).toBe('message agent');
    expect(received!.attributes).toEqual({
      ...base,
      'spantrack.interaction.kind': 'message',
      'spantrack.message.id': 'msg124',
      'spantrack.message.role': 'ai_agent',
      'spantrack.output.text': 'Thank you for reaching out.',
      'spantrack.output.length': 27,
    });
    expect(third!.attributes['spantrack.input.text']).toBe('plain text');
    expect(conv.messageCount).toBe(3);
  });

  it('leaves message bodies out without captureContent', () => {
    const { tracker, only } = setup();
    tracker.conversation({ conversationId: 'c' }).messageSent({ body: 'secret' });
    expect(only().attributes['spantrack.input.text']).toBeUndefined();
  });

  it('turn: times one message and its answer, and scopes the spans inside it', async () => {
    const { tracker, spans, provider } = setup({ channel: 'whatsapp' });
    const conv = tracker.conversation({ conversationId: 'conv-1', userId: 'u1' });
    const answer = await conv.turn({ text: 'hi', messageId: 'in-1' }, async (t) => {
      await new Promise((r) => setTimeout(r, 20));
      provider.getTracer('llm').startSpan('chat gpt').end();
      t.setOutputMessageId('out-1');
      return 'Hello! How can I help?';
    });
    expect(answer).toBe('Hello! How can I help?');
    const [llm, turn] = spans();
    expect(llm!.attributes).toMatchObject({ 'gen_ai.conversation.id': 'conv-1', 'user.id': 'u1' });
    expect(llm!.parentSpanContext?.spanId).toBe(turn!.spanContext().spanId);
    expect(turn!.name).toBe('invoke_agent default');
    expectInternal(turn!);
    expect(durationMs(turn!)).toBeGreaterThanOrEqual(15);
    expect(turn!.attributes).toEqual({
      ...base,
      'spantrack.interaction.kind': 'turn',
      'gen_ai.operation.name': 'invoke_agent',
      'spantrack.input.message_id': 'in-1',
      'spantrack.output.message_id': 'out-1',
      'spantrack.output.length': 22,
      'spantrack.conversation.event': 'started',
    });
    expect(conv.messageCount).toBe(2);
  });

  it('turn: a failing answer is recorded, rethrown, and counts the customer message only', () => {
    const { tracker, only } = setup();
    const conv = tracker.conversation({ conversationId: 'c' });
    const err = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(() =>
      conv.turn('hi', () => {
        throw err;
      }),
    ).toThrow(err);
    expect(only().status).toEqual({ code: SpanStatusCode.ERROR, message: 'aborted' });
    expect(only().attributes['error.type']).toBe('timeout');
    expect(conv.messageCount).toBe(1);
  });

  it('tool: an execute_tool span', async () => {
    const { tracker, only } = setup({ channel: 'whatsapp' });
    const conv = tracker.conversation({ conversationId: 'conv-1', userId: 'u1' });
    const stock = await conv.tool(
      'check_stock',
      async (t) => {
        t.setCallId('call-1');
        return 42;
      },
      { messageId: 'msg125', actionType: 'Inventory Request' },
    );
    expect(stock).toBe(42);
    const span = only();
    expect(span.name).toBe('execute_tool check_stock');
    expectInternal(span);
    expect(span.attributes).toEqual({
      ...base,
      'spantrack.interaction.kind': 'tool',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'check_stock',
      'gen_ai.tool.call.id': 'call-1',
      'spantrack.action.type': 'Inventory Request',
      'spantrack.action.name': 'check_stock',
      'spantrack.message.id': 'msg125',
      'spantrack.message.role': 'agent',
    });
  });

  it('actionInvoked, mediaGenerated, componentLoaded, feedback', () => {
    const { tracker, named } = setup({ channel: 'whatsapp' });
    const conv = tracker.conversation({ conversationId: 'conv-1', userId: 'u1' });
    const at = new Date('2024-04-04T00:00:00Z');
    conv.actionInvoked({
      type: 'Inventory Request',
      action: 'check stock level',
      messageId: 'msg125',
      timestamp: at,
    });
    conv.mediaGenerated({ type: 'image', subType: 'gif', messageId: 'msg126' });
    conv.componentLoaded({ type: 'Stock Price Chart', messageId: 'msg127', role: 'agent' } as never);
    conv.feedback({ rating: 5, messageId: 'msg128' });

    const action = named('action check stock level');
    expect(action.startTime).toEqual([at.getTime() / 1000, 0]);
    expect(action.attributes).toEqual({
      ...base,
      'spantrack.interaction.kind': 'tool',
      'spantrack.action.type': 'Inventory Request',
      'spantrack.action.name': 'check stock level',
      'spantrack.message.id': 'msg125',
      'spantrack.message.role': 'customer',
    });
    expect(named('media image').attributes).toEqual({
      ...base,
      'spantrack.interaction.kind': 'media',
      'spantrack.media.type': 'image',
      'spantrack.media.sub_type': 'gif',
      'spantrack.message.id': 'msg126',
      'spantrack.message.role': 'agent',
    });
    expect(named('component Stock Price Chart').attributes).toEqual({
      ...base,
      'spantrack.interaction.kind': 'component',
      'spantrack.component.type': 'Stock Price Chart',
      'spantrack.message.id': 'msg127',
    });
    const feedback = named('feedback');
    expectInternal(feedback);
    expect(feedback.attributes).toEqual({
      ...base,
      'spantrack.interaction.kind': 'feedback',
      'spantrack.feedback.rating': 5,
      'spantrack.message.id': 'msg128',
    });
  });

  it('end: conversation ended with the message count, once', async () => {
    const { tracker, named } = setup({ channel: 'whatsapp' });
    const conv = tracker.conversation({ conversationId: 'conv-1', userId: 'u1' });
    conv.messageSent('a');
    await conv.turn('b', async () => 'c');
    conv.end();
    conv.end();
    const ended = named('conversation ended');
    expectInternal(ended);
    expect(ended.attributes).toEqual({
      ...base,
      'spantrack.interaction.kind': 'conversation',
      'spantrack.conversation.event': 'ended',
      'spantrack.conversation.message_count': 3,
    });
    expect(diagState.warnings.filter((w) => w.includes('more than once'))).toHaveLength(1);
  });

  it('generates a conversation id when none is given', () => {
    const { tracker, only } = setup();
    const conv = tracker.conversation();
    expect(conv.conversationId).toMatch(/^[0-9a-f-]{36}$/);
    conv.end();
    expect(only().attributes['gen_ai.conversation.id']).toBe(conv.conversationId);
  });
});
