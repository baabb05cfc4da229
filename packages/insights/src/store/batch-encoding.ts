// A batch's JavaScript work before DuckDB writes it: which rows are new, and the text the INSERT
// reads. Nothing here touches DuckDB, so the store's encoder thread runs it as it is.
import { COLUMN, type EventValues } from './message-row';
import { EVENT_COLUMNS } from './schema';
import type { StoredIds } from './stored-ids';

/**
 * A batch of new rows as `INSERT_FROM_COLUMNS_JSON` takes it, made before its turn to be written:
 * the JSON column arrays (`columnsJson`) and the payloads' JSON texts one per line. Plain data, so
 * that it crosses from the encoder thread as it is.
 */
export interface EncodedBatch {
  readonly rowCount: number;
  readonly columns: string;
  readonly payloads: string;
}

/** Encodes rows for `BatchWriter.write`: JavaScript work that can run while DuckDB writes the batch before. */
export function encodeBatch(rows: readonly EventValues[]): EncodedBatch {
  if (rows.length === 0) return { rowCount: 0, columns: '', payloads: '' };
  return { rowCount: rows.length, columns: columnsJson(rows), payloads: payloadLines(rows) };
}

/** A batch without the messages the store holds already, and how many those were. */
export interface FreshRows {
  rows: readonly EventValues[];
  duplicates: number;
  /** 1 at each row of the batch left out; undefined when none was. */
  dropped?: Uint8Array;
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
  const dropped = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    if (seen[i] === 1) {
      const id = idOf(i);
      if (firstInBatch.has(id) || stored.has(id) || kept.has(id)) {
        dropped[i] = 1;
        continue;
      }
      kept.add(id);
    }
    fresh.push(rows[i]!);
  }
  const duplicates = rows.length - fresh.length;
  return duplicates === 0 ? { rows, duplicates } : { rows: fresh, duplicates, dropped };
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
