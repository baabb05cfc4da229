/**
 * The local store's one table. Each column is one field the metric queries read, extracted from a
 * message when it is stored; `properties` keeps the whole payload (for export and later metrics).
 * The same column names form the relation `ev` every metric query reads, whatever the layout.
 */
export const EVENT_COLUMNS = [
  ['message_id', 'VARCHAR'],
  ['type', 'VARCHAR'],
  ['event', 'VARCHAR'],
  ['ts', 'TIMESTAMP'],
  ['user_id', 'VARCHAR'],
  ['anonymous_id', 'VARCHAR'],
  ['channel', 'VARCHAR'],
  ['assistant', 'VARCHAR'],
  ['conversation_id', 'VARCHAR'],
  ['conv_message_id', 'VARCHAR'],
  ['role', 'VARCHAR'],
  ['detected_intent', 'VARCHAR'],
  ['confidence', 'DOUBLE'],
  ['latency_ms', 'DOUBLE'],
  ['model', 'VARCHAR'],
  ['prompt_tokens', 'DOUBLE'],
  ['completion_tokens', 'DOUBLE'],
  ['cost_usd', 'DOUBLE'],
  ['error_type', 'VARCHAR'],
  ['output_length', 'DOUBLE'],
  ['action', 'VARCHAR'],
  ['message_count', 'DOUBLE'],
  ['signal_type', 'VARCHAR'],
  ['severity', 'VARCHAR'],
  ['theme_id', 'VARCHAR'],
  ['reply_mode', 'VARCHAR'],
  ['kb_gap_type', 'VARCHAR'],
  ['outcome_type', 'VARCHAR'],
  ['content', 'VARCHAR'],
  ['properties', 'VARCHAR'],
] as const;

export type EventColumn = (typeof EVENT_COLUMNS)[number][0];

const columnsDdl = EVENT_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');

/**
 * Segment keeps one message per messageId, and so does the store, without a primary key: the
 * writer drops ids it holds already before each INSERT (`StoredIds`, `withoutStored`). DuckDB's
 * index on the text ids cost about a quarter of its work per stored event. A store made with the
 * key by an earlier version keeps it; the writer never gives it a duplicate to refuse.
 */
export const CREATE_EVENTS_TABLE = `CREATE TABLE IF NOT EXISTS events (${columnsDdl})`;

/**
 * The fast path's INSERT: a batch arrives as one JSON text of column arrays
 * (`{"message_id": [...], "ts": [epoch ms, ...], ...}`, a column NULL in every row left out) and
 * the payloads' JSON texts one per line (`$payloads`); DuckDB parses the one, splits the other and
 * zips the lists into rows (`unnest` of several lists side by side), so the work of making rows runs
 * on DuckDB's thread instead of the JavaScript thread, which the collector needs for translating spans.
 */
export const INSERT_FROM_COLUMNS_JSON = (() => {
  const shape = EVENT_COLUMNS.filter(([name]) => name !== 'properties').map(
    ([name, type]) => `"${name}":["${type === 'TIMESTAMP' ? 'BIGINT' : type}"]`,
  );
  const select = EVENT_COLUMNS.map(([name, type]) =>
    type === 'TIMESTAMP'
      ? `epoch_ms(unnest(j.${name})) AS ${name}`
      : name === 'properties'
        ? `unnest(string_split(CAST($payloads AS VARCHAR), chr(10))) AS ${name}`
        : `unnest(j.${name}) AS ${name}`,
  );
  return `INSERT INTO events SELECT ${select.join(', ')} FROM (SELECT from_json(CAST($columns AS VARCHAR), '{${shape.join(',')}}') AS j)`;
})();

/** Which of the ids (`$ids`, a JSON array of strings) are stored already. */
export const SELECT_STORED_IDS = `SELECT message_id FROM events WHERE message_id IN (SELECT unnest(from_json(CAST($ids AS VARCHAR), '["VARCHAR"]')))`;

/** The slow path's rows are appended here first (the appender takes any string), then moved into `events`. */
export const CREATE_STAGING_TABLE = `CREATE TEMP TABLE IF NOT EXISTS staging (${columnsDdl})`;

/** Staged rows are new, with distinct ids (`withoutStored`). */
export const MOVE_STAGED_ROWS = 'INSERT INTO events SELECT * FROM staging';

export const CLEAR_STAGING = 'DELETE FROM staging';

/**
 * Retention: events older than the cut-off are deleted. The cut-off is bound as a UTC time
 * computed in JavaScript: `now()` cast to TIMESTAMP would follow DuckDB's session time zone.
 */
export const DELETE_EXPIRED = 'DELETE FROM events WHERE ts < CAST($cutoff AS TIMESTAMP)';
