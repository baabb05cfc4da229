import type { DuckDBValue } from '@duckdb/node-api';
import type { QueryRunner, Row } from '../store/serial-connection';
import { bindFilters, type Filters } from './filters';
import type { Layout } from './layouts';
import type { ExtraParam } from './metric';
import { metric, metricSql } from './registry';

export type ExtraValues = Partial<Record<ExtraParam, string | number>>;

/** Default and largest page of a table metric. */
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 1_000;

/** Runs one metric with its filters (checked: throws `InvalidFilterError`) and extra parameters bound. */
export async function runMetric(
  connection: QueryRunner,
  name: string,
  layout: Layout,
  filters: Filters = {},
  extra: ExtraValues = {},
): Promise<Row[]> {
  const m = metric(name);
  const params: Record<string, DuckDBValue> = {};
  if (m.filtered) Object.assign(params, bindFilters(filters));
  for (const key of m.extraParams ?? []) {
    if (key === 'conversation') params.conversation = String(extra.conversation ?? '');
    else if (key === 'limit') params.limit = clampInt(extra.limit, DEFAULT_LIMIT, 1, MAX_LIMIT);
    else params.offset = clampInt(extra.offset, 0, 0, Number.MAX_SAFE_INTEGER);
  }
  return connection.query(metricSql(m, layout), params);
}

function clampInt(value: string | number | undefined, fallback: number, min: number, max: number): number {
  const n =
    typeof value === 'number' ? value : value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(n)));
}
