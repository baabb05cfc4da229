#!/usr/bin/env node
// Insights benchmark: how fast the DuckDB event store takes events (events/s through the sink's
// batched writer, into a database file), and how long every dashboard query takes over 1,000,000
// stored events, unfiltered and filtered.
//
//   node bench/insights/index.mjs [--events N] [--quick]
//
// Targets: ingest >= 50,000 events/s (the collector end-to-end target, so the store never is the
// bottleneck); every dashboard query <= 1,000 ms at 1,000,000 events, and the whole dashboard
// (GET /api/overview) <= 5,000 ms, on a 2-core machine. Then, each in a process of its own, the
// store's ingest as the collector drives it (store-ingest.mjs) and the collector end to end with
// the store on (collector-store.mjs). Every figure goes into `npm run bench`'s table.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEventStore, METRICS } from '@spantrack/insights';
import { QUICK, recordFigure } from '../support/harness.mjs';
import { generateEvents } from './generate-events.mjs';

const { values: args } = parseArgs({
  options: { events: { type: 'string' }, quick: { type: 'boolean', default: false } },
});
const TOTAL = Number(args.events ?? (args.quick ? 100_000 : 1_000_000));
const TARGET_INGEST = 50_000;
const INGEST_TIMED = 200_000;
const TARGET_QUERY_MS = 1_000;
const TARGET_OVERVIEW_MS = 5_000;

const dir = mkdtempSync(join(tmpdir(), 'spantrack-insights-bench-'));
const store = await createEventStore({
  path: join(dir, 'events.duckdb'),
  retentionDays: 0,
  batchSize: 10_000,
});
let failed = false;
const verdict = (ok) => {
  if (!ok) failed = true;
  return ok ? 'ok' : 'MISSED';
};

try {
  // ---- ingest ----
  // Timed: the first INGEST_TIMED events, made beforehand so only the store's work is measured.
  // The rest are stored untimed, for the query timings.
  const chunks = generateEvents(TOTAL, 10_000);
  const timed = [];
  for (let n = 0; n < Math.min(TOTAL, INGEST_TIMED); ) {
    const next = chunks.next();
    if (next.done) break;
    timed.push(next.value);
    n += next.value.length;
  }
  let stored = 0;
  const send = async (batches) => {
    // A few batches in flight, as a busy processor hands them over.
    for (let i = 0; i < batches.length; i += 4) {
      const results = await Promise.all(batches.slice(i, i + 4).map((b) => store.send(b)));
      for (const r of results) stored += r.delivered;
    }
    await store.flush();
  };
  const started = performance.now();
  await send(timed);
  const ingestSeconds = (performance.now() - started) / 1000;
  const rate = stored / ingestSeconds;
  console.log(
    `ingest: ${stored.toLocaleString('en-US')} events in ${ingestSeconds.toFixed(1)} s = ` +
      `${Math.round(rate).toLocaleString('en-US')} events/s into a database file (target >= ${TARGET_INGEST.toLocaleString('en-US')}) ${verdict(rate >= TARGET_INGEST)}`,
  );
  recordFigure({
    id: 'insights.ingest-batches',
    name: 'event store ingest, batches of 10,000, 4 in flight (DuckDB file)',
    value: rate,
    unit: 'events/s',
    target: { op: '>=', value: TARGET_INGEST },
    detail: `${stored.toLocaleString('en-US')} events in ${ingestSeconds.toFixed(1)} s`,
  });
  timed.length = 0;
  let batch = [];
  for (const chunk of chunks) {
    batch.push(chunk);
    if (batch.length === 8) {
      await send(batch);
      batch = [];
    }
  }
  await send(batch);

  // ---- queries ----
  const conversation = (await store.insights.metric('conversation_list', {}, { limit: 1 }))[0]
    ?.conversation_id;
  const filterSets = [
    ['unfiltered', {}],
    ['channel+week', { channel: 'whatsapp', from: '2026-10-08', to: '2026-10-14' }],
  ];
  console.log(`queries over ${stored.toLocaleString('en-US')} stored events (ms, best of 3):`);
  let slowest = { ms: 0, what: '' };
  let slowestOverview = { ms: 0, what: '' };
  for (const [label, filters] of filterSets) {
    for (const name of METRICS.keys()) {
      const ms = await best(() =>
        store.insights.metric(name, filters, { limit: 10, offset: 0, conversation }),
      );
      if (ms > slowest.ms) slowest = { ms, what: `${name}, ${label}` };
      console.log(
        `  ${label.padEnd(13)} ${name.padEnd(28)} ${ms.toFixed(0).padStart(6)} ${verdict(ms <= TARGET_QUERY_MS)}`,
      );
    }
    const overview = await best(() => store.insights.overview(filters));
    if (overview > slowestOverview.ms) slowestOverview = { ms: overview, what: label };
    console.log(
      `  ${label.padEnd(13)} ${'whole dashboard (overview)'.padEnd(28)} ${overview.toFixed(0).padStart(6)} ` +
        `(target <= ${TARGET_OVERVIEW_MS}) ${verdict(overview <= TARGET_OVERVIEW_MS)}`,
    );
  }
  recordFigure({
    id: 'insights.slowest-query',
    name: `slowest dashboard query over ${stored.toLocaleString('en-US')} events (best of 3)`,
    value: slowest.ms,
    unit: 'ms',
    target: { op: '<=', value: TARGET_QUERY_MS },
    detail: slowest.what,
  });
  recordFigure({
    id: 'insights.overview',
    name: `whole dashboard (overview) over ${stored.toLocaleString('en-US')} events (best of 3)`,
    value: slowestOverview.ms,
    unit: 'ms',
    target: { op: '<=', value: TARGET_OVERVIEW_MS },
    detail: slowestOverview.what,
  });
} finally {
  await store.shutdown();
  rmSync(dir, { recursive: true, force: true });
}

// The store as the collector drives it, then the collector end to end with the store on: each in a
// process of its own (their figures reach the table through the same results file).
for (const script of ['store-ingest.mjs', 'collector-store.mjs']) {
  const r = spawnSync(
    process.execPath,
    [new URL(script, import.meta.url).pathname, ...(QUICK ? ['--quick'] : [])],
    {
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);

async function best(fn) {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}
