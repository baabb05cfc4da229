import { DuckDBInstance } from '@duckdb/node-api';
import type { AnalyticsMessage } from '@spantrack/processor';
import { Insights } from '../src/insights';
import type { Layout } from '../src/metrics/layouts';
import { createEventStore } from '../src/store/duckdb-store-sink';
import { SerialConnection } from '../src/store/serial-connection';
import { loadSegmentWarehouse } from '../src/warehouse/load-segment-tables';

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
