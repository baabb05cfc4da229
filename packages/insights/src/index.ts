// The figures as OpenTelemetry metrics live in the processor (which must not depend on this
// package); re-exported here where they were first published.
export { BoundedLabel, MetricsSink, type MetricsSinkOptions, OTHER } from '@spantrack/processor';
export { main as runCli, USAGE } from './cli/main';
export {
  createDashboardHandler,
  type DashboardHandler,
  type DashboardHandlerOptions,
  type DashboardStore,
} from './dashboard/handler';
export { EXPORT_COLUMNS, EXPORT_FORMATS, type ExportFormat } from './export/export-conversations';
export { writeExportFile, writeTextExport } from './export/write-export';
export { Insights, type Overview } from './insights';
export {
  type BoundFilters,
  bindFilters,
  FILTER_FIELDS,
  type Filters,
  filtersFromQuery,
  InvalidFilterError,
} from './metrics/filters';
export { evCte, type Layout } from './metrics/layouts';
export type { CteName, ExtraParam, Metric, MetricPlan } from './metrics/metric';
export { METRICS, metric, metricSql, UnknownMetricError } from './metrics/registry';
export { type ExtraValues, runMetric } from './metrics/run-metric';
export { formatReport } from './report/format-report';
export { createEventStore, DuckDbStoreSink } from './store/duckdb-store-sink';
export { type IngestResult, ingestJsonl } from './store/ingest-jsonl';
export {
  type EventRow,
  type EventValues,
  toEventRow,
  toEventValues,
  UnstorableMessageError,
} from './store/message-row';
export {
  type EventStoreOptions,
  type ResolvedStoreOptions,
  resolveStoreOptions,
  StoreConfigError,
} from './store/options';
export { ConnectionPool, type QueryRunner, type Row, SerialConnection } from './store/serial-connection';
export { StoreClosedError, StoreFullError, StoreWriteError } from './store/store-errors';
export { loadSegmentWarehouse, warehouseDdl } from './warehouse/load-segment-tables';
export { snakeCase } from './warehouse/snake-case';
