import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBTimestampMillisecondsValue,
} from '@duckdb/node-api';
import type { EventRow } from './message-row';
import { CLEAR_STAGING, EVENT_COLUMNS, MOVE_STAGED_ROWS } from './schema';

/**
 * Writes rows in one transaction: appended to the staging table (the appender is DuckDB's fast
 * path), then moved into `events` skipping message ids already stored.
 */
export async function appendRows(connection: DuckDBConnection, rows: readonly EventRow[]): Promise<void> {
  if (rows.length === 0) return;
  await connection.run('BEGIN TRANSACTION');
  try {
    const appender = await connection.createAppender('staging', 'main', 'temp');
    try {
      // The first of repeated ids within one batch wins, as INSERT OR IGNORE keeps the stored one.
      const seen = new Set<string>();
      for (const row of rows) {
        const id = row.message_id as string;
        if (seen.has(id)) continue;
        seen.add(id);
        appendRow(appender, row);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await connection.run(MOVE_STAGED_ROWS);
    await connection.run(CLEAR_STAGING);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => {});
    throw error;
  }
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
