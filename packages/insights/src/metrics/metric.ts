/** The tracking plan a metric belongs to. */
export type MetricPlan = 'ai-agent' | 'conversations' | 'customer-signals';

/** Shared building blocks a metric's final SELECT reads (see `ctes.ts`). */
export type CteName = 'p' | 'fev' | 'conv' | 'fconv' | 'resp';

/** Parameters a metric binds besides the filters. */
export type ExtraParam = 'limit' | 'offset' | 'conversation';

/**
 * One metric: a named SQL query over the relation `ev` (one row per stored event, the columns of
 * the local store's `events` table). Layouts differ only in how `ev` is built; user values only
 * ever reach the SQL as bound parameters.
 */
export interface Metric {
  /** Stable name: the API key, the `report --json` key, the heading in docs/metrics.md. */
  name: string;
  title: string;
  plan: MetricPlan;
  /** `value`: one row with a `value` column (plus details); `rows`: a table. */
  shape: 'value' | 'rows';
  /** The shared CTEs the SELECT reads; their dependencies are added when the SQL is rendered. */
  uses: readonly CteName[];
  /** Whether the filters apply (false only for one conversation's detail). */
  filtered: boolean;
  extraParams?: readonly ExtraParam[];
  sql: string;
}
