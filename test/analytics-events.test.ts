import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AgentTracker, ContextAttributesSpanProcessor } from '@spantrack/instrumentation';
import { AnalyticsSpanProcessor, SegmentSink, type SegmentTransport } from '@spantrack/processor';
import { type ReceivedMessage, type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/*
 * Every event of the three catalogs and `identify`, from the tracker's API call to the message the
 * Segment-compatible test server accepted, through the real @segment/analytics-node client (and
 * through spantrack's own publisher, which must send the same thing). Compared field by field.
 */

const WRITE_KEY = 'e2e-write-key';
const USER = '+254712345678';
const AT = new Date('2026-11-23T10:00:00.000Z');
const ISO = AT.toISOString();
const MESSAGE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const LIBRARY = { name: '@spantrack/processor', version: expect.any(String) };

const contextManager = new AsyncLocalStorageContextManager();
let server: SegmentServer;

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  server = await startSegmentServer({ writeKey: WRITE_KEY, strict: true });
});
afterAll(async () => {
  await server.close();
  context.disable();
});

describe.each<SegmentTransport>(['analytics-node', 'publisher'])('through the %s transport', (transport) => {
  let provider: BasicTracerProvider;
  let processor: AnalyticsSpanProcessor;
  let tracker: AgentTracker;

  beforeEach(async () => {
    server.reset();
    processor = new AnalyticsSpanProcessor({
      sink: new SegmentSink({ writeKey: WRITE_KEY, host: server.url, transport }),
      privacy: { captureContent: true },
    });
    provider = new BasicTracerProvider({ spanProcessors: [new ContextAttributesSpanProcessor(), processor] });
    tracker = new AgentTracker({
      tracerProvider: provider,
      agentName: 'kra-bot',
      channel: 'whatsapp',
      captureContent: true,
    });
    return () => provider.shutdown();
  });

  /** Flushes, then returns what the server accepted, checking what every message must have. */
  async function delivered(): Promise<ReceivedMessage[]> {
    await processor.forceFlush();
    const messages = [...server.messages];
    for (const m of messages) {
      expect(m.messageId).toMatch(MESSAGE_ID);
      expect(m.context).toMatchObject({ library: LIBRARY });
      expect(m.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    expect(server.duplicateMessageIds()).toEqual([]);
    expect(processor.stats()).toMatchObject({ messagesFailed: 0, messagesDropped: 0, spansDropped: 0 });
    return messages;
  }

  const only = (messages: ReceivedMessage[], event: string): ReceivedMessage => {
    const found = messages.filter((m) => m.event === event);
    expect(found, `exactly one ${event}`).toHaveLength(1);
    return found[0]!;
  };

  describe('ai-agent catalog (the AI agent tracking plan)', () => {
    it('ai.classification', async () => {
      await tracker.classify(
        { userId: USER, input: 'I want to file nil returns', model: 'llama3.2:3b' },
        (h) => {
          h.setUsage({ inputTokens: 120, outputTokens: 15 });
          return { intent: 'nil_filing', confidence: 0.99 };
        },
      );
      const m = only(await delivered(), 'ai.classification');
      expect(m.type).toBe('track');
      expect(m.userId).toBe(USER);
      expect(m.properties).toEqual({
        input_text: 'I want to file nil returns',
        detected_intent: 'nil_filing',
        confidence: 0.99,
        latency_ms: expect.any(Number),
        prompt_tokens: 120,
        completion_tokens: 15,
        model: 'llama3.2:3b',
      });
      expect(Number.isInteger((m.properties as { latency_ms: number }).latency_ms)).toBe(true);
      expect((m.context as { channel: string }).channel).toBe('whatsapp');
    });

    it('ai.generation', async () => {
      const text = 'Please confirm your KRA PIN to continue.';
      await tracker.generate({ userId: USER, promptType: 'clarification', model: 'llama3.2:3b' }, () => text);
      const m = only(await delivered(), 'ai.generation');
      expect(m.userId).toBe(USER);
      expect(m.properties).toEqual({
        prompt_type: 'clarification',
        output_length: text.length,
        latency_ms: expect.any(Number),
        model: 'llama3.2:3b',
      });
      expect((m.context as { channel: string }).channel).toBe('whatsapp');
    });

    it('ai.error', async () => {
      tracker.error({
        userId: USER,
        type: 'json_parse_error',
        recoveryAttempt: 1,
        recovered: false,
        fallbackAction: 'agent_handoff',
        timestamp: AT,
      });
      const m = only(await delivered(), 'ai.error');
      expect(m).toMatchObject({ type: 'track', userId: USER, timestamp: ISO });
      expect(m.properties).toEqual({
        error_type: 'json_parse_error',
        recovery_attempt: 1,
        recovered: false,
        fallback_action: 'agent_handoff',
      });
      expect((m.context as { channel: string }).channel).toBe('whatsapp');
    });

    it("an LLM client's span inside classify makes no second event (nothing is counted twice)", async () => {
      const llm = provider.getTracer('llm-client');
      await tracker.classify({ userId: USER, model: 'llama3.2:3b' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        llm
          .startSpan('chat llama3.2:3b', {
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.request.model': 'llama3.2:3b',
              'gen_ai.provider.name': 'ollama',
              'gen_ai.usage.input_tokens': 120,
            },
          })
          .end();
        return { intent: 'nil_filing', confidence: 0.99 };
      });
      const messages = await delivered();
      expect(messages.map((m) => m.event)).toEqual(['ai.classification']);
    });

    it('a failed classification is an ai.error, with the error type of the thrown error', async () => {
      // The agent's own error reaches the agent unchanged; the span records it.
      expect(() =>
        tracker.classify({ userId: USER }, () => {
          JSON.parse('{not json');
          return { intent: 'x', confidence: 1 };
        }),
      ).toThrow(SyntaxError);
      const messages = await delivered();
      expect(messages.map((m) => m.event)).toEqual(['ai.error']);
      expect(messages[0]!.properties).toEqual({ error_type: 'json_parse_error' });
    });
  });

  describe("segment-copilot catalog (Segment's AI Copilot spec)", () => {
    it('a whole conversation: every event, with its properties', async () => {
      const conversation = tracker.conversation({ conversationId: '1238041hdou', userId: '123' });
      conversation.messageSent({
        messageId: 'msg123',
        body: "What's the best stock in the Nasdaq right now?",
        timestamp: AT,
      });
      conversation.messageReceived({
        messageId: 'msg124',
        body: 'Thank you for reaching out. How can I assist you today?',
        timestamp: AT,
      });
      conversation.actionInvoked({
        messageId: 'msg125',
        type: 'Inventory Request',
        action: 'check stock level',
        role: 'customer',
        timestamp: AT,
      });
      conversation.mediaGenerated({ messageId: 'msg126', type: 'image', subType: 'gif', timestamp: AT });
      conversation.componentLoaded({ messageId: 'msg127', type: 'Stock Price Chart', timestamp: AT });
      conversation.feedback({ messageId: 'msg128', rating: 5, timestamp: AT });
      conversation.end({ timestamp: AT });
      const messages = await delivered();
      for (const m of messages) expect(m).toMatchObject({ type: 'track', userId: '123', timestamp: ISO });

      expect(only(messages, 'Conversation Started').properties).toEqual({ conversationId: '1238041hdou' });
      expect(only(messages, 'Message Sent').properties).toEqual({
        conversationId: '1238041hdou',
        messageId: 'msg123',
        message_body: "What's the best stock in the Nasdaq right now?",
        role: 'customer',
      });
      expect(only(messages, 'Message Received').properties).toEqual({
        conversationId: '1238041hdou',
        messageId: 'msg124',
        message_body: 'Thank you for reaching out. How can I assist you today?',
        role: 'agent',
      });
      expect(only(messages, 'Action Invoked').properties).toEqual({
        conversationId: '1238041hdou',
        messageId: 'msg125',
        type: 'Inventory Request',
        action: 'check stock level',
        role: 'customer',
      });
      expect(only(messages, 'Media Generated').properties).toEqual({
        conversationId: '1238041hdou',
        messageId: 'msg126',
        role: 'agent',
        type: 'image',
        sub_type: 'gif',
      });
      expect(only(messages, 'Component Loaded').properties).toEqual({
        conversationId: '1238041hdou',
        messageId: 'msg127',
        type: 'Stock Price Chart',
      });
      expect(only(messages, 'Feedback Submitted').properties).toEqual({
        conversationId: '1238041hdou',
        messageId: 'msg128',
        rating: 5,
      });
      expect(only(messages, 'Conversation Ended').properties).toEqual({
        conversationId: '1238041hdou',
        message_count: 2,
      });
      expect(messages).toHaveLength(8);
    });

    it('a timed turn with a tool: Message Sent at the start, Message Received at the end, Action Invoked', async () => {
      const conversation = tracker.conversation({ conversationId: 'conv-turn', userId: USER });
      await conversation.turn({ text: 'Is my PIN active?', messageId: 'in-1' }, async (turn) => {
        await conversation.tool('lookup_pin', async () => 'active');
        turn.setOutput('Yes, your PIN is active.', 'out-1');
      });
      const messages = await delivered();
      const sent = only(messages, 'Message Sent');
      const received = only(messages, 'Message Received');
      expect(sent.properties).toEqual({
        conversationId: 'conv-turn',
        messageId: 'in-1',
        message_body: 'Is my PIN active?',
        role: 'customer',
      });
      expect(received.properties).toEqual({
        conversationId: 'conv-turn',
        messageId: 'out-1',
        message_body: 'Yes, your PIN is active.',
        role: 'agent',
      });
      expect(Date.parse(received.timestamp as string)).toBeGreaterThanOrEqual(
        Date.parse(sent.timestamp as string),
      );
      expect(only(messages, 'Action Invoked').properties).toEqual({
        conversationId: 'conv-turn',
        type: 'tool',
        action: 'lookup_pin',
        role: 'agent',
      });
      expect(only(messages, 'Conversation Started').properties).toEqual({ conversationId: 'conv-turn' });
      for (const m of messages) expect(m.userId).toBe(USER);
    });

    it('identify', async () => {
      tracker.identify('123', { plan: 'pro', country: 'KE' }, { anonymousId: '768923ihuy32', timestamp: AT });
      const messages = await delivered();
      const m = messages.find((x) => x.type === 'identify');
      expect(m).toMatchObject({
        type: 'identify',
        userId: '123',
        anonymousId: '768923ihuy32',
        timestamp: ISO,
      });
      expect(m!.traits).toEqual({ plan: 'pro', country: 'KE' });
      expect(messages).toHaveLength(1);
    });
  });

  describe('customer-signals catalog (the customer-signals tracking plan)', () => {
    const scope = {
      orgId: 'org_1',
      workspaceId: 'ws_9',
      userId: 'u_42',
      channelType: 'whatsapp',
      timestamp: AT,
    };
    const required = {
      org_id: 'org_1',
      workspace_id: 'ws_9',
      user_id: 'u_42',
      timestamp: ISO,
      channel_type: 'whatsapp',
    };

    it.each([
      ['detected', 'customer_signal.detected'],
      ['severe_negative_detected', 'customer_signal.severe_negative_detected'],
      ['success_detected', 'customer_signal.success_detected'],
      ['theme_clustered', 'customer_signal.theme_clustered'],
    ] as const)('signal %s → %s', async (event, name) => {
      tracker.signal({
        ...scope,
        event,
        signalType: 'dissatisfaction',
        severity: 'high',
        themeId: 'late_refund',
      });
      const m = only(await delivered(), name);
      expect(m).toMatchObject({ type: 'track', userId: 'u_42', timestamp: ISO });
      expect(m.properties).toEqual({
        ...required,
        signal_type: 'dissatisfaction',
        severity: 'high',
        theme_id: 'late_refund',
      });
    });

    it('triage with escalation → ai_triage.completed and ai_triage.escalation_triggered', async () => {
      tracker.triage({
        ...scope,
        triageResult: 'billing',
        confidenceBand: 'low',
        escalated: true,
        escalationReason: 'legal_threat',
      });
      const messages = await delivered();
      const fields = {
        ...required,
        triage_result: 'billing',
        confidence_band: 'low',
        escalation_reason: 'legal_threat',
      };
      expect(only(messages, 'ai_triage.completed').properties).toEqual(fields);
      expect(only(messages, 'ai_triage.escalation_triggered').properties).toEqual(fields);
      expect(messages).toHaveLength(2);
    });

    it.each([
      ['generated', 'ai_reply.generated'],
      ['sent', 'ai_reply.sent'],
      ['kb_gap_detected', 'ai_reply.kb_gap_detected'],
    ] as const)('reply %s → %s', async (event, name) => {
      tracker.reply({
        ...scope,
        event,
        replyMode: 'assisted',
        kbGapType: 'missing_article',
        confidenceBand: 'medium',
      });
      const m = only(await delivered(), name);
      expect(m.properties).toEqual({
        ...required,
        reply_mode: 'assisted',
        kb_gap_type: 'missing_article',
        confidence_band: 'medium',
      });
    });

    it.each([
      ['resolved', 'interaction.outcome_resolved'],
      ['recovered', 'interaction.outcome_recovered'],
      ['reopened', 'interaction.outcome_reopened'],
      ['handoff_completed', 'interaction.outcome_handoff_completed'],
    ] as const)('outcome %s → %s', async (event, name) => {
      tracker.outcome({
        ...scope,
        event,
        outcomeType: 'refund_issued',
        previousSignalType: 'dissatisfaction',
        timeToResolutionMs: 3_600_000,
        handoffTarget: 'tier2',
        resolutionPath: 'human',
        result: 'ok',
      });
      const m = only(await delivered(), name);
      expect(m.properties).toEqual({
        ...required,
        result: 'ok',
        outcome_type: 'refund_issued',
        previous_signal_type: 'dissatisfaction',
        time_to_resolution_ms: 3_600_000,
        handoff_target: 'tier2',
        resolution_path: 'human',
      });
    });

    it('never carries content, even with capture on', async () => {
      tracker.reply({ ...scope, event: 'sent', properties: { note: 'x' } });
      const m = only(await delivered(), 'ai_reply.sent');
      for (const key of Object.keys(m.properties as object)) {
        expect(['input_text', 'message_body', 'output_text']).not.toContain(key);
      }
    });
  });

  it('a Segment outage (500s, then recovery) still delivers every message exactly once', async () => {
    server.setFault({ status: 500, times: 2 });
    for (let i = 0; i < 50; i++)
      tracker.error({ userId: USER, type: 'timeout', recoveryAttempt: i, timestamp: AT });
    const messages = await delivered();
    expect(server.requestLog.filter((r) => r.status === 500)).toHaveLength(2);
    expect(messages).toHaveLength(50);
    expect(new Set(messages.map((m) => m.messageId)).size).toBe(50);
    expect(
      messages
        .map((m) => (m.properties as { recovery_attempt: number }).recovery_attempt)
        .sort((x, y) => x - y),
    ).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
