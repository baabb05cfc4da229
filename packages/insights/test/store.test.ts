import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalyticsMessage } from '@spantrack/processor';
import { expect, it } from 'vitest';
import { createEventStore } from '../src/store/duckdb-store-sink';
import { ingestJsonl } from '../src/store/ingest-jsonl';
import { UnstorableMessageError } from '../src/store/message-row';
import { resolveStoreOptions, StoreConfigError } from '../src/store/options';
import { StoreClosedError, StoreFullError } from '../src/store/store-errors';
import { WORKLOAD } from './fixtures/workload';
import { countEvents as count, storesShutAfterEach } from './support';

const store = storesShutAfterEach();

it('stores each messageId once, whatever the batch it comes in', async () => {
  const s = await store({ batchSize: 7 });
  const first = await s.send(WORKLOAD);
  expect(first).toMatchObject({ delivered: WORKLOAD.length, failed: 0 });
  await s.send(WORKLOAD.slice(0, 10));
  expect(await count(s)).toBe(new Set(WORKLOAD.map((m) => m.messageId)).size);
});

it('keeps the first of an id repeated within one batch, and the rest of the batch', async () => {
  const s = await store({ batchSize: 1_000 });
  const tracks = WORKLOAD.filter((m) => m.type === 'track') as Extract<AnalyticsMessage, { type: 'track' }>[];
  const a = tracks[0];
  const b = tracks.find((m) => m.messageId !== a!.messageId && m.event !== a!.event);
  const again = { ...b!, messageId: a!.messageId, event: 'Repeated Id' };
  const result = await s.send([a!, again, b!]);
  expect(result).toMatchObject({ failed: 0 });
  const rows = await s.reader.query('SELECT message_id, event FROM events ORDER BY message_id');
  expect(rows).toHaveLength(2);
  expect(rows.find((r) => r.message_id === a!.messageId)?.event).toBe(a!.event);
  expect(rows.find((r) => r.message_id === b!.messageId)?.event).toBe(b!.event);
});

it('writes a batch with ids already stored without them, the stored rows unchanged, nothing else lost', async () => {
  const s = await store({ batchSize: 1_000 });
  const track = WORKLOAD.find((m) => m.type === 'track')!;
  const msg = (i: number, timestamp = '2026-11-20T09:00:00.000Z'): AnalyticsMessage => ({
    ...track,
    messageId: `id "${i}"`,
    timestamp,
  });
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => msg(from + k));
  await s.send(range(0, 20));
  expect(s.batches).toEqual({ fast: 1, slow: 0 });
  expect(s.duplicates).toBe(0);
  // Two ids stored already (one of them twice, the other as the last row) amid new ones.
  const again = (i: number) => msg(i, '2020-01-01T00:00:00.000Z');
  const result = await s.send([...range(20, 40), again(3), ...range(40, 60), again(3), again(17)]);
  expect(result).toMatchObject({ delivered: 43, failed: 0 });
  expect(s.batches).toEqual({ fast: 2, slow: 0 });
  expect(s.duplicates).toBe(3);
  expect(await count(s)).toBe(60);
  const old = await s.reader.query("SELECT count(*) AS n FROM events WHERE ts < '2021-01-01'");
  expect(old[0]!.n).toBe(0);
  // A whole batch again and one new message (a redelivery after a restart).
  expect(await s.send([...range(0, 60), msg(60)])).toMatchObject({ delivered: 61, failed: 0 });
  expect(s.duplicates).toBe(63);
  expect(await count(s)).toBe(61);
  // Nothing new at all.
  expect(await s.send(range(10, 30))).toMatchObject({ delivered: 20, failed: 0 });
  expect(s.duplicates).toBe(83);
  expect(await count(s)).toBe(61);
  const perId = await s.reader.query('SELECT count(DISTINCT message_id) AS n FROM events');
  expect(perId[0]!.n).toBe(61);
});

