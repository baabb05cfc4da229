import { fileURLToPath } from 'node:url';
import { createEventStore } from '@spantrack/insights';
import type { AnalyticsMessage } from '@spantrack/processor';
import { expect, it } from 'vitest';
import { runExampleThroughCollector } from '../../../test/helpers/example-e2e';
import { catalogOf, formatSummary, groupByCatalog, summarize } from '../summary.mjs';

const dir = fileURLToPath(new URL('..', import.meta.url));

it('the demo agent sends the three catalogs in one OTLP stream; the store counts them and computes the dashboards', async () => {
  const run = await runExampleThroughCollector(dir, { expectedMessages: 123 });
  expect(run.duplicates).toEqual([]);
  expect(run.stdout).toMatch(
    /demo agent: 7 WhatsApp messages \(2 handed off\).*, 5 help-desk conversations \(2 handed off\);.* 0 failed/,
  );

  const store = await createEventStore({ path: ':memory:', retentionDays: 0 });
  try {
    // Twice: the store keeps one event per messageId, as Segment does.
    // The test server's messages are the JSON the collector sent: analytics messages as received.
    const messages = run.messages as unknown as AnalyticsMessage[];
    for (const _ of [1, 2]) expect((await store.send(messages)).delivered).toBe(123);
    await store.flush();
    const summary = await summarize(store.insights);
    expect(summary.byCatalog.map((c) => [c.catalog, c.total])).toEqual([
      ['ai-agent', 27],
      ['segment-copilot', 70],
      ['customer-signals', 26],
    ]);
    expect(Object.fromEntries(summary.byCatalog[0]!.events)).toEqual({
      'ai.classification': 11,
      'ai.generation': 11,
      'ai.error': 5,
    });

    const { aiAgent, conversations, customerSignals } = summary.overview;
    expect(aiAgent).toMatchObject({ classifications: 11, errors: 5, requests: 27 });
    // The WhatsApp bot's (0.99 + 0.97 + 0.95 + 0.99 + 0.91) and the help desk's (0.94 + 0.89 + 0.81 + 0.94 + 0.77 + 0.38).
    expect(aiAgent.accuracy).toBeCloseTo(9.54 / 11, 6);
    expect(aiAgent.errorRate).toBeCloseTo(5 / 27, 6);
    expect(aiAgent.topIntents[0]).toEqual({ intent: 'nil_filing', count: 2 });
    expect(aiAgent.avgLatencyMs).toBeGreaterThan(0);
    // Six WhatsApp conversations (4 + 2 * 5 messages), the copilot's (4) and the help desk's five (4 + 2 + 2 + 6 + 2).
    expect(conversations).toMatchObject({ total: 12, responseRate: 1 });
    expect(conversations.messagesPerConversation).toBeCloseTo(34 / 12, 6);
    // Only the help desk's models (gpt-4o-mini, gpt-4o) have prices.
    expect(conversations.costPerConversation).toBeGreaterThan(0);
    expect(customerSignals.handling).toMatchObject({ auto: 1, assisted: 1, human: 2, escalated: 3 });
    expect(customerSignals).toMatchObject({ severeNegatives: 1, kbGaps: 1 });
    expect(customerSignals.outcomes).toMatchObject({
      resolved: 2,
      recovered: 1,
      reopened: 1,
      handoff_completed: 3,
    });

    const text = formatSummary(summary).join('\n');
    expect(text).toContain('Events by catalog: 123 events');
    expect(text).toMatch(/ai-agent \(AI agent tracking plan\) +27/);
    expect(text).toMatch(/segment-copilot \(Segment's AI Copilot spec\) +70/);
    expect(text).toMatch(/customer-signals \(customer-signals tracking plan\) +26/);
    expect(text).toMatch(/AI accuracy \(mean confidence\) +0\.867/);
    expect(text).toMatch(/Top intents +nil_filing 2/);
  } finally {
    await store.shutdown();
  }
});

it('groupByCatalog puts identify under Segment AI Copilot spec and unknown events under other', () => {
  expect(catalogOf('identify')).toBe('segment-copilot');
  expect(catalogOf('Item Purchased')).toBe('other');
  const grouped = groupByCatalog([
    { event: 'Item Purchased', count: 2 },
    { event: 'identify', count: 1 },
    { event: 'Conversation Started', count: 3 },
  ]);
  expect(grouped).toEqual([
    {
      catalog: 'segment-copilot',
      plan: "Segment's AI Copilot spec",
      total: 4,
      events: [
        ['Conversation Started', 3],
        ['identify', 1],
      ],
    },
    { catalog: 'other', plan: undefined, total: 2, events: [['Item Purchased', 2]] },
  ]);
});
