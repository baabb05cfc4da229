import type { Metric } from './metric';

/** The conversation tracking plan's metrics, list and detail, from Segment's AI Copilot spec events. */
export const conversationMetrics: readonly Metric[] = [
  {
    name: 'conversations_total',
    title: 'Total conversations',
    plan: 'conversations',
    shape: 'value',
    uses: ['fconv'],
    filtered: true,
    sql: 'SELECT count(*) AS value FROM fconv',
  },
  {
    name: 'messages_per_conversation',
    title: 'Messages per conversation',
    plan: 'conversations',
    shape: 'value',
    uses: ['fconv'],
    filtered: true,
    sql: 'SELECT avg(messages) AS value FROM fconv',
  },
  {
    name: 'response_rate',
    title: 'Response rate',
    plan: 'conversations',
    shape: 'value',
    uses: ['resp'],
    filtered: true,
    sql: `SELECT CASE WHEN count(*) = 0 THEN NULL ELSE CAST(count(answered_at) AS DOUBLE) / count(*) END AS value,
       count(answered_at) AS answered,
       count(*) AS customer_messages
FROM resp`,
  },
  {
    name: 'avg_response_time_ms',
    title: 'Average response time (ms)',
    plan: 'conversations',
    shape: 'value',
    uses: ['resp'],
    filtered: true,
    sql: `SELECT avg(epoch_ms(answered_at) - epoch_ms(ts)) AS value, count(answered_at) AS answered
FROM resp WHERE answered_at IS NOT NULL`,
  },
  {
    name: 'cost_per_conversation',
    title: 'Cost per conversation (USD)',
    plan: 'conversations',
    shape: 'value',
    uses: ['fconv'],
    filtered: true,
    sql: `SELECT CASE WHEN coalesce(sum(costed_events), 0) = 0 THEN NULL
            ELSE avg(coalesce(cost_usd, 0)) END AS value,
       sum(cost_usd) AS total_cost_usd
FROM fconv`,
  },
  {
    name: 'conversations_over_time',
    title: 'Conversations started per day (UTC)',
    plan: 'conversations',
    shape: 'rows',
    uses: ['fconv'],
    filtered: true,
    sql: `SELECT CAST(CAST(started_at AS DATE) AS VARCHAR) AS day, count(*) AS conversations
FROM fconv GROUP BY CAST(started_at AS DATE) ORDER BY day`,
  },
  {
    name: 'conversation_list',
    title: 'Conversations',
    plan: 'conversations',
    shape: 'rows',
    uses: ['fconv'],
    filtered: true,
    extraParams: ['limit', 'offset'],
    sql: `SELECT conversation_id, channel, assistant, customer,
       CAST(started_at AS VARCHAR) AS started_at, CAST(last_at AS VARCHAR) AS last_at,
       messages, customer_messages, agent_messages, tool_calls, cost_usd
FROM fconv
ORDER BY started_at DESC, conversation_id
LIMIT CAST($limit AS INTEGER) OFFSET CAST($offset AS INTEGER)`,
  },
  {
    name: 'conversation_messages',
    title: 'Conversation history',
    plan: 'conversations',
    shape: 'rows',
    uses: [],
    filtered: false,
    extraParams: ['conversation'],
    sql: `SELECT CAST(ts AS VARCHAR) AS ts, event, role, conv_message_id AS message_id,
       coalesce(length(content), CAST(output_length AS BIGINT)) AS length,
       model, prompt_tokens, completion_tokens, cost_usd, action, content
FROM ev
WHERE conversation_id = CAST($conversation AS VARCHAR)
ORDER BY ev.ts, CASE event WHEN 'Conversation Started' THEN 0 WHEN 'Conversation Ended' THEN 2 ELSE 1 END, message_id`,
  },
];
