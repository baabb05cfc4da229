import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBTimestampMillisecondsValue,
} from '@duckdb/node-api';
import { COLUMN, type EventValues } from './message-row';
import {
  CLEAR_STAGING,
  EVENT_COLUMNS,
  INSERT_FROM_COLUMNS_JSON,
  MOVE_STAGED_ROWS,
  SELECT_STORED_IDS,
} from './schema';

/** How a batch was written: the fast path, after retries, or the slow path. */
export type AppendPath = 'fast' | 'retried' | 'slow';

/**
 * Fast-path attempts a batch gets: the first, one without its repeats (ids twice in the batch),
 * one without the ids already stored. Past them, the slow path.
 */
const MAX_ATTEMPTS = 3;

/**
 * Writes rows in one transaction. Fast path: one INSERT of the batch as JSON column arrays
 * (`INSERT_FROM_COLUMNS_JSON`), which DuckDB runs off the JavaScript thread; the primary key
 * rejects the whole batch if one id is already stored. A batch refused so (a conversation's
 * lifecycle event reported again after the collector's dedupe window forgot it, a redelivery) is
 * tried again on the fast path without the ids already stored, found with one query: the slow path
 * costs several times more. Only then (or when DuckDB cannot read the JSON) does the batch go the
 * slow way: appended row by row to the staging table and moved into `events` skipping the ids
 * already stored (the first of ids repeated within the batch kept).
 */
export async function appendRows(
  connection: DuckDBConnection,
  rows: readonly EventValues[],
): Promise<AppendPath> {
  let batch = rows;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (batch.length === 0) return attempt === 0 ? 'fast' : 'retried';
    try {
      // One statement is its own transaction (DuckDB's auto-commit): all of it or nothing, with no
      // BEGIN and COMMIT to wait for, each a trip through the JavaScript thread's event loop.
      await connection.run(INSERT_FROM_COLUMNS_JSON, { columns: columnsJson(batch) });
      return attempt === 0 ? 'fast' : 'retried';
    } catch (error) {
      const rest = attempt + 1 < MAX_ATTEMPTS ? await withoutDuplicates(connection, batch, error) : undefined;
      if (rest === undefined) break;
      batch = rest;
    }
  }
  // Still refused, or text DuckDB's JSON reader refuses (the appender takes any string): the slow
  // path decides; a failure there (a full disk, ...) is the batch's error.
  const unique = distinctIds(batch);
  await inTransaction(connection, async () => {
    await appendAll(connection, unique, 'staging', 'temp');
    await connection.run(MOVE_STAGED_ROWS);
    await connection.run(CLEAR_STAGING);
  });
  return 'slow';
}

/** DuckDB's words for a key already stored, and for a key twice in one INSERT. */
const STORED_KEY = /^Constraint Error: Duplicate key "message_id: [\s\S]*" violates primary key constraint/;
const REPEATED_KEY = /^Constraint Error: PRIMARY KEY or UNIQUE constraint violation: duplicate key "/;

/**
 * The batch without what made DuckDB refuse it: the later rows of ids repeated within it, or the
 * rows of every id already stored (one query: DuckDB reads the stored ids' column, about 20 ms per
 * million stored events, against a few hundred per batch on the slow path). Undefined when the
 * error is another one or nothing would change (the words of another DuckDB version): the slow
 * path decides.
 */
async function withoutDuplicates(
  connection: DuckDBConnection,
  rows: readonly EventValues[],
  error: unknown,
): Promise<readonly EventValues[] | undefined> {
  const message = error instanceof Error ? error.message : '';
  let rest: readonly EventValues[] | undefined;
  if (REPEATED_KEY.test(message)) rest = distinctIds(rows);
  else if (STORED_KEY.test(message)) {
    try {
      const ids = rows.map((row) => row[COLUMN.message_id] as string);
      const found = await connection.runAndReadAll(SELECT_STORED_IDS, { ids: JSON.stringify(ids) });
      const stored = new Set(found.getColumns()[0] ?? []);
      rest = rows.filter((row) => !stored.has(row[COLUMN.message_id] as string));
    } catch {
      return undefined;
    }
  }
  return rest !== undefined && rest.length < rows.length ? rest : undefined;
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
