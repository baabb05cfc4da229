import {
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  DuckDBTimestampMillisecondsValue,
} from '@duckdb/node-api';
import type { EncodedBatch } from './batch-encoding';
import type { EventValues } from './message-row';
import {
  CLEAR_STAGING,
  EVENT_COLUMNS,
  INSERT_FROM_COLUMNS_JSON,
  MOVE_STAGED_ROWS,
  SELECT_STORED_IDS,
} from './schema';

/** How a batch was written: the fast path, or the slow path (text DuckDB's JSON reader refuses). */
export type AppendPath = 'fast' | 'slow';

/**
 * Writes batches of new rows (ids made distinct and new by `withoutStored`) on one connection, one
 * at a time. Fast path: one INSERT of the batch as JSON column arrays (`INSERT_FROM_COLUMNS_JSON`),
 * which DuckDB runs off the JavaScript thread, prepared once: preparing it for each batch cost about
 * a third of the time DuckDB then took to run it. When DuckDB cannot read that JSON (a lone surrogate
 * in some text), the batch goes the slow way: appended row by row to the staging table (the appender
 * takes any string) and moved into `events`.
 */
export class BatchWriter {
  private insert: DuckDBPreparedStatement | undefined;

  constructor(private readonly connection: DuckDBConnection) {}

  /**
   * Writes `batch`; `rows` gives its rows as values (`toEventValues`) only if the slow path needs
   * them: the encoder thread sends the encoded text alone.
   */
  async write(batch: EncodedBatch, rows: () => readonly EventValues[]): Promise<AppendPath> {
    if (batch.rowCount === 0) return 'fast';
    try {
      this.insert ??= await this.connection.prepare(INSERT_FROM_COLUMNS_JSON);
      // One statement is its own transaction (DuckDB's auto-commit): all of it or nothing, with no
      // BEGIN and COMMIT to wait for, each a trip through the JavaScript thread's event loop.
      this.insert.bind({ columns: batch.columns, payloads: batch.payloads });
      try {
        await this.insert.run();
      } finally {
        this.insert.clearBindings();
      }
      return 'fast';
    } catch {
      // The slow path decides; a failure there (a full disk, ...) is the batch's error.
    }
    await inTransaction(this.connection, async () => {
      await appendAll(this.connection, rows(), 'staging', 'temp');
      await this.connection.run(MOVE_STAGED_ROWS);
      await this.connection.run(CLEAR_STAGING);
    });
    return 'slow';
  }

  /** Frees the prepared INSERT (before the connection closes). */
  close(): void {
    this.insert?.destroySync();
    this.insert = undefined;
  }
}

/** Which of `candidates` (well-formed text, as `toEventValues` makes ids) are stored. */
export async function storedAmong(connection: DuckDBConnection, candidates: string[]): Promise<Set<string>> {
  const found = await connection.runAndReadAll(SELECT_STORED_IDS, { ids: JSON.stringify(candidates) });
  return new Set((found.getColumns()[0] ?? []) as string[]);
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
