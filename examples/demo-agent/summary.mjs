// What `npm start` prints after the demo, read back from the DuckDB event store of
// @spantrack/insights: the stored events counted per name and grouped by catalog, then the
// dashboard figures the tracking plans define (`Insights.overview`, printed by `formatReport`).
import { AiAgentEvent, CatalogName, CopilotEvent, CustomerSignalEvent } from '@spantrack/conventions';
import { formatReport } from '@spantrack/insights';

/** The document each catalog implements, as the summary names it. */
const PLANS = {
  [CatalogName.AI_AGENT]: 'AI agent tracking plan',
  [CatalogName.SEGMENT_COPILOT]: "Segment's AI Copilot spec",
  [CatalogName.CUSTOMER_SIGNALS]: 'customer-signals tracking plan',
};
const CATALOG_OF = new Map([
  ...Object.values(AiAgentEvent).map((e) => [e, CatalogName.AI_AGENT]),
  ...Object.values(CopilotEvent).map((e) => [e, CatalogName.SEGMENT_COPILOT]),
  ...Object.values(CustomerSignalEvent).map((e) => [e, CatalogName.CUSTOMER_SIGNALS]),
  // identify calls belong to Segment's AI Copilot spec.
  ['identify', CatalogName.SEGMENT_COPILOT],
]);
/** Display order of a catalog's events: the order its document lists them. */
const ORDER = [...CATALOG_OF.keys()];
const CATALOGS = [CatalogName.AI_AGENT, CatalogName.SEGMENT_COPILOT, CatalogName.CUSTOMER_SIGNALS, 'other'];

/** The catalog an event name (or `identify`) comes from. */
export function catalogOf(event) {
  return CATALOG_OF.get(event) ?? 'other';
}

/**
 * Reads the summary from the store's queries under `filters` (e.g. `{ from }` for one run).
 * @param {import('@spantrack/insights').Insights} insights
 */
export async function summarize(insights, filters = {}) {
  const [counts, overview] = await Promise.all([insights.eventCounts(filters), insights.overview(filters)]);
  return { byCatalog: groupByCatalog(counts), overview };
}

/** Event counts (the store keeps one event per messageId, as Segment does) grouped by catalog, in document order. */
export function groupByCatalog(counts) {
  const catalogs = new Map();
  for (const { event, count } of counts) {
    const catalog = catalogOf(event);
    if (!catalogs.has(catalog)) catalogs.set(catalog, []);
    catalogs.get(catalog).push([event, count]);
  }
  return CATALOGS.filter((c) => catalogs.has(c)).map((catalog) => {
    const events = catalogs
      .get(catalog)
      .sort((a, b) => (ORDER.indexOf(a[0]) + 1 || 99) - (ORDER.indexOf(b[0]) + 1 || 99));
    return { catalog, plan: PLANS[catalog], total: events.reduce((n, [, c]) => n + c, 0), events };
  });
}

/** The summary as lines: events by catalog, then the dashboards' text tables. */
export function formatSummary({ byCatalog, overview }) {
  const total = byCatalog.reduce((n, c) => n + c.total, 0);
  const lines = [`Events by catalog: ${total} events`];
  for (const c of byCatalog) {
    lines.push(`  ${`${c.catalog}${c.plan ? ` (${c.plan})` : ''}`.padEnd(50)}${String(c.total).padStart(4)}`);
    for (const [name, count] of c.events) lines.push(`    ${name.padEnd(48)}${String(count).padStart(4)}`);
  }
  lines.push('', 'Dashboards', ...formatReport(overview).split('\n'));
  return lines;
}
