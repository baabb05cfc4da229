import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBTimestampMillisecondsValue,
} from '@duckdb/node-api';
import { COLUMN, type EventValues } from './message-row';
import { CLEAR_STAGING, EVENT_COLUMNS, INSERT_FROM_COLUMNS_JSON, MOVE_STAGED_ROWS } from './schema';

/**
 * Writes rows in one transaction. Fast path: one INSERT of the batch as JSON column arrays
 * (`INSERT_FROM_COLUMNS_JSON`), which DuckDB runs off the JavaScript thread; the primary key
 * rejects the whole batch if one id is already stored. Only then (or if DuckDB cannot read the
 * JSON), the batch goes the slow way: appended row by row to the staging table and moved into
 * `events` skipping the ids already stored (the first of ids repeated within the batch kept).
 * Redelivered ids are rare, so nearly every batch takes the fast path.
 */
export async function appendRows(connection: DuckDBConnection, rows: readonly EventValues[]): Promise<void> {
  if (rows.length === 0) return;
  try {
    await inTransaction(connection, async () => {
      await connection.run(INSERT_FROM_COLUMNS_JSON, { columns: columnsJson(rows) });
    });
  } catch {
    // A stored id, an id twice in the batch (the primary key refuses both), or text DuckDB's JSON
    // reader refuses (the appender takes any string): the slow path decides; a failure there (a
    // full disk, ...) is the batch's error.
    const unique = distinctIds(rows);
    await inTransaction(connection, async () => {
      await appendAll(connection, unique, 'staging', 'temp');
      await connection.run(MOVE_STAGED_ROWS);
      await connection.run(CLEAR_STAGING);
    });
  }
}

/** The first of repeated ids within one batch wins, as INSERT OR IGNORE keeps the stored one. */
function distinctIds(rows: readonly EventValues[]): readonly EventValues[] {
  const seen = new Set<string>();
  const unique: EventValues[] = [];
  for (const row of rows) {
    const id = row[COLUMN.message_id] as string;
    if (seen.has(id)) continue;
    seen.add(id);
    unique.push(row);
  }
  return unique.length === rows.length ? rows : unique;
}

async function inTransaction(connection: DuckDBConnection, work: () => Promise<void>): Promise<void> {
  await connection.run('BEGIN TRANSACTION');
  try {
    await work();
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => {});
    throw error;
  }
}

async function appendAll(
  connection: DuckDBConnection,
  rows: readonly EventValues[],
  table: string,
  catalog?: string,
): Promise<void> {
  const appender = await connection.createAppender(table, 'main', catalog);
  try {
    for (const row of rows) appendRow(appender, row);
    appender.flushSync();
  } catch (error) {
    // Drop the rows the failed flush left behind: closing (or a later garbage collection) would
    // flush them again, into whatever transaction the connection is in by then, and abort it.
    appender.clear();
    throw error;
  } finally {
    try {
      appender.closeSync();
    } catch {
      // Nothing left to flush after clear(); a failure here changes nothing stored.
    }
  }
}

/**
 * The rows as one JSON object of column arrays, in `EVENT_COLUMNS` order (`ts` in epoch ms). The
 * `properties` column is already JSON text (`toEventValues`), so it goes in as JSON values, not as
 * strings: escaping every payload's JSON a second time was the largest cost of a batch on the
 * JavaScript thread, and DuckDB turns the values back into text on its own threads.
 */
function columnsJson(rows: readonly EventValues[]): string {
  const parts: string[] = [];
  for (let k = 0; k < EVENT_COLUMNS.length; k++) {
    const name = EVENT_COLUMNS[k]![0];
    const values = new Array<string | number | null>(rows.length);
    if (k === COLUMN.properties) {
      for (let i = 0; i < rows.length; i++) values[i] = rows[i]![k] ?? 'null';
      parts.push(`"${name}":[${values.join(',')}]`);
      continue;
    }
    if (k === COLUMN.ts) for (let i = 0; i < rows.length; i++) values[i] = Math.trunc(rows[i]![k] as number);
    else for (let i = 0; i < rows.length; i++) values[i] = rows[i]![k] ?? null;
    parts.push(`"${name}":${JSON.stringify(values)}`);
  }
  return `{${parts.join(',')}}`;
}

function appendRow(appender: DuckDBAppender, row: EventValues) {
  for (let k = 0; k < EVENT_COLUMNS.length; k++) {
    const type = EVENT_COLUMNS[k]![1];
    const value = row[k];
    if (value === null || value === undefined) appender.appendNull();
    else if (type === 'TIMESTAMP') {
      appender.appendTimestampMilliseconds(
        new DuckDBTimestampMillisecondsValue(BigInt(Math.trunc(value as number))),
      );
    } else if (type === 'DOUBLE') appender.appendDouble(value as number);
    else appender.appendVarchar(String(value));
  }
  appender.endRow();
}