it('keeps each id once when the batch checked next repeats ids of the one being written', async () => {
  const s = await store({ batchSize: 10 });
  const track = WORKLOAD.find((m) => m.type === 'track')!;
  const range = (from: number, to: number): AnalyticsMessage[] =>
    Array.from({ length: to - from }, (_, k) => ({ ...track, messageId: `overlap-${from + k}` }));
  // Three sends at once: the second is checked while the first is written, the third after.
  const results = await Promise.all([s.send(range(0, 10)), s.send(range(5, 15)), s.send(range(0, 20))]);
  expect(results.map((r) => [r.delivered, r.failed])).toEqual([
    [10, 0],
    [10, 0],
    [20, 0],
  ]);
  expect(await count(s)).toBe(20);
  expect(s.duplicates).toBe(5 + 15);
  const perId = await s.reader.query('SELECT count(DISTINCT message_id) AS n FROM events');
  expect(perId[0]!.n).toBe(20);
});

it('keeps each id once across reopenings of its file: the ids are read back when it opens', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'insights-ids-')), 'events.duckdb');
  const first = await createEventStore({ path, retentionDays: 0 });
  await first.send(WORKLOAD);
  await first.shutdown();
  const second = await store({ path });
  const distinct = new Set(WORKLOAD.map((m) => m.messageId)).size;
  expect(second.idSet.ids).toBe(distinct);
  expect(await second.send(WORKLOAD)).toMatchObject({ delivered: WORKLOAD.length, failed: 0 });
  expect(second.duplicates).toBe(WORKLOAD.length);
  expect(await count(second)).toBe(distinct);
});

it('compares ids as DuckDB stores them: one with a lone surrogate is held once, as U+FFFD', async () => {
  const s = await store({ batchSize: 1_000 });
  const m = (messageId: string): AnalyticsMessage => ({ ...WORKLOAD[0]!, messageId });
  await s.send([m('half \ud800 id'), m('half \ufffd id')]);
  await s.send([m('half \ud800 id')]);
  expect(await s.reader.query('SELECT message_id FROM events')).toEqual([{ message_id: 'half \ufffd id' }]);
  expect(s.duplicates).toBe(2);
});

it('a store made with a primary key by an earlier version keeps working beside it', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'insights-keyed-')), 'events.duckdb');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { EVENT_COLUMNS } = await import('../src/store/schema');
  const instance = await DuckDBInstance.create(path);
  const c = await instance.connect();
  await c.run(
    `CREATE TABLE events (${EVENT_COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')}, PRIMARY KEY (message_id))`,
  );
  c.closeSync();
  instance.closeSync();
  const s = await store({ path });
  await s.send(WORKLOAD);
  expect(await s.send([...WORKLOAD, { ...WORKLOAD[0]!, messageId: 'one more' }])).toMatchObject({
    delivered: WORKLOAD.length + 1,
    failed: 0,
  });
  expect(await count(s)).toBe(new Set(WORKLOAD.map((m) => m.messageId)).size + 1);
  expect(s.batches.slow).toBe(0);
});

it('refuses what it cannot store with a typed error, and stores the rest', async () => {
  const s = await store();
  const bad = [
    { ...WORKLOAD[0]!, messageId: '' },
    { ...WORKLOAD[0]!, messageId: 'x', timestamp: 'yesterday' },
    { ...WORKLOAD[0]!, messageId: 'y', type: 'page' } as unknown as AnalyticsMessage,
    { ...WORKLOAD[0]!, messageId: 'z', properties: { n: 1n } } as unknown as AnalyticsMessage,
  ];
  const result = await s.send([...bad, WORKLOAD[2]!]);
  expect(result.delivered).toBe(1);
  expect(result.failed).toBe(4);
  expect(result.errors.every((e) => e.error instanceof UnstorableMessageError)).toBe(true);
});

it('stores any text: quotes, newlines, NUL, emoji, and a lone surrogate (as U+FFFD)', async () => {
  const s = await store();
  const body = (text: string, id: string): AnalyticsMessage => ({
    type: 'track',
    event: 'Message Sent',
    messageId: id,
    timestamp: '2026-11-20T09:00:00.000Z',
    userId: 'u-odd',
    properties: { conversationId: 'odd-text', message_body: text },
  });
  const result = await s.send([body('say "hi"\n\\ \u0000 😀', 'odd-1'), body('lone \ud800 half', 'odd-2')]);
  expect(result).toMatchObject({ delivered: 2, failed: 0 });
  // DuckDB's JSON reader refuses the lone surrogate: the batch went the slow way.
  expect(s.batches).toEqual({ fast: 0, slow: 1 });
  const rows = await s.reader.query(
    "SELECT message_id, content FROM events WHERE conversation_id = 'odd-text' ORDER BY message_id",
  );
  expect(rows).toEqual([
    { message_id: 'odd-1', content: 'say "hi"\n\\ \u0000 😀' },
    { message_id: 'odd-2', content: 'lone \ufffd half' },
  ]);
});

