#!/usr/bin/env node
// The DuckDB event store's ingest alone, as the collector drives it: sends of one request's worth
// of messages (512), 32 in flight (16,384 messages: more than one batch, as the collector hands
// batches to the store without waiting for them), into a database file with the collector's batch
// settings (10,000 rows per transaction, a 20 ms flush timer). With fewer in flight than a batch,
// every write would wait for the timer: that would measure the timer, not the store. Events are made beforehand so only the
// store's work is timed. Reports wall-clock events/s, events per CPU-second of the whole process
// (DuckDB's threads included), which a busy shared machine disturbs less, and how long the
// JavaScript thread was busy (what the collector's translation cannot use meanwhile).
//
//   node bench/insights/store-ingest.mjs [--events N] [--quick] [--module PATH]
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/insights/store-ingest.mjs   (where the time goes)
//
// --module loads another build of @spantrack/insights (a dist/index.js), to compare two builds in
// one sitting: run them alternately, on a shared machine only their ratio means something.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuMs, recordFigure } from '../support/harness.mjs';
import { generateEvents } from './generate-events.mjs';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string' },
    quick: { type: 'boolean', default: false },
    module: { type: 'string' },
  },
});
const TOTAL = Number(args.events ?? (args.quick ? 50_000 : 300_000));
const PER_SEND = 512;
const IN_FLIGHT = 32;
const TARGET = 50_000;
const { createEventStore } = await import(
  args.module ? pathToFileURL(resolve(args.module)).href : '@spantrack/insights'
);

const messages = [];
for (const chunk of generateEvents(TOTAL, 10_000)) messages.push(...chunk);
const sends = [];
for (let i = 0; i < messages.length; i += PER_SEND) sends.push(messages.slice(i, i + PER_SEND));

const dir = mkdtempSync(join(tmpdir(), 'spantrack-store-ingest-'));
const store = await createEventStore({
  path: join(dir, 'events.duckdb'),
  retentionDays: 0,
  batchSize: 10_000,
  flushIntervalMs: 20,
});
let stored = 0;
let failed = 0;
try {
  const cpu0 = cpuMs();
  const elu0 = performance.eventLoopUtilization();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < sends.length) {
        const result = await store.send(sends[next++]);
        stored += result.delivered;
        failed += result.failed;
      }
    }),
  );
  await store.flush();
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = (cpuMs() - cpu0) / 1000;
  const jsBusySeconds = performance.eventLoopUtilization(elu0).active / 1000;
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  console.log(
    `store ingest: ${fmt(stored)} events in ${seconds.toFixed(2)} s = ${fmt(stored / seconds)} events/s, ` +
      `${fmt(stored / cpuSeconds)} events per CPU-second (${cpuSeconds.toFixed(2)} CPU-s), ` +
      `JavaScript thread busy ${jsBusySeconds.toFixed(2)} s (${fmt(stored / jsBusySeconds)} events per busy second); ${failed} failed`,
  );
  const result = recordFigure({
    id: 'insights.store-ingest',
    name: 'event store ingest alone (sends of 512, 32 in flight, into a DuckDB file)',
    value: stored / seconds,
    unit: 'events/s',
    target: { op: '>=', value: TARGET },
    detail: `${fmt(stored)} events; ${fmt(stored / cpuSeconds)} events per CPU-second; JavaScript thread busy ${jsBusySeconds.toFixed(2)} s; ${failed} failed`,
  });
  process.exitCode = result.ok === false || failed > 0 ? 1 : 0;
} finally {
  await store.shutdown();
  rmSync(dir, { recursive: true, force: true });
}
