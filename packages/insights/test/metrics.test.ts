import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Insights } from '../src/insights';
import { InvalidFilterError } from '../src/metrics/filters';
import { WORKLOAD } from './fixtures/workload';
import { loadLayout } from './support';

// Every figure below is computed by hand from test/fixtures/workload.ts.
describe.each(['local', 'warehouse'] as const)('metrics over the %s layout', (layout) => {
  let insights: Insights;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ insights, close } = await loadLayout(layout, WORKLOAD));
  });
  afterAll(() => close());

  it('AI agent dashboard, unfiltered', async () => {
    const { aiAgent } = await insights.overview();
    expect(aiAgent.classifications).toBe(4); // the retried message counts once
    expect(aiAgent.accuracy).toBeCloseTo((0.9 + 0.7 + 0.8) / 3, 10); // the unscored one is left out
    expect(aiAgent.avgLatencyMs).toBeCloseTo((50 + 300 + 1500 + 150 + 600 + 2500) / 6, 10); // the error has none
    expect(aiAgent.errorRate).toBeCloseTo(1 / 7, 10);
    expect([aiAgent.errors, aiAgent.requests]).toEqual([1, 7]);
    expect(aiAgent.topIntents).toEqual([
      { intent: 'nil_filing', count: 3 },
      { intent: 'pin_registration', count: 1 },
    ]);
    expect(aiAgent.latencyDistribution.map((b) => [b.bucket, b.count])).toEqual([
      ['<100 ms', 1],
      ['100-250 ms', 1],
      ['250-500 ms', 1],
      ['500 ms-1 s', 1],
      ['1-2 s', 1],
      ['>=2 s', 1],
    ]);
    expect(aiAgent.overTime).toEqual([
      { day: '2026-11-02', requests: 4, errors: 1, error_rate: 0.25 },
      { day: '2026-11-03', requests: 3, errors: 0, error_rate: 0 },
    ]);
  });

  it('AI agent dashboard, by channel and by date', async () => {
    const whatsapp = (await insights.overview({ channel: 'whatsapp' })).aiAgent;
    expect(whatsapp.classifications).toBe(2);
    expect(whatsapp.accuracy).toBeCloseTo(0.8, 10);
    expect(whatsapp.avgLatencyMs).toBeCloseTo((50 + 300 + 600) / 3, 10);
    expect(whatsapp.errorRate).toBeCloseTo(1 / 4, 10);
    const day2 = (await insights.overview({ from: '2026-11-03' })).aiAgent;
    expect(day2.classifications).toBe(2);
    expect(day2.accuracy).toBeCloseTo(0.8, 10);
    expect(day2.avgLatencyMs).toBeCloseTo((1500 + 2500 + 150) / 3, 10);
    expect(day2.errorRate).toBe(0);
    const helpBot = (await insights.overview({ assistant: 'help-bot' })).aiAgent;
    expect([helpBot.classifications, helpBot.requests]).toEqual([1, 2]);
  });

  it('conversation metrics, unfiltered', async () => {
    const { conversations: c } = await insights.overview();
    expect(c.total).toBe(3);
    // A: 5 (its reported message_count), B: 1 (no reply), C: 3 sent + 2 received.
    expect(c.messagesPerConversation).toBeCloseTo(11 / 3, 10);
    // 6 customer messages; B's is unanswered; A's m2, answered twice, counts once.
    expect([c.answered, c.customerMessages]).toEqual([5, 6]);
    expect(c.responseRate).toBeCloseTo(5 / 6, 10);
    // A: 2 s and 40 s (across midnight, to the first of two replies); C: 1.5 s, 5 s, 4 s.
    expect(c.avgResponseTimeMs).toBeCloseTo((2000 + 40000 + 1500 + 5000 + 4000) / 5, 10);
    // A: 0.006, B: no cost (0), C: 0.01.
    expect(c.costPerConversation).toBeCloseTo(0.016 / 3, 12);
    expect(c.totalCostUsd).toBeCloseTo(0.016, 12);
    expect(c.overTime).toEqual([
      { day: '2026-11-02', conversations: 1 },
      { day: '2026-11-03', conversations: 2 },
    ]);
  });

  it('conversation metrics under filters: a conversation is in the range where it started', async () => {
    const fromDay2 = (await insights.overview({ from: '2026-11-03' })).conversations;
    expect(fromDay2.total).toBe(2); // A started on 11-02 though it ended on 11-03
    expect(fromDay2.messagesPerConversation).toBeCloseTo(3, 10);
    expect(fromDay2.responseRate).toBeCloseTo(3 / 4, 10);
    expect(fromDay2.avgResponseTimeMs).toBeCloseTo(3500, 10);
    expect(fromDay2.costPerConversation).toBeCloseTo(0.005, 12);
    const day1 = (await insights.overview({ to: '2026-11-02' })).conversations;
    expect([day1.total, day1.responseRate, day1.avgResponseTimeMs]).toEqual([1, 1, 21000]);
    expect(day1.costPerConversation).toBeCloseTo(0.006, 12);
    const anon = (await insights.overview({ customer: 'anon-c' })).conversations;
    expect([anon.total, anon.messagesPerConversation, anon.responseRate, anon.avgResponseTimeMs]).toEqual([
      1, 5, 1, 3500,
    ]);
    const helpBot = (await insights.overview({ assistant: 'help-bot' })).conversations;
    expect([
      helpBot.total,
      helpBot.responseRate,
      helpBot.avgResponseTimeMs,
      helpBot.costPerConversation,
    ]).toEqual([1, 0, null, null]);
    const none = (await insights.overview({ channel: 'voice' })).conversations;
    expect([none.total, none.messagesPerConversation, none.responseRate, none.costPerConversation]).toEqual([
      0,
      null,
      null,
      null,
    ]);
  });

  it('conversation list and detail', async () => {
    const list = await insights.conversations();
    expect(list.total).toBe(3);
    expect(
      list.conversations.map((c) => [
        c.conversation_id,
        c.channel,
        c.assistant,
        c.customer,
        c.messages,
        c.tool_calls,
      ]),
    ).toEqual([
      ['conv-c', 'test', null, 'anon-c', 5, 0],
      ['conv-b', 'web_widget', 'help-bot', 'u3', 1, 0],
      ['conv-a', 'whatsapp', 'tax-bot', 'u1', 5, 1],
    ]);
    const page = await insights.conversations({}, { limit: 1, offset: 1 });
    expect(page.conversations.map((c) => c.conversation_id)).toEqual(['conv-b']);
    const a = await insights.conversation('conv-a');
    expect(a.messages.map((m) => [m.event, m.message_id ?? m.action])).toEqual([
      ['Conversation Started', null],
      ['Message Sent', 'a-m1'],
      ['Action Invoked', 'lookup_pin'],
      ['Message Received', 'a-r1'],
      ['Message Sent', 'a-m2'],
      ['Message Received', 'a-r2'],
      ['Message Received', 'a-r3'],
      ['Conversation Ended', null],
    ]);
    expect(a.totalCostUsd).toBeCloseTo(0.006, 12);
    expect(a.messages.every((m) => m.content === null && m.length === null)).toBe(true);
    const c = await insights.conversation('conv-c');
    expect(c.messages.map((m) => [m.content, m.length])).toEqual([
      ['hello there', 11],
      ['Hi! How can I help?', 19],
      [null, null],
      [null, null],
      [null, null],
    ]);
    expect((await insights.conversation("conv-a' OR '1'='1")).messages).toEqual([]);
  });

  it('customer-signal figures', async () => {
    const s = (await insights.overview()).customerSignals;
    expect(s.handling).toEqual({ auto: 2, assisted: 1, human: 1, escalated: 1, triaged: 2 });
    expect([s.severeNegatives, s.dissatisfaction, s.kbGaps]).toEqual([1, 1, 3]);
    expect(s.kbGapTypes).toEqual([
      { kb_gap_type: 'missing_article', count: 2 },
      { kb_gap_type: '(unspecified)', count: 1 },
    ]);
    expect(s.outcomes).toEqual({ resolved: 1, recovered: 1, reopened: 1, handoff_completed: 1 });
    expect(s.topThemes).toEqual([
      { theme_id: 'billing', count: 2 },
      { theme_id: 'shipping', count: 1 },
    ]);
    const day2 = (await insights.overview({ from: '2026-11-03' })).customerSignals;
    expect(day2.handling).toEqual({ auto: 0, assisted: 0, human: 1, escalated: 1, triaged: 1 });
    expect([day2.severeNegatives, day2.dissatisfaction, day2.kbGaps]).toEqual([1, 0, 1]);
    expect(day2.outcomes).toEqual({ resolved: 0, recovered: 0, reopened: 1, handoff_completed: 1 });
  });

  it('hostile filter values are bound, not spliced: they match nothing or are refused', async () => {
    const sql = (await insights.overview({ channel: "whatsapp' OR 1=1 --" })).aiAgent;
    expect(sql.classifications).toBe(0);
    await expect(insights.overview({ from: '0001-01-01' })).rejects.toBeInstanceOf(InvalidFilterError);
    await expect(insights.overview({ from: '2026-11-03', to: '2026-11-01' })).rejects.toBeInstanceOf(
      InvalidFilterError,
    );
    await expect(insights.overview({ bogus: 'x' } as never)).rejects.toBeInstanceOf(InvalidFilterError);
  });
});
