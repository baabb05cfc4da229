import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBTimestampMillisecondsValue,
} from '@duckdb/node-api';
import type { EventRow } from './message-row';
import { CLEAR_STAGING, EVENT_COLUMNS, MOVE_STAGED_ROWS } from './schema';

/**
 * Writes rows in one transaction. Fast path: appended straight into `events` (the appender is
 * DuckDB's bulk path; the primary key rejects the whole batch if one id is already stored). Only
 * then, the batch goes the slow way: appended to the staging table and moved into `events`
 * skipping the ids already stored. Redelivered ids are rare, so nearly every batch takes the fast path.
 */
export async function appendRows(connection: DuckDBConnection, rows: readonly EventRow[]): Promise<void> {
  if (rows.length === 0) return;
  const unique = distinctIds(rows);
  try {
    await inTransaction(connection, async () => {
      await appendAll(connection, unique, 'events');
    });
  } catch (error) {
    if (!isConstraintViolation(error)) throw error;
    await inTransaction(connection, async () => {
      await appendAll(connection, unique, 'staging', 'temp');
      await connection.run(MOVE_STAGED_ROWS);
      await connection.run(CLEAR_STAGING);
    });
  }
}

/** The first of repeated ids within one batch wins, as INSERT OR IGNORE keeps the stored one. */
function distinctIds(rows: readonly EventRow[]): readonly EventRow[] {
  const seen = new Set<string>();
  const unique: EventRow[] = [];
  for (const row of rows) {
    const id = row.message_id as string;
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
  rows: readonly EventRow[],
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

function isConstraintViolation(error: unknown): boolean {
  return error instanceof Error && /constraint|duplicate key/i.test(error.message);
}

function appendRow(appender: DuckDBAppender, row: EventRow) {
  for (const [name, type] of EVENT_COLUMNS) {
    const value = row[name];
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
