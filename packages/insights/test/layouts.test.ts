import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Insights } from '../src/insights';
import { METRICS } from '../src/metrics/registry';
import { WORKLOAD } from './fixtures/workload';
import { loadLayout } from './support';

let local: Awaited<ReturnType<typeof loadLayout>>;
let warehouse: Awaited<ReturnType<typeof loadLayout>>;
beforeAll(async () => {
  local = await loadLayout('local', WORKLOAD);
  warehouse = await loadLayout('warehouse', WORKLOAD);
});
afterAll(async () => {
  await local.close();
  await warehouse.close();
});

const FILTERS = [
  {},
  { from: '2026-11-03' },
  { channel: 'whatsapp' },
  { customer: 'u3' },
  { assistant: 'tax-bot' },
];

async function run(insights: Insights, name: string, filters: object) {
  return insights.metric(name, filters, { limit: 50, offset: 0, conversation: 'conv-a' });
}

it('every metric gives the same rows on the local store and on the Segment warehouse tables', async () => {
  let compared = 0;
  for (const name of METRICS.keys()) {
    for (const filters of FILTERS) {
      const a = await run(local.insights, name, filters);
      const b = await run(warehouse.insights, name, filters);
      expect(b, `${name} ${JSON.stringify(filters)}`).toEqual(a);
      compared += 1;
    }
  }
  expect(compared).toBe(METRICS.size * FILTERS.length);
});
