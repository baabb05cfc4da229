// End to end through the contract: spans written by @spantrack/instrumentation (docs/span-model.md),
// read with fromReadableSpan, translated. Guards against the two sides drifting apart.
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { AgentTracker, ContextAttributesSpanProcessor } from '@spantrack/instrumentation';
import { describe, expect, it } from 'vitest';
import { createTranslator, fromReadableSpan, type TrackMessage } from '../../src/index';

function setup(captureContent: boolean) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new ContextAttributesSpanProcessor(), new SimpleSpanProcessor(exporter)],
  });
  const tracker = new AgentTracker({ tracerProvider: provider, channel: 'whatsapp', captureContent });
  const translate = createTranslator({ privacy: { captureContent } });
  const messages = () =>
    exporter.getFinishedSpans().flatMap((s) => {
      const r = translate(fromReadableSpan(s));
      // The walkthrough's local model has no price (no cost_usd): that is the only diagnostic.
      expect(r.diagnostics.filter((d) => d.code !== 'unpriced_model')).toEqual([]);
      return r.messages as TrackMessage[];
    });
  return { tracker, messages };
}

describe('spans of @spantrack/instrumentation', () => {
  it('AI agent tracking plan walkthrough: classify → ai.classification', () => {
    for (const capture of [true, false]) {
      const { tracker, messages } = setup(capture);
      tracker.classify(
        { userId: '+254712345678', model: 'llama3.2:3b', input: 'I want to file nil returns' },
        (h) => {
          h.setUsage({ inputTokens: 120, outputTokens: 15 });
          return { intent: 'nil_filing', confidence: 0.99 };
        },
      );
      const [m, ...rest] = messages();
      expect(rest).toEqual([]);
      expect(m).toMatchObject({
        type: 'track',
        event: 'ai.classification',
        userId: '+254712345678',
        context: { channel: 'whatsapp' },
      });
      const { latency_ms, ...props } = m!.properties;
      expect(Number.isInteger(latency_ms)).toBe(true);
      expect(props).toEqual({
        ...(capture ? { input_text: 'I want to file nil returns' } : {}),
        detected_intent: 'nil_filing',
        confidence: 0.99,
        prompt_tokens: 120,
        completion_tokens: 15,
        model: 'llama3.2:3b',
      });
    }
  });

  it('AI agent tracking plan error → ai.error', () => {
    const { tracker, messages } = setup(false);
    tracker.error({
      userId: '+254712345678',
      type: 'json_parse_error',
      recoveryAttempt: 1,
      recovered: false,
      fallbackAction: 'agent_handoff',
    });
    expect(messages()).toMatchObject([
      {
        event: 'ai.error',
        userId: '+254712345678',
        properties: {
          error_type: 'json_parse_error',
          recovery_attempt: 1,
          recovered: false,
          fallback_action: 'agent_handoff',
        },
      },
    ]);
  });

  it('Copilot conversation and customer signal', () => {
    const { tracker, messages } = setup(true);
    const conversation = tracker.conversation({
      conversationId: '1238041hdou',
      userId: '123',
      orgId: 'o',
      workspaceId: 'w',
    });
    conversation.messageSent({ messageId: 'msg123', body: 'hello' });
    conversation.messageReceived({ messageId: 'msg124', body: 'hi, how can I help?' });
    conversation.end();
    tracker.signal({
      userId: '123',
      orgId: 'o',
      workspaceId: 'w',
      event: 'detected',
      signalType: 'dissatisfaction',
    });
    const events = messages().map((m) => m.event);
    expect(events).toEqual([
      'Conversation Started',
      'Message Sent',
      'Message Received',
      'Conversation Ended',
      'customer_signal.detected',
    ]);
    const all = messages();
    expect(all[1]!.properties).toEqual({
      conversationId: '1238041hdou',
      messageId: 'msg123',
      message_body: 'hello',
      role: 'customer',
    });
    expect(all[2]!.properties).toEqual({
      conversationId: '1238041hdou',
      messageId: 'msg124',
      message_body: 'hi, how can I help?',
      role: 'agent',
    });
    expect(all[3]!.properties).toEqual({ conversationId: '1238041hdou', message_count: 2 });
    expect(all[4]!.properties).toMatchObject({
      org_id: 'o',
      workspace_id: 'w',
      user_id: '123',
      signal_type: 'dissatisfaction',
    });
  });
});
