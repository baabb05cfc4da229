import type { AnalyticsMessage, JsonObject, JsonValue } from '@spantrack/processor';
import { EVENT_COLUMNS, type EventColumn } from './schema';

/** One stored event: the extracted columns (`ts` as epoch milliseconds). */
export type EventRow = { [K in Exclude<EventColumn, 'ts'>]: string | number | null } & { ts: number };

/** One stored event's column values, in `EVENT_COLUMNS` order (`ts` as epoch milliseconds). */
export type EventValues = (string | number | null)[];

/** Each column's index in `EVENT_COLUMNS` (and so in `EventValues`). */
export const COLUMN = Object.fromEntries(EVENT_COLUMNS.map(([name], index) => [name, index])) as Record<
  EventColumn,
  number
>;

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
  const values = toEventValues(message);
  const row: Record<string, string | number | null> = {};
  for (let k = 0; k < EVENT_COLUMNS.length; k++) row[EVENT_COLUMNS[k]![0]] = values[k]!;
  return row as EventRow;
}

/**
 * `toEventRow` as the store writes it: the values in column order, so that a batch is turned into
 * columns by index, with no object per row.
 */
export function toEventValues(message: AnalyticsMessage): EventValues {
  const id = typeof message.messageId === 'string' ? wellFormed(message.messageId) : '';
  if (id === '') throw new UnstorableMessageError(id, 'no messageId');
  const ts = typeof message.timestamp === 'string' ? isoMillis(message.timestamp) : Number.NaN;
  if (!Number.isFinite(ts)) throw new UnstorableMessageError(id, `timestamp ${String(message.timestamp)}`);
  const isTrack = message.type === 'track';
  if (!isTrack && message.type !== 'identify') {
    throw new UnstorableMessageError(id, `type ${String((message as { type: unknown }).type)}`);
  }
  const payload = isTrack ? message.properties : message.traits;
  const p: JsonObject = isObject(payload) ? payload : {};
  const context = isObject(message.context) ? message.context : {};
  const v: EventValues = new Array(EVENT_COLUMNS.length);
  v[COLUMN.message_id] = id;
  v[COLUMN.type] = message.type;
  v[COLUMN.event] = isTrack ? str(message.event) : null;
  v[COLUMN.ts] = ts;
  v[COLUMN.user_id] = str(message.userId);
  v[COLUMN.anonymous_id] = str(message.anonymousId);
  v[COLUMN.channel] = str(context.channel) ?? str(p.channel_type);
  v[COLUMN.assistant] = str(p.assistant);
  v[COLUMN.conversation_id] = str(p.conversationId);
  v[COLUMN.conv_message_id] = str(p.messageId);
  v[COLUMN.role] = str(p.role);
  v[COLUMN.detected_intent] = str(p.detected_intent);
  v[COLUMN.confidence] = num(p.confidence);
  v[COLUMN.latency_ms] = num(p.latency_ms);
  v[COLUMN.model] = str(p.model);
  v[COLUMN.prompt_tokens] = num(p.prompt_tokens);
  v[COLUMN.completion_tokens] = num(p.completion_tokens);
  v[COLUMN.cost_usd] = num(p.cost_usd);
  v[COLUMN.error_type] = str(p.error_type);
  v[COLUMN.output_length] = num(p.output_length);
  v[COLUMN.action] = str(p.action);
  v[COLUMN.message_count] = num(p.message_count);
  v[COLUMN.signal_type] = str(p.signal_type);
  v[COLUMN.severity] = str(p.severity);
  v[COLUMN.theme_id] = str(p.theme_id);
  v[COLUMN.reply_mode] = str(p.reply_mode);
  v[COLUMN.kb_gap_type] = str(p.kb_gap_type);
  v[COLUMN.outcome_type] = str(p.outcome_type);
  v[COLUMN.content] = contentOf(p);
  v[COLUMN.properties] = payloadJson(id, p);
  return v;
}

type Utf16 = string & { isWellFormed(): boolean; toWellFormed(): string };

/**
 * The id as DuckDB stores it: a lone surrogate becomes U+FFFD (as DuckDB's own conversion to UTF-8
 * does), so that the id the store compares is the id it holds.
 */
function wellFormed(id: string): string {
  return (id as Utf16).isWellFormed() ? id : (id as Utf16).toWellFormed();
}

/** The payload as JSON text; one JSON cannot carry (a BigInt, a cycle) makes the message unstorable. */
function payloadJson(id: string, payload: JsonObject): string {
  try {
    return JSON.stringify(payload);
  } catch (error) {
    throw new UnstorableMessageError(id, `properties are not JSON (${(error as Error).message})`);
  }
}

/**
 * `Date.parse(text)`, with the form `toISOString` writes (`2026-11-30T09:52:56.715Z`, the form every
 * translated message carries) read digit by digit: `Date.parse` costs about a third of a
 * microsecond per call, a tenth of the store's work per message on the JavaScript thread. Anything
 * else (another form, a year below 100, an hour of 24, a field out of range) goes to `Date.parse`,
 * so the result is always the same as its.
 */
export function isoMillis(text: string): number {
  if (
    text.length !== 24 ||
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 46 ||
    text.charCodeAt(23) !== 90
  ) {
    return Date.parse(text);
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const ms = digits(text, 20, 3);
  // A field with a non-digit is negative; Date.UTC reads years 0-99 as 1900-1999.
  if (
    year < 100 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    ms < 0
  ) {
    return Date.parse(text);
  }
  // Like Date.parse, a day past the month's end (April 31) rolls over into the next month.
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The decimal number of `count` digits at `start`, or -1 if one of them is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}
