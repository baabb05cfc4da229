import type { Metric } from './metric';

/** An AI request: a classification, a generation, or the error a failed one became. */
const AI_REQUEST = `event IN ('ai.classification', 'ai.generation', 'ai.error')`;
const TIMED = `event IN ('ai.classification', 'ai.generation')`;

/** The AI agent tracking plan's dashboard: classifications, accuracy, latency, errors, intents. */
export const aiAgentMetrics: readonly Metric[] = [
  {
    name: 'ai_classifications',
    title: 'AI classifications',
    plan: 'ai-agent',
    shape: 'value',
    uses: ['fev'],
    filtered: true,
    sql: `SELECT count(*) AS value FROM fev WHERE event = 'ai.classification'`,
  },
  {
    name: 'ai_accuracy',
    title: 'AI accuracy (mean confidence)',
    plan: 'ai-agent',
    shape: 'value',
    uses: ['fev'],
    filtered: true,
    sql: `SELECT avg(confidence) AS value, count(confidence) AS scored
FROM fev WHERE event = 'ai.classification'`,
  },
  {
    name: 'ai_avg_latency_ms',
    title: 'Average latency (ms)',
    plan: 'ai-agent',
    shape: 'value',
    uses: ['fev'],
    filtered: true,
    sql: `SELECT avg(latency_ms) AS value, count(latency_ms) AS timed FROM fev WHERE ${TIMED}`,
  },
  {
    name: 'ai_error_rate',
    title: 'Error rate',
    plan: 'ai-agent',
    shape: 'value',
    uses: ['fev'],
    filtered: true,
    sql: `SELECT CASE WHEN count(*) = 0 THEN NULL
            ELSE CAST(count(*) FILTER (WHERE event = 'ai.error') AS DOUBLE) / count(*) END AS value,
       count(*) FILTER (WHERE event = 'ai.error') AS errors,
       count(*) AS requests
FROM fev WHERE ${AI_REQUEST}`,
  },
  {
    name: 'ai_top_intents',
    title: 'Top intents',
    plan: 'ai-agent',
    shape: 'rows',
    uses: ['fev'],
    filtered: true,
    extraParams: ['limit'],
    sql: `SELECT detected_intent AS intent, count(*) AS count
FROM fev WHERE event = 'ai.classification' AND detected_intent IS NOT NULL
GROUP BY detected_intent
ORDER BY count DESC, intent
LIMIT CAST($limit AS INTEGER)`,
  },
  {
    name: 'ai_latency_distribution',
    title: 'Latency distribution',
    plan: 'ai-agent',
    shape: 'rows',
    uses: ['fev'],
    filtered: true,
    sql: `SELECT b.bucket, b.min_ms, b.max_ms, count(f.latency_ms) AS count
FROM (VALUES (1, '<100 ms', 0, 100), (2, '100-250 ms', 100, 250), (3, '250-500 ms', 250, 500),
             (4, '500 ms-1 s', 500, 1000), (5, '1-2 s', 1000, 2000), (6, '>=2 s', 2000, NULL))
     AS b(ord, bucket, min_ms, max_ms)
LEFT JOIN fev f
  ON f.${TIMED} AND f.latency_ms >= b.min_ms AND (b.max_ms IS NULL OR f.latency_ms < b.max_ms)
GROUP BY b.ord, b.bucket, b.min_ms, b.max_ms
ORDER BY b.ord`,
  },
  {
    name: 'ai_requests_over_time',
    title: 'AI requests and error rate per day (UTC)',
    plan: 'ai-agent',
    shape: 'rows',
    uses: ['fev'],
    filtered: true,
    sql: `SELECT CAST(CAST(ts AS DATE) AS VARCHAR) AS day,
       count(*) AS requests,
       count(*) FILTER (WHERE event = 'ai.error') AS errors,
       CAST(count(*) FILTER (WHERE event = 'ai.error') AS DOUBLE) / count(*) AS error_rate
FROM fev WHERE ${AI_REQUEST}
GROUP BY CAST(ts AS DATE)
ORDER BY day`,
  },
];
