import { DuckDBInstance } from '@duckdb/node-api';
import type { AnalyticsMessage } from '@spantrack/processor';
import { afterEach } from 'vitest';
import { Insights } from '../src/insights';
import type { Layout } from '../src/metrics/layouts';
import { createEventStore, type DuckDbStoreSink } from '../src/store/duckdb-store-sink';
import type { EventStoreOptions } from '../src/store/options';
import { SerialConnection } from '../src/store/serial-connection';
import { loadSegmentWarehouse } from '../src/warehouse/load-segment-tables';

/**
 * Opens in-memory stores (retention off, `options` on top) that are shut down after each test of
 * the file that calls this.
 */
export function storesShutAfterEach(): (options?: EventStoreOptions) => Promise<DuckDbStoreSink> {
  const open: DuckDbStoreSink[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.shutdown();
  });
  return async (options = {}) => {
    const s = await createEventStore({ path: ':memory:', retentionDays: 0, ...options });
    open.push(s);
    return s;
  };
}

/** How many events the store holds. */
export const countEvents = async (s: DuckDbStoreSink) =>
  (await s.reader.query('SELECT count(*) AS n FROM events'))[0]!.n;

/** The workload loaded into a layout in an in-memory DuckDB; `close` releases it. */
export async function loadLayout(layout: Layout, messages: readonly AnalyticsMessage[]) {
  if (layout === 'local') {
    const store = await createEventStore({ path: ':memory:', retentionDays: 0 });
    await store.send(messages);
    await store.flush();
    return { insights: store.insights, close: () => store.shutdown() };
  }
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await loadSegmentWarehouse(connection, messages);
  return {
    insights: new Insights(new SerialConnection(connection), 'warehouse'),
    close: async () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
