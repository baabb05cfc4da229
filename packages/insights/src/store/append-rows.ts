import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBTimestampMillisecondsValue,
} from '@duckdb/node-api';
import { COLUMN, type EventValues } from './message-row';
import { CLEAR_STAGING, EVENT_COLUMNS, INSERT_FROM_COLUMNS_JSON, MOVE_STAGED_ROWS } from './schema';

/** How a batch was written: the fast path, after retries, or the slow path. */
export type AppendPath = 'fast' | 'retried' | 'slow';

/**
 * Fast-path attempts a batch gets after its first, each without the id DuckDB named as a
 * duplicate; past them (many duplicates, as when a whole batch is redelivered), the slow path.
 */
const MAX_RETRIES = 3;

/**
 * Writes rows in one transaction. Fast path: one INSERT of the batch as JSON column arrays
 * (`INSERT_FROM_COLUMNS_JSON`), which DuckDB runs off the JavaScript thread; the primary key
 * rejects the whole batch if one id is already stored, and DuckDB names that id. A batch with a
 * few such ids (a conversation's lifecycle event reported again after the collector's dedupe window
 * forgot it) is tried again without them, on the fast path: the slow path costs several times more.
 * Only past a few retries (or when DuckDB cannot read the JSON) does the batch go the slow way:
 * appended row by row to the staging table and moved into `events` skipping the ids already stored
 * (the first of ids repeated within the batch kept).
 */
export async function appendRows(
  connection: DuckDBConnection,
  rows: readonly EventValues[],
): Promise<AppendPath> {
  let batch = rows;
  for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
    if (batch.length === 0) return attempt === 0 ? 'fast' : 'retried';
    try {
      // One statement is its own transaction (DuckDB's auto-commit): all of it or nothing, with no
      // BEGIN and COMMIT to wait for, each a trip through the JavaScript thread's event loop.
      await connection.run(INSERT_FROM_COLUMNS_JSON, { columns: columnsJson(batch) });
      return attempt === 0 ? 'fast' : 'retried';
    } catch (error) {
      const rest = withoutNamedDuplicate(batch, error);
      if (rest === undefined) break;
      batch = rest;
    }
  }
  // An id stored before or twice in the batch (past the retries), or text DuckDB's JSON reader
  // refuses (the appender takes any string): the slow path decides; a failure there (a full disk,
  // ...) is the batch's error.
  const unique = distinctIds(batch);
  await inTransaction(connection, async () => {
    await appendAll(connection, unique, 'staging', 'temp');
    await connection.run(MOVE_STAGED_ROWS);
    await connection.run(CLEAR_STAGING);
  });
  return 'slow';
}

/** DuckDB's words for a key already stored, and for a key twice in one INSERT. */
const STORED_KEY = /Duplicate key "message_id: ([\s\S]*)" violates primary key constraint\.?$/;
const REPEATED_KEY = /constraint violation: duplicate key "[\s\S]*"$/;

/**
 * The batch without what made DuckDB refuse it: the rows of an id it names as stored, or the later
 * rows of ids repeated within the batch. Undefined when the error is another one, or names nothing
 * the batch would lose (the words of another DuckDB version): then the slow path decides.
 */
function withoutNamedDuplicate(
  rows: readonly EventValues[],
  error: unknown,
): readonly EventValues[] | undefined {
  const message = error instanceof Error ? error.message : '';
  const stored = STORED_KEY.exec(message)?.[1];
  if (stored !== undefined) {
    const rest = rows.filter((row) => row[COLUMN.message_id] !== stored);
    return rest.length < rows.length ? rest : undefined;
  }
  if (REPEATED_KEY.test(message)) {
    const unique = distinctIds(rows);
    return unique.length < rows.length ? unique : undefined;
  }
  return undefined;
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
