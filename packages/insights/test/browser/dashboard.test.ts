/// <reference lib="dom" />
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context as otelContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AgentTracker, ContextAttributesSpanProcessor } from '@spantrack/instrumentation';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Overview } from '../../src/insights';
import type { Filters } from '../../src/metrics/filters';
import { launchChromium } from './chromium';
import { type CollectorProcess, startCollectorProcess } from './collector-process';
import { runWorkload } from './workload';

/*
 * The dashboard in real headless Chromium, over a known workload sent as a user's agent sends it:
 * AgentTracker → OpenTelemetry SDK → OTLP exporter (protobuf over HTTP) → the collector process
 * (`spantrack-collector --store`) → translator → its DuckDB store → the dashboard it serves.
 * Screenshots of each view land in packages/insights/test-artifacts/ (gitignored).
 */
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts');

const contextManager = new AsyncLocalStorageContextManager();
let collector: CollectorProcess;
let provider: BasicTracerProvider;
let base: string;
let browser: { context: BrowserContext; close: () => Promise<void> };
let page: Page;

/** Sends the spans ended so far over OTLP and waits until the collector's store has their events. */
async function sendAndStore() {
  await provider.forceFlush();
  await collector.stored();
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  otelContext.setGlobalContextManager(contextManager.enable());
  collector = await startCollectorProcess();
  provider = new BasicTracerProvider({
    spanProcessors: [
      new ContextAttributesSpanProcessor(),
      new BatchSpanProcessor(new OTLPTraceExporter({ url: collector.tracesUrl }), {
        scheduledDelayMillis: 20,
      }),
    ],
  });
  await runWorkload(provider);
  await sendAndStore();
  base = collector.dashboardUrl.replace(/\/$/, '');
  browser = await launchChromium();
  page = await browser.context.newPage();
  // Nothing but the dashboard's own server: the page must work offline.
  await page.route('**/*', (route) =>
    route.request().url().startsWith(base) ? route.continue() : route.abort('internetdisconnected'),
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await provider?.shutdown();
  // SIGTERM drains and exits 0, as a user stops it.
  expect(await collector?.stop()).toBe(0);
  otelContext.disable();
});

