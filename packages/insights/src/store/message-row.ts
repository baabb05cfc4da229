import type { AnalyticsMessage, JsonObject, JsonValue } from '@spantrack/processor';
import type { EventColumn } from './schema';

/** One stored event: the extracted columns (`ts` as epoch milliseconds). */
export type EventRow = { [K in Exclude<EventColumn, 'ts'>]: string | number | null } & { ts: number };

/** The message cannot be stored (no messageId, a timestamp that is not a date, ...). */
export class UnstorableMessageError extends Error {
  constructor(
    readonly messageId: string,
    readonly reason: string,
  ) {
    super(`message ${messageId || '(no messageId)'} cannot be stored: ${reason}`);
    this.name = 'UnstorableMessageError';
  }
}

const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);
const num = (v: JsonValue | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;
const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The content property a message carries, if any: present only when capture was on. */
function contentOf(p: JsonObject): string | null {
  return str(p.message_body) ?? str(p.input_text) ?? str(p.output_text);
}

/**
 * Extracts the columns the metrics read. Values of the wrong type are stored as NULL (a string
 * confidence is no confidence); the whole payload stays in `properties`.
 */
export function toEventRow(message: AnalyticsMessage): EventRow {
  const id = typeof message.messageId === 'string' ? message.messageId : '';
  if (id === '') throw new UnstorableMessageError(id, 'no messageId');
  const ts = typeof message.timestamp === 'string' ? Date.parse(message.timestamp) : Number.NaN;
  if (!Number.isFinite(ts)) throw new UnstorableMessageError(id, `timestamp ${String(message.timestamp)}`);
  const isTrack = message.type === 'track';
  if (!isTrack && message.type !== 'identify') {
    throw new UnstorableMessageError(id, `type ${String((message as { type: unknown }).type)}`);
  }
  const payload = isTrack ? message.properties : message.traits;
  const p: JsonObject = isObject(payload) ? payload : {};
  const context = isObject(message.context) ? message.context : {};
  return {
    message_id: id,
    type: message.type,
    event: isTrack ? str(message.event) : null,
    ts,
    user_id: str(message.userId),
    anonymous_id: str(message.anonymousId),
    channel: str(context.channel) ?? str(p.channel_type),
    assistant: str(p.assistant),
    conversation_id: str(p.conversationId),
    conv_message_id: str(p.messageId),
    role: str(p.role),
    detected_intent: str(p.detected_intent),
    confidence: num(p.confidence),
    latency_ms: num(p.latency_ms),
    model: str(p.model),
    prompt_tokens: num(p.prompt_tokens),
    completion_tokens: num(p.completion_tokens),
    cost_usd: num(p.cost_usd),
    error_type: str(p.error_type),
    output_length: num(p.output_length),
    action: str(p.action),
    message_count: num(p.message_count),
    signal_type: str(p.signal_type),
    severity: str(p.severity),
    theme_id: str(p.theme_id),
    reply_mode: str(p.reply_mode),
    kb_gap_type: str(p.kb_gap_type),
    outcome_type: str(p.outcome_type),
    content: contentOf(p),
    properties: payloadJson(id, p),
  };
}

/** The payload as JSON text; one JSON cannot carry (a BigInt, a cycle) makes the message unstorable. */
function payloadJson(id: string, payload: JsonObject): string {
  try {
    return JSON.stringify(payload);
  } catch (error) {
    throw new UnstorableMessageError(id, `properties are not JSON (${(error as Error).message})`);
  }
}
