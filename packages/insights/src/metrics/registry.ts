import { aiAgentMetrics } from './ai-agent';
import { conversationMetrics } from './conversations';
import { CTES, cteClosure } from './ctes';
import { customerSignalMetrics } from './customer-signals';
import { evCte, type Layout } from './layouts';
import type { Metric } from './metric';

/** Every metric, by name. */
export const METRICS: ReadonlyMap<string, Metric> = new Map(
  [...aiAgentMetrics, ...conversationMetrics, ...customerSignalMetrics].map((m) => [m.name, m]),
);

/** An unknown metric name. */
export class UnknownMetricError extends Error {
  constructor(readonly metric: string) {
    super(`unknown metric ${JSON.stringify(metric)}`);
    this.name = 'UnknownMetricError';
  }
}

export function metric(name: string): Metric {
  const m = METRICS.get(name);
  if (m === undefined) throw new UnknownMetricError(name);
  return m;
}

const rendered = new Map<string, string>();

/** The complete SQL of a metric for a layout: `WITH ev AS (...), <shared CTEs> <SELECT>`. */
export function metricSql(m: Metric, layout: Layout): string {
  const key = `${layout}\u0000${m.name}`;
  let sql = rendered.get(key);
  if (sql === undefined) {
    const ctes = [evCte(layout), ...cteClosure(m.uses).map((name) => CTES[name].sql)];
    sql = `WITH ${ctes.join(',\n')}\n${m.sql}`;
    rendered.set(key, sql);
  }
  return sql;
}
