import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { AnalyticsMessage, JsonObject, JsonValue } from '@spantrack/processor';
import { snakeCase } from './snake-case';
import { RESERVED_COLUMNS, WAREHOUSE_EVENT_COLUMNS, warehouseColumnType } from './warehouse-columns';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const RESERVED = new Set<string>(RESERVED_COLUMNS);
const BASE_COLUMNS: [string, string][] = [
  ['id', 'VARCHAR'],
  ['anonymous_id', 'VARCHAR'],
  ['user_id', 'VARCHAR'],
  ['event', 'VARCHAR'],
  ['event_text', 'VARCHAR'],
  ['timestamp', 'TIMESTAMP'],
  ['original_timestamp', 'TIMESTAMP'],
  ['sent_at', 'TIMESTAMP'],
  ['received_at', 'TIMESTAMP'],
  ['context_channel', 'VARCHAR'],
];

/**
 * The DDL of the tables the warehouse-layout metrics read: `tracks` and one table per event, with
 * every column the queries use (Segment adds a column only once it has seen a non-null value, so a
 * young warehouse may lack some; create them with this).
 */
export function warehouseDdl(): string[] {
  const ddl = [
    `CREATE TABLE IF NOT EXISTS tracks (${BASE_COLUMNS.map(([n, t]) => `${quote(n)} ${t}`).join(', ')})`,
  ];
  for (const [event, columns] of Object.entries(WAREHOUSE_EVENT_COLUMNS)) {
    const props = [...new Set(Object.values(columns))].map((c) => `${quote(c)} ${warehouseColumnType(c)}`);
    ddl.push(
      `CREATE TABLE IF NOT EXISTS ${quote(snakeCase(event))} (${[
        ...BASE_COLUMNS.map(([n, t]) => `${quote(n)} ${t}`),
        ...props,
      ].join(', ')})`,
    );
  }
  return ddl;
}

/** Properties as Segment flattens them into columns: nested objects joined with `_`, arrays as JSON. */
function flatten(
  obj: JsonObject,
  prefix = '',
  out: Record<string, JsonValue> = {},
): Record<string, JsonValue> {
  for (const [key, value] of Object.entries(obj)) {
    const column = prefix + snakeCase(key);
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      flatten(value, `${column}_`, out);
    else out[column] = Array.isArray(value) ? JSON.stringify(value) : value;
  }
  return out;
}

/**
 * Loads track messages into Segment's warehouse layout in DuckDB (for tests and for trying the
 * warehouse queries locally): each into `tracks` and into its event's table, properties as
 * snake_cased columns, those named like a reserved column dropped (as Segment does).
 */
export async function loadSegmentWarehouse(
  connection: DuckDBConnection,
  messages: readonly AnalyticsMessage[],
): Promise<void> {
  for (const statement of warehouseDdl()) await connection.run(statement);
  const known = new Map<string, Set<string>>();
  // Segment keeps one message per messageId.
  const seen = new Set<string>();
  for (const message of messages) {
    if (message.type !== 'track' || seen.has(message.messageId)) continue;
    seen.add(message.messageId);
    const table = snakeCase(message.event);
    const context = message.context ?? {};
    const base: Record<string, DuckDBValue> = {
      id: message.messageId,
      anonymous_id: message.anonymousId ?? null,
      user_id: message.userId ?? null,
      event: table,
      event_text: message.event,
      timestamp: message.timestamp,
      original_timestamp: message.timestamp,
      sent_at: message.timestamp,
      received_at: message.timestamp,
      context_channel: typeof context.channel === 'string' ? context.channel : null,
    };
    await insert(connection, 'tracks', base);
    const row: Record<string, DuckDBValue> = { ...base };
    for (const [column, value] of Object.entries(flatten(message.properties))) {
      if (RESERVED.has(column) || column.startsWith('context_')) continue;
      row[column] = value as DuckDBValue;
    }
    let columns = known.get(table);
    if (columns === undefined) {
      await connection.run(
        `CREATE TABLE IF NOT EXISTS ${quote(table)} (${BASE_COLUMNS.map(([n, t]) => `${quote(n)} ${t}`).join(', ')})`,
      );
      const existing = await connection.runAndReadAll(
        'SELECT column_name FROM information_schema.columns WHERE table_name = $t',
        { t: table },
      );
      columns = new Set(existing.getRowObjectsJS().map((r) => String(r.column_name)));
      known.set(table, columns);
    }
    for (const [column, value] of Object.entries(row)) {
      if (columns.has(column)) continue;
      const type = typeof value === 'number' ? 'DOUBLE' : typeof value === 'boolean' ? 'BOOLEAN' : 'VARCHAR';
      await connection.run(`ALTER TABLE ${quote(table)} ADD COLUMN ${quote(column)} ${type}`);
      columns.add(column);
    }
    await insert(connection, table, row);
  }
}

async function insert(connection: DuckDBConnection, table: string, row: Record<string, DuckDBValue>) {
  const names = Object.keys(row);
  const params: Record<string, DuckDBValue> = {};
  names.forEach((_, i) => {
    params[`v${i}`] = row[names[i]!] ?? null;
  });
  await connection.run(
    `INSERT INTO ${quote(table)} (${names.map(quote).join(', ')}) VALUES (${names.map((_, i) => `$v${i}`).join(', ')})`,
    params,
  );
}