it('stores every payload as it was sent on the fast path: line breaks, separators, quotes, NUL', async () => {
  const s = await store({ batchSize: 1_000 });
  const texts = ['two\nlines', 'cr\r\nlf', 'sep \u2028 \u2029', 'say "hi" \\ \u0000', '', '😀 \t end'];
  const messages = texts.map((text, i) => ({
    type: 'track' as const,
    event: 'Message Sent',
    messageId: `lines-${i}`,
    timestamp: '2026-11-20T09:00:00.000Z',
    properties: { conversationId: 'lines', message_body: text, nested: { list: [text, i] } },
  }));
  expect(await s.send(messages)).toMatchObject({ delivered: texts.length, failed: 0 });
  expect(s.batches).toEqual({ fast: 1, slow: 0 });
  const rows = await s.reader.query(
    "SELECT message_id, content, properties FROM events WHERE conversation_id = 'lines' ORDER BY message_id",
  );
  expect(rows.map((r) => [r.message_id, r.content, JSON.parse(r.properties as string)])).toEqual(
    messages.map((m) => [m.messageId, m.properties.message_body, m.properties]),
  );
});

it('keeps content only when the message carries it; never invents it', async () => {
  const s = await store();
  await s.send(WORKLOAD);
  const rows = await s.reader.query(
    'SELECT conv_message_id, content FROM events WHERE content IS NOT NULL ORDER BY conv_message_id',
  );
  expect(rows).toEqual([
    { conv_message_id: 'c-m1', content: 'hello there' },
    { conv_message_id: 'c-r1', content: 'Hi! How can I help?' },
  ]);
});

it('fails sends after shutdown, and when the queue is full', async () => {
  const s = await store({ maxQueuedMessages: 5, flushIntervalMs: 60_000, batchSize: 1_000 });
  const pending = s.send(WORKLOAD.slice(0, 5));
  const full = await s.send(WORKLOAD.slice(5, 6));
  expect(full.errors[0]?.error).toBeInstanceOf(StoreFullError);
  await s.flush();
  expect(await pending).toMatchObject({ delivered: 5 });
  await s.shutdown();
  const closed = await s.send(WORKLOAD.slice(0, 1));
  expect(closed.errors[0]?.error).toBeInstanceOf(StoreClosedError);
});

it('queuedAtMost: at once when the queue is short, else once the writer has taken enough, or at shutdown', async () => {
  const s = await store({ flushIntervalMs: 60_000, batchSize: 4 });
  expect(s.queued).toBe(0);
  await s.queuedAtMost(0);
  const first = s.send(WORKLOAD.slice(0, 3));
  expect(s.queued).toBe(3);
  let shrunk = false;
  const waiting = s.queuedAtMost(1).then(() => {
    shrunk = true;
  });
  await s.queuedAtMost(3);
  await new Promise((r) => setTimeout(r, 20));
  expect(shrunk).toBe(false);
  // The fourth message fills a batch: the writer takes all four, the queue is empty.
  const second = s.send(WORKLOAD.slice(3, 4));
  await waiting;
  expect(s.queued).toBe(0);
  expect(await first).toMatchObject({ delivered: 3, failed: 0 });
  expect(await second).toMatchObject({ delivered: 1, failed: 0 });

  const third = s.send(WORKLOAD.slice(4, 6));
  const atShutdown = s.queuedAtMost(0);
  await s.shutdown();
  await atShutdown;
  expect(await third).toMatchObject({ delivered: 2, failed: 0 });
  await s.queuedAtMost(0);
});

it('queuedAtMost with a longest wait: gives up after it while the queue stays long', async () => {
  const s = await store({ flushIntervalMs: 60_000, batchSize: 1_000 });
  const sent = s.send(WORKLOAD.slice(0, 3));
  const started = performance.now();
  await s.queuedAtMost(1, 80);
  const waited = performance.now() - started;
  expect(waited).toBeGreaterThanOrEqual(70);
  expect(waited).toBeLessThan(5_000);
  expect(s.queued).toBe(3);
  // A later wait is not disturbed by the one given up.
  const later = s.queuedAtMost(0, 60_000);
  await s.flush();
  await later;
  expect(await sent).toMatchObject({ delivered: 3 });
});

