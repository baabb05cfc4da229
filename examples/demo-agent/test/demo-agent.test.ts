import { fileURLToPath } from 'node:url';
import { createEventStore } from '@spantrack/insights';
import type { AnalyticsMessage } from '@spantrack/processor';
import { expect, it } from 'vitest';
import { runExampleThroughCollector } from '../../../test/helpers/example-e2e';
import { catalogOf, formatSummary, groupByCatalog, summarize } from '../summary.mjs';

const dir = fileURLToPath(new URL('..', import.meta.url));

it('the demo agent sends the three catalogs in one OTLP stream; the store counts them and computes the dashboards', async () => {
  const run = await runExampleThroughCollector(dir, { expectedMessages: 71 });
  expect(run.duplicates).toEqual([]);
  expect(run.stdout).toMatch(/demo agent: 7 WhatsApp messages \(2 handed off\).* 0 failed/);

  const store = await createEventStore({ path: ':memory:', retentionDays: 0 });
  try {
    // Twice: the store keeps one event per messageId, as Segment does.
    // The test server's messages are the JSON the collector sent: analytics messages as received.
    const messages = run.messages as unknown as AnalyticsMessage[];
    for (const _ of [1, 2]) expect((await store.send(messages)).delivered).toBe(71);
    await store.flush();
    const summary = await summarize(store.insights);
    expect(summary.byCatalog.map((c) => [c.catalog, c.total])).toEqual([
      ['ai-agent', 13],
      ['segment-copilot', 40],
      ['customer-signals', 18],
    ]);
    expect(Object.fromEntries(summary.byCatalog[0]!.events)).toEqual({
      'ai.classification': 5,
      'ai.generation': 5,
      'ai.error': 3,
    });

    const { aiAgent, conversations, customerSignals } = summary.overview;
    expect(aiAgent).toMatchObject({ classifications: 5, errors: 3, requests: 13 });
    // (0.99 + 0.97 + 0.95 + 0.99 + 0.91) / 5
    expect(aiAgent.accuracy).toBeCloseTo(0.962, 6);
    expect(aiAgent.errorRate).toBeCloseTo(3 / 13, 6);
    expect(aiAgent.topIntents[0]).toEqual({ intent: 'nil_filing', count: 2 });
    expect(aiAgent.avgLatencyMs).toBeGreaterThan(0);
    // Six WhatsApp conversations and the copilot's: 4 + 2 * 5 + 4 messages.
    expect(conversations).toMatchObject({ total: 7, responseRate: 1 });
    expect(conversations.messagesPerConversation).toBeCloseTo(18 / 7, 6);
    expect(customerSignals.handling).toMatchObject({ auto: 1, assisted: 1, human: 0, escalated: 1 });
    expect(customerSignals).toMatchObject({ severeNegatives: 1, kbGaps: 1 });
    expect(customerSignals.outcomes).toMatchObject({ resolved: 2, recovered: 1, reopened: 1 });

    const text = formatSummary(summary).join('\n');
    expect(text).toContain('Events by catalog: 71 events');
    expect(text).toMatch(/ai-agent \(AI agent tracking plan\) +13/);
    expect(text).toMatch(/segment-copilot \(Segment's AI Copilot spec\) +40/);
    expect(text).toMatch(/customer-signals \(customer-signals tracking plan\) +18/);
    expect(text).toMatch(/AI accuracy \(mean confidence\) +0\.962/);
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
