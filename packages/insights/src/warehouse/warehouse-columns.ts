import type { EventColumn } from '../store/schema';

/** Columns Segment writes on every event table (the properties' columns come after them). */
export const RESERVED_COLUMNS = [
  'id',
  'anonymous_id',
  'user_id',
  'event',
  'event_text',
  'timestamp',
  'original_timestamp',
  'sent_at',
  'received_at',
  'uuid_ts',
] as const;

/** Property columns the metrics read, per event: `ev` column → the event table's column. */
type PropertyColumns = Partial<Record<EventColumn, string>>;

const ai = { assistant: 'assistant', conversation_id: 'conversation_id', cost_usd: 'cost_usd' };
const copilot = { assistant: 'assistant', conversation_id: 'conversation_id', cost_usd: 'cost_usd' };
const tokens = { prompt_tokens: 'prompt_tokens', completion_tokens: 'completion_tokens', model: 'model' };
const signals = { assistant: 'assistant', channel_type: 'channel_type' } as Record<string, string>;

/**
 * The events the metrics read and, for each, the property columns used. A column Segment has not
 * created yet (it creates one on the first non-null value) must exist for the queries to run:
 * `warehouseDdl()` lists them all.
 */
export const WAREHOUSE_EVENT_COLUMNS: Record<string, PropertyColumns> = {
  'ai.classification': {
    ...ai,
    ...tokens,
    detected_intent: 'detected_intent',
    confidence: 'confidence',
    latency_ms: 'latency_ms',
    content: 'input_text',
  },
  'ai.generation': { ...ai, ...tokens, latency_ms: 'latency_ms', output_length: 'output_length' },
  'ai.error': { ...ai, error_type: 'error_type' },
  'Conversation Started': { conversation_id: 'conversation_id' },
  'Message Sent': { ...copilot, conv_message_id: 'message_id', role: 'role', content: 'message_body' },
  'Message Received': {
    ...copilot,
    ...tokens,
    conv_message_id: 'message_id',
    role: 'role',
    content: 'message_body',
  },
  'Conversation Ended': { conversation_id: 'conversation_id', message_count: 'message_count' },
  'Action Invoked': { ...copilot, conv_message_id: 'message_id', role: 'role', action: 'action' },
  'customer_signal.detected': { ...signals, signal_type: 'signal_type', severity: 'severity' },
  'customer_signal.severe_negative_detected': {
    ...signals,
    signal_type: 'signal_type',
    severity: 'severity',
  },
  'customer_signal.theme_clustered': { ...signals, theme_id: 'theme_id' },
  'ai_triage.completed': { ...signals },
  'ai_triage.escalation_triggered': { ...signals },
  'ai_reply.sent': { ...signals, reply_mode: 'reply_mode' },
  'ai_reply.kb_gap_detected': { ...signals, kb_gap_type: 'kb_gap_type' },
  'interaction.outcome_resolved': { ...signals, outcome_type: 'outcome_type' },
  'interaction.outcome_recovered': { ...signals, outcome_type: 'outcome_type' },
  'interaction.outcome_reopened': { ...signals, outcome_type: 'outcome_type' },
  'interaction.outcome_handoff_completed': { ...signals, outcome_type: 'outcome_type' },
};

const NUMERIC = new Set([
  'confidence',
  'latency_ms',
  'prompt_tokens',
  'completion_tokens',
  'cost_usd',
  'output_length',
  'message_count',
]);

/** The SQL type of a property column in the warehouse layout. */
export function warehouseColumnType(column: string): 'DOUBLE' | 'VARCHAR' {
  return NUMERIC.has(column) ? 'DOUBLE' : 'VARCHAR';
}
