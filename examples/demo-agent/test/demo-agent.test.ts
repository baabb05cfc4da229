import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runExampleThroughCollector } from '../../../test/helpers/example-e2e';
import { catalogOf, formatSummary, summarizeEvents } from '../summarize-events.mjs';

const dir = fileURLToPath(new URL('..', import.meta.url));

it('the demo agent sends the three catalogs in one OTLP stream; the summary counts them and computes the dashboards', async () => {
  const run = await runExampleThroughCollector(dir, { expectedMessages: 71 });
  expect(run.duplicates).toEqual([]);
  expect(run.stdout).toMatch(/demo agent: 7 WhatsApp messages \(2 handed off\).* 0 failed/);

  const summary = summarizeEvents(run.messages);
  expect(summary.uniqueMessageIds).toBe(71);
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

  const { aiAgent, conversations, customerSignals } = summary.dashboards;
  expect(aiAgent).toMatchObject({
    classifications: 5,
    // (0.99 + 0.97 + 0.95 + 0.99 + 0.91) / 5
    accuracy: 0.962,
    errors: 3,
    aiRequests: 13,
    errorRate: 0.231,
  });
  expect(aiAgent.topIntents[0]).toEqual(['nil_filing', 2]);
  expect(aiAgent.avgLatencyMs).toBeGreaterThan(0);
  // Six WhatsApp conversations and the copilot's: 4 + 2 * 5 + 4 messages.
  expect(conversations).toMatchObject({ conversations: 7, messagesPerConversation: 2.6, responseRate: 1 });
  expect(customerSignals).toEqual({
    handling: { auto: 1, assisted: 1, human: 0, escalated: 1 },
    severeNegative: 1,
    kbGaps: 1,
    resolvedOrRecovered: 3,
    reopened: 1,
  });

  const text = formatSummary(summary).join('\n');
  expect(text).toMatch(/ai-agent \(AI agent tracking plan\) +13/);
  expect(text).toMatch(/segment-copilot \(Segment's AI Copilot spec\) +40/);
  expect(text).toMatch(/customer-signals \(customer-signals tracking plan\) +18/);
  expect(text).toContain('5 classifications, accuracy (mean confidence) 0.962');
  expect(text).toContain('top intents: nil_filing 2');
});

it('summarizeEvents keeps one message per messageId, as Segment does', () => {
  const m = { type: 'track', event: 'ai.error', messageId: 'a', timestamp: '2026-01-01T00:00:00.000Z' };
  const summary = summarizeEvents([m, m, { ...m, messageId: 'b' }]);
  expect(summary).toMatchObject({ messages: 3, uniqueMessageIds: 2 });
  expect(catalogOf({ type: 'identify' })).toBe('segment-copilot');
  expect(catalogOf({ type: 'track', event: 'Item Purchased' })).toBe('other');
  expect(formatSummary(summary)[0]).toBe(
    'Events by catalog: 2 events (3 written; duplicates share a messageId)',
  );
});
