import type { AnalyticsMessage } from '../../src/index';
export const WRITE_KEY = 'sinks-test-write-key';

/** Realistic messages of about 300-400 bytes, like the built-in catalogs' events. */
export function makeMessages(count: number, prefix = 'm'): AnalyticsMessage[] {
  const out: AnalyticsMessage[] = [];
  for (let i = 0; i < count; i++) {
    const traceId = (i * 2654435761).toString(16).padStart(32, '0').slice(-32);
    const spanId = (i * 40503).toString(16).padStart(16, '0').slice(-16);
    if (i % 10 === 9) {
      out.push({
        type: 'identify',
        messageId: `${prefix}-${i}`,
        timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, i % 60, i % 1000)).toISOString(),
        userId: `user-${i % 97}`,
        traits: { plan: 'pro', seats: (i % 7) + 1 },
        context: { channel: 'web' },
      });
      continue;
    }
    out.push({
      type: 'track',
      messageId: `${prefix}-${i}`,
      timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, i % 60, i % 1000)).toISOString(),
      ...(i % 3 === 0 ? { anonymousId: `anon-${i % 89}` } : { userId: `user-${i % 97}` }),
      event: i % 2 ? 'ai.generation' : 'Message Received',
      properties: {
        conversationId: `conv-${i % 31}`,
        // The conversation message's id: Message Received requires it (the test server checks the plans).
        messageId: `msg-${i}`,
        latency_ms: 100 + (i % 900),
        model: 'gpt-4o-mini',
        prompt_tokens: 200 + (i % 50),
        completion_tokens: 40 + (i % 30),
        role: 'agent',
      },
      context: { channel: 'web', traceId, spanId },
    });
  }
  return out;
}

/** A track message whose serialized event (as Segment receives it) is about `bytes` long. */
export function paddedMessage(messageId: string, padBytes: number): AnalyticsMessage {
  return {
    type: 'track',
    messageId,
    timestamp: '2025-01-01T00:00:00.000Z',
    userId: 'user-big',
    event: 'ai.generation',
    properties: { pad: 'x'.repeat(padBytes) },
  };
}
