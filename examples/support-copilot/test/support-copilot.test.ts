import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { countByName, named, props, runExampleThroughCollector } from '../../../test/helpers/example-e2e';

const dir = fileURLToPath(new URL('..', import.meta.url));

it("support-copilot sends every event of Segment's AI Copilot spec over OTLP through the collector to Segment", async () => {
  const run = await runExampleThroughCollector(dir, { expectedMessages: 12 });
  const { messages } = run;
  expect(run.duplicates).toEqual([]);
  // The printed summary agrees with what Segment accepted (one conversation, 4 messages, 2 actions).
  expect(run.stdout).toMatch(
    /support-copilot: 1 conversation \(copilot-[a-z0-9]+\), 4 messages, 2 actions; \d+ spans, \d+ exported over OTLP, 0 failed/,
  );
  expect(countByName(messages)).toEqual({
    'Action Invoked': 2,
    'Component Loaded': 1,
    'Conversation Ended': 1,
    'Conversation Started': 1,
    'Feedback Submitted': 1,
    'Media Generated': 1,
    'Message Received': 2,
    'Message Sent': 2,
    identify: 1,
  });

  const identify = named(messages, 'identify')[0]!;
  expect(identify).toMatchObject({ userId: '123', anonymousId: '768923ihuy32' });
  expect(identify.traits).toEqual({ plan: 'pro', company: 'Acme Ltd' });

  const conversationId = props(named(messages, 'Conversation Started')[0]!).conversationId;
  expect(conversationId).toMatch(/^copilot-/);
  const track = messages.filter((m) => m.type === 'track');
  for (const m of track) {
    expect(m.userId).toBe('123');
    expect(props(m).conversationId).toBe(conversationId);
    // Content stays in the process unless capture is on.
    expect(props(m)).not.toHaveProperty('message_body');
  }
  const byMessageId = (event: string) =>
    Object.fromEntries(named(messages, event).map((m) => [props(m).messageId, props(m)]));

  expect(byMessageId('Message Sent')).toEqual({
    msg123: { conversationId, messageId: 'msg123', role: 'customer' },
    msg125: { conversationId, messageId: 'msg125', role: 'customer' },
  });
  expect(byMessageId('Message Received')).toEqual({
    msg124: { conversationId, messageId: 'msg124', role: 'agent' },
    msg126: { conversationId, messageId: 'msg126', role: 'agent' },
  });
  expect(byMessageId('Action Invoked')).toEqual({
    // The tool the copilot called inside the timed turn.
    msg125: {
      conversationId,
      messageId: 'msg125',
      type: 'Inventory Request',
      action: 'check stock level',
      role: 'agent',
    },
    // The customer's own action.
    msg127: {
      conversationId,
      messageId: 'msg127',
      type: 'Inventory Request',
      action: 'reserve item',
      role: 'customer',
    },
  });
  expect(props(named(messages, 'Media Generated')[0]!)).toEqual({
    conversationId,
    messageId: 'msg128',
    type: 'image',
    sub_type: 'gif',
    role: 'agent',
  });
  expect(props(named(messages, 'Component Loaded')[0]!)).toEqual({
    conversationId,
    messageId: 'msg129',
    type: 'Stock Price Chart',
  });
  expect(props(named(messages, 'Feedback Submitted')[0]!)).toEqual({
    conversationId,
    messageId: 'msg126',
    rating: 5,
  });
  expect(props(named(messages, 'Conversation Ended')[0]!)).toEqual({ conversationId, message_count: 4 });

  // The turn's answer comes after its question.
  const sent = named(messages, 'Message Sent').find((m) => props(m).messageId === 'msg125')!;
  const received = named(messages, 'Message Received').find((m) => props(m).messageId === 'msg126')!;
  expect(Date.parse(String(received.timestamp))).toBeGreaterThanOrEqual(Date.parse(String(sent.timestamp)));
});
