import {
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
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
import type { StoredIds } from './stored-ids';

/** How a batch was written: the fast path, or the slow path (text DuckDB's JSON reader refuses). */
export type AppendPath = 'fast' | 'slow';

/**
 * A batch of new rows as `INSERT_FROM_COLUMNS_JSON` takes it, made before its turn to be written:
 * the JSON column arrays (`columnsJson`) and the payloads' JSON texts one per line.
 */
export interface EncodedBatch {
  readonly rows: readonly EventValues[];
  readonly columns: string;
  readonly payloads: string;
}

/** Encodes rows for `BatchWriter.write`: JavaScript work that can run while DuckDB writes the batch before. */
export function encodeBatch(rows: readonly EventValues[]): EncodedBatch {
  if (rows.length === 0) return { rows, columns: '', payloads: '' };
  return { rows, columns: columnsJson(rows), payloads: payloadLines(rows) };
}

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

  async write(batch: EncodedBatch): Promise<AppendPath> {
    if (batch.rows.length === 0) return 'fast';
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
      await appendAll(this.connection, batch.rows, 'staging', 'temp');
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

/** A batch without the messages the store holds already, and how many those were. */
export interface FreshRows {
  rows: readonly EventValues[];
  duplicates: number;
}

/**
 * The batch without the rows whose id is stored already or came earlier in the batch (the first
 * kept), every id added to `ids`. An id `ids` has not seen is new, with no lookup; the others
 * (redeliveries, a conversation's start reported again, or another id with the same 64-bit hash)
 * are looked up: in the batch, then with `lookUp` (`storedAmong`: one query over the table's id
 * column, about 20 ms per million stored events), so that nothing is dropped on a hash alone.
 */
export async function withoutStored(
  rows: readonly EventValues[],
  ids: Pick<StoredIds, 'add'>,
  lookUp: (candidates: string[]) => Promise<Set<string>>,
): Promise<FreshRows> {
  let seen: Uint8Array | undefined;
  for (let i = 0; i < rows.length; i++) {
    if (ids.add(rows[i]![COLUMN.message_id] as string)) continue;
    seen ??= new Uint8Array(rows.length);
    seen[i] = 1;
  }
  if (seen === undefined) return { rows, duplicates: 0 };
  const idOf = (i: number) => rows[i]![COLUMN.message_id] as string;
  // A row whose id `ids` took first in this batch comes before every repeat of it.
  const firstInBatch = new Set<string>();
  const toLookUp = new Set<string>();
  for (let i = 0; i < rows.length; i++) if (seen[i] === 0) firstInBatch.add(idOf(i));
  for (let i = 0; i < rows.length; i++)
    if (seen[i] === 1 && !firstInBatch.has(idOf(i))) toLookUp.add(idOf(i));
  const stored = toLookUp.size > 0 ? await lookUp([...toLookUp]) : new Set<string>();
  const fresh: EventValues[] = [];
  const kept = new Set<string>();
  for (let i = 0; i < rows.length; i++) {
    if (seen[i] === 1) {
      const id = idOf(i);
      if (firstInBatch.has(id) || stored.has(id) || kept.has(id)) continue;
      kept.add(id);
    }
    fresh.push(rows[i]!);
  }
  return { rows: fresh, duplicates: rows.length - fresh.length };
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

/**
 * The rows as one JSON object of column arrays, in `EVENT_COLUMNS` order (`ts` in epoch ms), without
 * `properties` (see `payloadLines`) and without the columns that are NULL in every row of the batch
 * (DuckDB reads a missing list as NULLs): most events fill a few of the columns.
 */
function columnsJson(rows: readonly EventValues[]): string {
  const parts: string[] = [];
  const values = new Array<string | number | null>(rows.length);
  for (let k = 0; k < EVENT_COLUMNS.length; k++) {
    if (k === COLUMN.properties) continue;
    let present = false;
    if (k === COLUMN.ts) {
      for (let i = 0; i < rows.length; i++) values[i] = Math.trunc(rows[i]![k] as number);
      present = true;
    } else {
      for (let i = 0; i < rows.length; i++) {
        const value = rows[i]![k] ?? null;
        values[i] = value;
        if (value !== null) present = true;
      }
    }
    if (present) parts.push(`"${EVENT_COLUMNS[k]![0]}":${JSON.stringify(values)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * The `properties` column: each row's payload JSON (`toEventValues`) on its own line. JSON text as
 * `JSON.stringify` writes it never holds a line break (one in a string is escaped), so DuckDB splits
 * the lines back apart with no parsing; as JSON values inside the column arrays, DuckDB parsed every
 * payload and wrote it out again.
 */
function payloadLines(rows: readonly EventValues[]): string {
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) lines[i] = rows[i]![COLUMN.properties] as string;
  return lines.join('\n');
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