/** A message `daysAgo` days before `now`, with the given id. */
const agedMessage =
  (now: number) =>
  (daysAgo: number, id: string): AnalyticsMessage => ({
    ...WORKLOAD[0]!,
    messageId: id,
    timestamp: new Date(now - daysAgo * 86_400_000).toISOString(),
  });

it('deletes events older than the retention period', async () => {
  const s = await store({ retentionDays: 30 });
  const at = agedMessage(Date.now());
  await s.send([at(1, 'recent'), at(29, 'edge'), at(31, 'old'), at(400, 'older')]);
  expect(await s.applyRetention()).toBe(2);
  const ids = (await s.reader.query('SELECT message_id FROM events ORDER BY message_id')).map(
    (r) => r.message_id,
  );
  expect(ids).toEqual(['edge', 'recent']);
  // Half the ids held were deleted: the writer reads them from the table again before its next batch.
  expect(s.idSet.ids).toBe(4);
  await s.send([at(0, 'new')]);
  expect(s.idSet.ids).toBe(3);
  // An id deleted and read out of the set comes back as new.
  expect(await s.send([at(2, 'old')])).toMatchObject({ delivered: 1, failed: 0 });
  expect(s.duplicates).toBe(0);
  expect(await count(s)).toBe(4);
});

it('stores an expired message that comes again, though its id is still held', async () => {
  const s = await store({ retentionDays: 30 });
  const at = agedMessage(Date.now());
  await s.send([...Array.from({ length: 10 }, (_, i) => at(1, `recent-${i}`)), at(31, 'old')]);
  expect(await s.applyRetention()).toBe(1);
  // One deleted of 11 held: the set is not read again, 'old' is still in it.
  expect(s.idSet.ids).toBe(11);
  expect(await s.send([at(2, 'old')])).toMatchObject({ delivered: 1, failed: 0 });
  expect(s.duplicates).toBe(0);
  expect(await count(s)).toBe(11);
});

it('ingests a JSONL file, skipping torn and foreign lines', async () => {
  const s = await store();
  const dir = mkdtempSync(join(tmpdir(), 'insights-jsonl-'));
  const file = join(dir, 'events.jsonl');
  writeFileSync(
    file,
    [...WORKLOAD.map((m) => JSON.stringify(m)), 'not json', '[1,2]', '', '{"type":"track","event":"x"'].join(
      '\n',
    ),
  );
  const result = await ingestJsonl(s, file, 10);
  expect(result).toEqual({ lines: WORKLOAD.length + 3, stored: WORKLOAD.length, skipped: 3 });
  expect(await count(s)).toBe(new Set(WORKLOAD.map((m) => m.messageId)).size);
});

it('resolves options as option, then environment, then default', () => {
  expect(resolveStoreOptions({}, {})).toMatchObject({ path: '.data/events.duckdb', retentionDays: 90 });
  expect(
    resolveStoreOptions({}, { SPANTRACK_INSIGHTS_STORE: 'a.duckdb', SPANTRACK_INSIGHTS_RETENTION_DAYS: '7' }),
  ).toMatchObject({ path: 'a.duckdb', retentionDays: 7 });
  expect(
    resolveStoreOptions({ retentionDays: 3 }, { SPANTRACK_INSIGHTS_RETENTION_DAYS: '7' }).retentionDays,
  ).toBe(3);
  expect(() => resolveStoreOptions({}, { SPANTRACK_INSIGHTS_RETENTION_DAYS: 'forever' })).toThrow(
    StoreConfigError,
  );
  expect(() => resolveStoreOptions({ batchSize: 0 }, {})).toThrow(StoreConfigError);
});

it('keeps events in a database file across reopenings', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'insights-file-')), 'nested', 'events.duckdb');
  const first = await createEventStore({ path, retentionDays: 0 });
  await first.send(WORKLOAD);
  await first.shutdown();
  const second = await store({ path });
  expect((await second.insights.overview()).aiAgent.classifications).toBe(4);
});