/** The figures the store's SQL computes under the filters, from the collector's dashboard API. */
async function overviewOf(filters: Filters = {}): Promise<Overview> {
  const query = new URLSearchParams(filters as Record<string, string>).toString();
  const response = await fetch(`${base}/api/overview${query ? `?${query}` : ''}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Overview;
}

/** Waits until the page has finished its `n`th load of the figures. */
async function loaded(n: number) {
  await page.waitForFunction((count) => Number(document.body.dataset.loaded ?? 0) >= count, n);
}
const loads = () => page.evaluate(() => Number(document.body.dataset.loaded ?? 0));
// innerText on purpose: what a user sees, as rendered.
// biome-ignore lint/performance/useDomNodeTextContent: Playwright locator, rendered text wanted
const text = (selector: string) => page.locator(selector).innerText();

/** The card texts the page must show for an overview, formatted as the page formats them. */
function expectedCards(o: Overview) {
  const pct = (n: number | null) => (n === null ? 'n/a' : `${(n * 100).toFixed(1)}%`);
  const ms = (n: number | null) => (n === null ? 'n/a' : `${Math.round(n).toLocaleString('en-US')} ms`);
  return {
    '#c-classifications': String(o.aiAgent.classifications),
    '#c-accuracy': o.aiAgent.accuracy === null ? 'n/a' : o.aiAgent.accuracy.toFixed(3),
    '#c-latency': ms(o.aiAgent.avgLatencyMs),
    '#c-error-rate': pct(o.aiAgent.errorRate),
    '#c-conversations': String(o.conversations.total),
    '#c-response-rate': pct(o.conversations.responseRate),
    '#c-response-time': ms(o.conversations.avgResponseTimeMs),
    '#c-cost':
      o.conversations.costPerConversation === null
        ? 'n/a'
        : `$${o.conversations.costPerConversation.toFixed(4)}`,
    '#s-handling': `${o.customerSignals.handling.auto} / ${o.customerSignals.handling.assisted} / ${o.customerSignals.handling.human}`,
    '#s-severe': String(o.customerSignals.severeNegatives),
    '#s-kb-gaps': String(o.customerSignals.kbGaps),
  };
}

async function expectCardsFor(filters: Filters) {
  const cards = expectedCards(await overviewOf(filters));
  for (const [selector, value] of Object.entries(cards)) expect(await text(selector), selector).toBe(value);
}

describe('the dashboard in Chromium', () => {
  it('shows the figures the SQL computes', async () => {
    await page.goto(`${base}/`);
    await loaded(1);
    const overview = await overviewOf();
    // The workload itself: 8 classifications, 3 generations, 1 error, 3 conversations, 4 customer messages, 3 answered.
    expect(overview.aiAgent.classifications).toBe(8);
    expect([overview.aiAgent.errors, overview.aiAgent.requests]).toEqual([1, 12]);
    const slow = overview.aiAgent.latencyDistribution.filter((b) => b.min_ms >= 100).map((b) => b.count);
    expect(slow).toEqual([1, 0, 1, 1, 0]); // 120, 640 and 1,300 ms
    expect([overview.conversations.total, overview.conversations.answered]).toEqual([3, 3]);
    expect(overview.conversations.avgResponseTimeMs).toBeCloseTo((2000 + 3000 + 1500) / 3, 6);
    await expectCardsFor({});
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright locator, rendered text wanted
    expect(await page.locator('#top-intents tbody tr').first().innerText()).toBe('nil_filing\t3');
    const bars = await page.locator('#latency-histogram .bar .count').allInnerTexts();
    expect(bars.map(Number)).toEqual(overview.aiAgent.latencyDistribution.map((b) => b.count));
    expect(await page.locator('#conversation-list tbody tr').count()).toBe(3);
    expect(await page.locator('#conversation-list .badge').allInnerTexts()).toEqual([
      'Web Widget',
      'WhatsApp',
      'WhatsApp',
    ]);
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });
  });

  it('filters by type, keeps the filter in the URL, and the figures follow', async () => {
    const before = await loads();
    await page.selectOption('#f-channel', 'web_widget');
    await page.click('#filters button[type=submit]');
    await loaded(before + 1);
    expect(new URL(page.url()).searchParams.get('channel')).toBe('web_widget');
    await expectCardsFor({ channel: 'web_widget' });
    expect(await text('#c-classifications')).toBe('2');
    expect(await text('#c-conversations')).toBe('1');
    expect(await page.locator('#conversation-list tbody tr').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'filtered-web-widget.png'), fullPage: true });
    // Reloading the URL restores the filter.
    await page.reload();
    await loaded(1);
    expect(await page.inputValue('#f-channel')).toBe('web_widget');
    expect(await text('#c-classifications')).toBe('2');
  });

  it('opens a conversation with its history, tool calls and costs', async () => {
    await page.goto(`${base}/?channel=whatsapp&assistant=kra-bot`);
    await loaded(1);
    await page.click('button.open[data-id="conv-wa-1"]');
    await page.locator('#detail:not([hidden])').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('detail');
    const items = await page.locator('#history li strong').allInnerTexts();
    expect(items).toContain('Function call: lookup_pin');
    expect(items.filter((t) => t === 'Customer message')).toHaveLength(2);
    expect(items.filter((t) => t === 'AI response')).toHaveLength(2);
    const history = await text('#history');
    expect(history).toContain('I want to file nil returns');
    expect(history).toContain('cost $0.0021');
    expect(await text('#detail-summary')).toBe('4 messages, total cost $0.0055');
    expect(page.url()).toContain('#conversation=conv-wa-1');
    await page.screenshot({ path: join(ARTIFACTS, 'conversation.png'), fullPage: true });
  });

  it('exports the filtered conversations', async () => {
    await page.goto(`${base}/?channel=whatsapp`);
    await loaded(1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toMatch(/^conversation_id,channel,/);
    expect(
      csv
        .slice(1)
        .map((line) => line.split(',')[0])
        .sort(),
    ).toEqual(['conv-wa-1', 'conv-wa-2']);
  });

  it('updates without a reload when new events are stored', async () => {
    await page.goto(`${base}/`);
    await loaded(1);
    expect(await text('#c-classifications')).toBe('8');
    const tracker = new AgentTracker({ tracerProvider: provider, channel: 'whatsapp' });
    await tracker.classify({ userId: 'late' }, () => ({ intent: 'nil_filing', confidence: 0.7 }));
    await sendAndStore();
    await page.waitForFunction(() => document.getElementById('c-classifications')?.textContent === '9');
    await expectCardsFor({});
  });

  it('shows a clear message for a hostile filter instead of breaking', async () => {
    await page.goto(`${base}/?from=${encodeURIComponent("2026-01-01' OR 1=1 --")}`);
    await page.locator('#error:not([hidden])').waitFor();
    expect(await text('#error')).toMatch(/invalid filter from/);
    await page.screenshot({ path: join(ARTIFACTS, 'invalid-filter.png'), fullPage: true });
  });

  it('can be used from the keyboard alone', async () => {
    await page.goto(`${base}/`);
    await loaded(1);
    // Tab from the top: the skip link, then the type filter.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-channel');
    // Every filter control is labelled.
    const labels = await page.$$eval('input, select', (els) =>
      els.map((e) => (e.closest('label') ? 'ok' : e.id)),
    );
    expect(labels.every((l) => l === 'ok')).toBe(true);
    await page.focus('button.open[data-id="conv-web-1"]');
    await page.keyboard.press('Enter');
    await page.locator('#detail:not([hidden])').waitFor();
    expect(await text('#detail-id')).toBe('conv-web-1');
  });
});
