import { randomBytes } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import type { AnalyticsMessage } from '@spantrack/processor';
import { expect, it } from 'vitest';
import { BatchWriter, storedAmong } from '../src/store/append-rows';
import { encodeBatch, withoutStored } from '../src/store/batch-encoding';
import { COLUMN, toEventValues } from '../src/store/message-row';
import { CREATE_EVENTS_TABLE } from '../src/store/schema';
import { StoredIds } from '../src/store/stored-ids';
import { WORKLOAD } from './fixtures/workload';

/** Ids shaped as the translator makes them: trace id, span id, event tag, ordinal. */
const spanIds = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => `${randomBytes(16).toString('hex')}${randomBytes(8).toString('hex')}-Ab3_x-9Qz1-${i % 3}`,
  );

it('answers new for an id not added, seen for one added; grows without losing any', () => {
  const ids = new StoredIds();
  const added = spanIds(200_000);
  const before = ids.bytes;
  expect(added.filter((id) => !ids.add(id))).toEqual([]);
  expect(ids.size).toBe(200_000);
  expect(ids.bytes).toBeGreaterThan(before);
  // At most three quarters full: 8 bytes a slot, so under 22 bytes an id.
  expect(ids.bytes / ids.size).toBeLessThan(22);
  let seen = 0;
  for (const id of added) if (ids.has(id) && !ids.add(id)) seen++;
  expect(seen).toBe(200_000);
  expect(ids.size).toBe(200_000);
  // Never added: a 64-bit hash in common with one of 200,000 ids would be a 1-in-10^9 event.
  expect(spanIds(50_000).filter((id) => ids.has(id))).toEqual([]);
  // Odd lengths, empty, and text beyond one byte a character.
  for (const id of ['', 'a', 'ab', 'é', '😀', 'a😀', 'id "1"']) {
    expect(ids.add(id)).toBe(true);
    expect(ids.add(id)).toBe(false);
  }
});

it('depends on its seed: ids colliding in one set do not in another', () => {
  const seed = Buffer.alloc(8, 7);
  const a = new StoredIds(seed);
  const b = new StoredIds(Buffer.from(seed));
  const c = new StoredIds(Buffer.alloc(8, 8));
  const probe = spanIds(1);
  a.add(probe[0]!);
  c.add(probe[0]!);
  expect(b.has(probe[0]!)).toBe(false);
  b.add(probe[0]!);
  // The same seed gives the same hash, and so the same slot order; another seed, another.
  expect(Buffer.from(a['slots'].buffer).equals(Buffer.from(b['slots'].buffer))).toBe(true);
  expect(Buffer.from(a['slots'].buffer).equals(Buffer.from(c['slots'].buffer))).toBe(false);
});

it('drops an id on a lookup in the table, never on its hash alone', async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    await c.run(CREATE_EVENTS_TABLE);
    const rows = WORKLOAD.slice(0, 6).map(toEventValues);
    const writer = new BatchWriter(c);
    expect(await writer.write(encodeBatch(rows.slice(0, 3)), () => rows.slice(0, 3))).toBe('fast');
    writer.close();
    const lookUp = (ids: string[]) => storedAmong(c, ids);
    // A set that answers "seen" for every id: as if each one's hash were another's.
    const everySeen = { add: () => false };
    const again = { ...WORKLOAD[4]!, timestamp: '2020-01-01T00:00:00.000Z' } as AnalyticsMessage;
    const batch = [...rows, toEventValues(again), rows[1]!];
    const fresh = await withoutStored(batch, everySeen, lookUp);
    // Stored already: rows 0-2 (and row 1 again); repeated in the batch: the second row 4. New, kept:
    // rows 3, 4 (the first of its id) and 5, in their order.
    expect(fresh.rows.map((r) => r[COLUMN.message_id])).toEqual(
      [rows[3]!, rows[4]!, rows[5]!].map((r) => r[COLUMN.message_id]),
    );
    expect(fresh.rows[1]![COLUMN.ts]).toBe(rows[4]![COLUMN.ts]);
    expect(fresh.duplicates).toBe(5);
    // A real set that has seen nothing: the batch as it is, no lookup.
    const unique = rows.slice(3);
    const same = await withoutStored(unique, new StoredIds(), () => {
      throw new Error('no lookup expected');
    });
    expect(same).toEqual({ rows: unique, duplicates: 0 });
  } finally {
    c.closeSync();
    instance.closeSync();
  }
});
