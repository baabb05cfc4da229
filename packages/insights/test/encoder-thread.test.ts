import type { AnalyticsMessage, DeliveryResult } from '@spantrack/processor';
import { expect, it } from 'vitest';
import type { DuckDbStoreSink } from '../src/store/duckdb-store-sink';
import type { ThreadEncoder } from '../src/store/encoder-thread';
import { UnstorableMessageError } from '../src/store/message-row';
import { WORKLOAD } from './fixtures/workload';
import { countEvents as count, storesShutAfterEach } from './support';

// The store's encoding runs on a worker thread started from the package's built script (`npm test`
// builds first); these tests hold it to what the same work gives on the caller's thread.

const openStore = storesShutAfterEach();
const store = (encoderThread: boolean, batchSize = 7) => openStore({ batchSize, encoderThread });
const all = (s: DuckDbStoreSink) => s.reader.query('SELECT * FROM events ORDER BY message_id');

const track = WORKLOAD.find((m) => m.type === 'track')!;
const odd = (id: string, body: string): AnalyticsMessage => ({
  ...track,
  messageId: id,
  properties: { ...(track.type === 'track' ? track.properties : {}), message_body: body },
});
/**
 * Sends of every kind: plain, repeated ids (within a send, across sends), refused messages, text
 * only the slow path takes (a lone surrogate), a BigInt (cloned, refused by the thread), a function
 * (not cloneable: the send goes as JSON text, which leaves it out) and a function beside a BigInt
 * (neither: converted before the thread).
 */
const SENDS: AnalyticsMessage[][] = [
  WORKLOAD.slice(0, 12),
  [...WORKLOAD.slice(12), WORKLOAD[3]!, WORKLOAD[3]!],
  [
    { ...track, messageId: '' },
    { ...track, messageId: 'when', timestamp: 'yesterday' },
    { ...track, messageId: 'page', type: 'page' } as unknown as AnalyticsMessage,
    odd('odd-quote', 'say "hi"\n\\ \u0000 😀'),
  ],
  [odd('odd-lone', 'lone \ud800 half'), odd('odd-\udc00-id', 'x'), WORKLOAD[0]!],
  [
    { ...track, messageId: 'big', properties: { n: 1n } } as unknown as AnalyticsMessage,
    odd('after-big', 'ok'),
  ],
  [{ ...track, messageId: 'fn', properties: { f: () => 1, kept: 'yes' } } as unknown as AnalyticsMessage],
  [
    { ...track, messageId: 'fn-2', properties: { f: () => 1, kept: 'yes' } } as unknown as AnalyticsMessage,
    { ...track, messageId: 'big-2', properties: { n: 2n } } as unknown as AnalyticsMessage,
    odd('after-both', 'ok'),
  ],
];

const summary = (r: DeliveryResult) => ({
  delivered: r.delivered,
  failed: r.failed,
  errors: r.errors.map((e) => [e.messageId, e.error.name, e.error.message]),
});

it('runs on its own thread where built, and stores exactly what the same work stores on the caller thread', async () => {
  const threaded = await store(true);
  const inline = await store(false);
  expect(threaded.encoderThread).toBe(true);
  expect(inline.encoderThread).toBe(false);
  const results = { threaded: [] as unknown[], inline: [] as unknown[] };
  for (const send of SENDS) {
    results.threaded.push(summary(await threaded.send(send)));
    results.inline.push(summary(await inline.send(send)));
  }
  expect(results.threaded).toEqual(results.inline);
  // The refused ones are told with their own typed error, from either thread.
  const refused = (results.threaded[2] as ReturnType<typeof summary>).errors;
  expect(refused.map(([id, name]) => [id, name])).toEqual([
    ['', 'UnstorableMessageError'],
    ['when', 'UnstorableMessageError'],
    ['page', 'UnstorableMessageError'],
  ]);
  expect(refused[1]![2]).toBe(new UnstorableMessageError('when', 'timestamp yesterday').message);
  expect(await all(threaded)).toEqual(await all(inline));
  const kept = await threaded.reader.query(
    "SELECT message_id, properties FROM events WHERE message_id IN ('fn', 'fn-2') ORDER BY message_id",
  );
  expect(kept.map((r) => [r.message_id, JSON.parse(r.properties as string)])).toEqual([
    ['fn', { kept: 'yes' }],
    ['fn-2', { kept: 'yes' }],
  ]);
  expect((results.threaded.at(-1) as ReturnType<typeof summary>).errors.map(([id]) => id)).toEqual(['big-2']);
  expect(threaded.duplicates).toBe(inline.duplicates);
  expect(threaded.duplicates).toBeGreaterThanOrEqual(3);
  expect(threaded.batches).toEqual(inline.batches);
  expect(threaded.batches.slow).toBeGreaterThan(0);
  expect(threaded.idSet).toEqual({ ids: inline.idSet.ids, bytes: inline.idSet.bytes });
});

it('stores a whole burst sent at once, each message once, with the writes of one batch and the encoding of the next overlapping', async () => {
  const s = await store(true, 500);
  const base = WORKLOAD.filter((m) => m.type === 'track');
  const messages = Array.from({ length: 5_000 }, (_, i) => ({
    ...base[i % base.length]!,
    messageId: `burst-${i}`,
  }));
  // 50 sends of 100, and the first 1,000 again at the end: a redelivery.
  const sends = Array.from({ length: 50 }, (_, k) => messages.slice(100 * k, 100 * (k + 1)));
  const results = await Promise.all([...sends, messages.slice(0, 1_000)].map((m) => s.send(m)));
  expect(results.reduce((n, r) => n + r.delivered, 0)).toBe(6_000);
  expect(results.every((r) => r.failed === 0)).toBe(true);
  expect(await count(s)).toBe(5_000);
  expect(s.duplicates).toBe(1_000);
  expect(s.idSet.ids).toBe(5_000);
});

it('goes on when its encoder thread stops: the sends it held are encoded again on the caller thread, each once', async () => {
  const s = await store(true, 10);
  const first = await s.send(WORKLOAD.slice(0, 15));
  expect(first).toMatchObject({ delivered: 15, failed: 0 });
  const thread = (s as unknown as { encoder: ThreadEncoder }).encoder;
  // Queued in the thread, then the thread stops before any of it is encoded.
  const pending = s.send(WORKLOAD.slice(10));
  await thread.crashForTest();
  const after = await Promise.all([pending, s.send(WORKLOAD.slice(0, 5))]);
  expect(s.encoderThread).toBe(false);
  expect(after.map((r) => [r.delivered, r.failed])).toEqual([
    [WORKLOAD.length - 10, 0],
    [5, 0],
  ]);
  // Every id once: the set the thread held was read again from the table.
  const unique = new Set(WORKLOAD.map((m) => m.messageId)).size;
  expect(await count(s)).toBe(unique);
  expect(s.duplicates).toBe(WORKLOAD.length + 10 - unique);
});
