import type { CteName } from './metric';

/**
 * The filters, bound once and typed once. Every filter is optional (NULL = not applied).
 * `$to` is exclusive.
 */
const P = `p AS (
  SELECT CAST($from AS TIMESTAMP) AS t_from, CAST($to AS TIMESTAMP) AS t_to,
         CAST($channel AS VARCHAR) AS channel, CAST($assistant AS VARCHAR) AS assistant,
         CAST($customer AS VARCHAR) AS customer
)`;

/** Events inside the filters: the AI agent and customer-signal metrics count these. */
const FEV = `fev AS (
  SELECT ev.* FROM ev CROSS JOIN p
  WHERE (p.t_from IS NULL OR ev.ts >= p.t_from)
    AND (p.t_to IS NULL OR ev.ts < p.t_to)
    AND (p.channel IS NULL OR ev.channel = p.channel)
    AND (p.assistant IS NULL OR ev.assistant = p.assistant)
    AND (p.customer IS NULL OR coalesce(ev.user_id, ev.anonymous_id) = p.customer)
)`;

/**
 * One row per conversation (events with a conversationId), over all its events whatever the
 * filters: a conversation is filtered as a whole by its own attributes (see fconv). Its channel,
 * assistant and customer are the earliest non-null ones among its events.
 */
const CONV = `conv AS (
  SELECT conversation_id,
         min(ts) AS started_at,
         max(ts) AS last_at,
         arg_min(channel, ts) FILTER (WHERE channel IS NOT NULL) AS channel,
         arg_min(assistant, ts) FILTER (WHERE assistant IS NOT NULL) AS assistant,
         coalesce(arg_min(user_id, ts) FILTER (WHERE user_id IS NOT NULL),
                  arg_min(anonymous_id, ts) FILTER (WHERE anonymous_id IS NOT NULL)) AS customer,
         count(*) FILTER (WHERE event = 'Message Sent') AS customer_messages,
         count(*) FILTER (WHERE event = 'Message Received') AS agent_messages,
         count(*) FILTER (WHERE event = 'Action Invoked') AS tool_calls,
         max(message_count) FILTER (WHERE event = 'Conversation Ended') AS reported_messages,
         sum(cost_usd) AS cost_usd,
         count(cost_usd) AS costed_events
  FROM ev
  WHERE conversation_id IS NOT NULL
  GROUP BY conversation_id
)`;

/**
 * Conversations inside the filters: started (first event) in [from, to), and whose channel,
 * assistant and customer match. `messages` is the count the agent reported when the
 * conversation ended, else the customer and agent messages seen.
 */
const FCONV = `fconv AS (
  SELECT conv.*,
         coalesce(conv.reported_messages, conv.customer_messages + conv.agent_messages) AS messages
  FROM conv CROSS JOIN p
  WHERE (p.t_from IS NULL OR conv.started_at >= p.t_from)
    AND (p.t_to IS NULL OR conv.started_at < p.t_to)
    AND (p.channel IS NULL OR conv.channel = p.channel)
    AND (p.assistant IS NULL OR conv.assistant = p.assistant)
    AND (p.customer IS NULL OR conv.customer = p.customer)
)`;

/**
 * Each customer message (Message Sent) of a filtered conversation, with the time of the first
 * agent message (Message Received) of the same conversation at or after it; NULL when none.
 * An ASOF join finds that message by a sort-merge, instead of pairing every two messages of a
 * conversation and keeping the earliest.
 */
const RESP = `resp AS (
  SELECT s.conversation_id, s.message_id, s.ts, a.ts AS answered_at
  FROM (SELECT e.conversation_id, e.message_id, e.ts
        FROM ev e JOIN fconv c ON c.conversation_id = e.conversation_id
        WHERE e.event = 'Message Sent') s
  ASOF LEFT JOIN (SELECT conversation_id, ts FROM ev WHERE event = 'Message Received') a
    ON a.conversation_id = s.conversation_id AND a.ts >= s.ts
)`;

export const CTES: Record<CteName, { sql: string; needs: readonly CteName[] }> = {
  p: { sql: P, needs: [] },
  fev: { sql: FEV, needs: ['p'] },
  conv: { sql: CONV, needs: [] },
  fconv: { sql: FCONV, needs: ['p', 'conv'] },
  resp: { sql: RESP, needs: ['fconv'] },
};

/** The CTEs `uses` needs, dependencies first, each once. */
export function cteClosure(uses: readonly CteName[]): CteName[] {
  const out: CteName[] = [];
  const visit = (name: CteName) => {
    if (out.includes(name)) return;
    for (const dep of CTES[name].needs) visit(dep);
    out.push(name);
  };
  for (const name of uses) visit(name);
  return out;
}
