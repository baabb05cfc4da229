import { CTES, cteClosure } from './metrics/ctes';
import { bindFilters, type Filters } from './metrics/filters';
import { evCte, type Layout } from './metrics/layouts';
import { type ExtraValues, runMetric } from './metrics/run-metric';
import type { QueryRunner, Row } from './store/serial-connection';

/** Every figure of the dashboard, as `spantrack report --json` prints it. */
export interface Overview {
  filters: Filters;
  aiAgent: {
    classifications: number;
    accuracy: number | null;
    avgLatencyMs: number | null;
    errorRate: number | null;
    errors: number;
    requests: number;
    topIntents: { intent: string; count: number }[];
    latencyDistribution: { bucket: string; min_ms: number; max_ms: number | null; count: number }[];
    overTime: { day: string; requests: number; errors: number; error_rate: number }[];
  };
  conversations: {
    total: number;
    messagesPerConversation: number | null;
    responseRate: number | null;
    answered: number;
    customerMessages: number;
    avgResponseTimeMs: number | null;
    costPerConversation: number | null;
    totalCostUsd: number | null;
    overTime: { day: string; conversations: number }[];
  };
  customerSignals: {
    handling: { auto: number; assisted: number; human: number; escalated: number; triaged: number };
    severeNegatives: number;
    dissatisfaction: number;
    kbGaps: number;
    kbGapTypes: { kb_gap_type: string; count: number }[];
    outcomes: { resolved: number; recovered: number; reopened: number; handoff_completed: number };
    topThemes: { theme_id: string; count: number }[];
  };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The metric queries over one connection and layout. */
export class Insights {
  constructor(
    readonly connection: QueryRunner,
    readonly layout: Layout = 'local',
  ) {}

  /** One metric's rows. */
  metric(name: string, filters: Filters = {}, extra: ExtraValues = {}): Promise<Row[]> {
    return runMetric(this.connection, name, this.layout, filters, extra);
  }

  private async value(name: string, filters: Filters, extra?: ExtraValues): Promise<Row> {
    return (await this.metric(name, filters, extra))[0] ?? {};
  }

  /** All dashboard figures under the filters (throws `InvalidFilterError` for a bad filter). */
  async overview(filters: Filters = {}, topN = 10): Promise<Overview> {
    const v = (name: string) => this.value(name, filters);
    const rows = <T>(name: string, extra?: ExtraValues) => this.metric(name, filters, extra) as Promise<T[]>;
    const [classifications, accuracy, latency, errors, response, responseTime, cost] = await Promise.all([
      v('ai_classifications'),
      v('ai_accuracy'),
      v('ai_avg_latency_ms'),
      v('ai_error_rate'),
      v('response_rate'),
      v('avg_response_time_ms'),
      v('cost_per_conversation'),
    ]);
    const [total, perConversation, handling, negatives, outcomes] = await Promise.all([
      v('conversations_total'),
      v('messages_per_conversation'),
      v('signals_handling_mix'),
      v('signals_negatives'),
      v('signals_outcomes'),
    ]);
    const kbGapTypes = await rows<{ kb_gap_type: string; count: number }>('signals_kb_gaps');
    return {
      filters,
      aiAgent: {
        classifications: num(classifications.value) ?? 0,
        accuracy: num(accuracy.value),
        avgLatencyMs: num(latency.value),
        errorRate: num(errors.value),
        errors: num(errors.errors) ?? 0,
        requests: num(errors.requests) ?? 0,
        topIntents: await rows('ai_top_intents', { limit: topN }),
        latencyDistribution: await rows('ai_latency_distribution'),
        overTime: await rows('ai_requests_over_time'),
      },
      conversations: {
        total: num(total.value) ?? 0,
        messagesPerConversation: num(perConversation.value),
        responseRate: num(response.value),
        answered: num(response.answered) ?? 0,
        customerMessages: num(response.customer_messages) ?? 0,
        avgResponseTimeMs: num(responseTime.value),
        costPerConversation: num(cost.value),
        totalCostUsd: num(cost.total_cost_usd),
        overTime: await rows('conversations_over_time'),
      },
      customerSignals: {
        handling: {
          auto: num(handling.auto) ?? 0,
          assisted: num(handling.assisted) ?? 0,
          human: num(handling.human) ?? 0,
          escalated: num(handling.escalated) ?? 0,
          triaged: num(handling.triaged) ?? 0,
        },
        severeNegatives: num(negatives.value) ?? 0,
        dissatisfaction: num(negatives.dissatisfaction) ?? 0,
        kbGaps: kbGapTypes.reduce((n, r) => n + r.count, 0),
        kbGapTypes,
        outcomes: {
          resolved: num(outcomes.resolved) ?? 0,
          recovered: num(outcomes.recovered) ?? 0,
          reopened: num(outcomes.reopened) ?? 0,
          handoff_completed: num(outcomes.handoff_completed) ?? 0,
        },
        topThemes: await rows('signals_top_themes', { limit: topN }),
      },
    };
  }

  /**
   * How many events of each name are stored under the filters: a plain count, not one of the
   * tracking plans' metrics. On the local store, identify calls are counted too, as `identify`
   * (under the time filters only: they carry no channel or assistant).
   */
  async eventCounts(filters: Filters = {}): Promise<{ event: string; count: number }[]> {
    const ctes = [evCte(this.layout), ...cteClosure(['fev']).map((name) => CTES[name].sql)];
    const identifies =
      this.layout === 'local'
        ? `
UNION ALL
SELECT 'identify' AS event, count(*) AS count FROM events CROSS JOIN p
WHERE type = 'identify' AND (p.t_from IS NULL OR ts >= p.t_from) AND (p.t_to IS NULL OR ts < p.t_to)
  AND (p.customer IS NULL OR coalesce(user_id, anonymous_id) = p.customer)
HAVING count(*) > 0`
        : '';
    const sql = `WITH ${ctes.join(',\n')}
SELECT event, count(*) AS count FROM fev GROUP BY 1${identifies}
ORDER BY 1`;
    const rows = await this.connection.query(sql, { ...bindFilters(filters) });
    return rows.map((r) => ({ event: String(r.event), count: num(r.count) ?? 0 }));
  }

  /** A page of the filtered conversation list, newest first, and the total count. */
  async conversations(filters: Filters = {}, page: { limit?: number; offset?: number } = {}) {
    const [rows, total] = await Promise.all([
      this.metric('conversation_list', filters, { limit: page.limit ?? 50, offset: page.offset ?? 0 }),
      this.value('conversations_total', filters),
    ]);
    return { total: num(total.value) ?? 0, conversations: rows };
  }

  /** One conversation's history (every event carrying its conversationId, in time order) and its total cost. */
  async conversation(id: string) {
    const messages = await this.metric('conversation_messages', {}, { conversation: id });
    const costs = messages.map((m) => num(m.cost_usd)).filter((c): c is number => c !== null);
    return {
      conversationId: id,
      messages,
      totalCostUsd: costs.length ? costs.reduce((a, b) => a + b, 0) : null,
    };
  }
}
