#!/usr/bin/env node
// The collector end to end with the event store on: the collector CLI (one process, `--store` a
// DuckDB file, null sink so that the store's path is what is measured) takes recorded OTLP/HTTP
// requests (gzipped protobuf, as the real exporter sends them, every span id distinct) from 8
// senders in this process; the figure is events written to the store per second of wall clock,
// from the first request to the last event stored (read from the collector's /metrics). Each round's
// collector first takes a warm-up of other requests, stored and not counted: a collector runs for
// days, and its first second (the optimizing compiler still at work) is not what it sustains.
//
//   node bench/insights/collector-store.mjs [--quick]
//   node bench/insights/collector-store.mjs --compare <checkout A> <checkout B> [--rounds 16]
//
// Target: >= 50,000 events/s with the store on, one collector process.
//
// --compare alternates two builds round by round (A, B, A, B, ...: a checkout is a directory with
// this repository's layout and its packages built, e.g. `git worktree add /tmp/before <commit> &&
// (cd /tmp/before && npm ci && npx turbo run build)`), and prints each one's rounds and the ratio
// B/A of each pair of neighbouring rounds. This machine's speed drifts by more than most changes
// within a minute; a pair of rounds a few seconds apart meets nearly the same machine.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { recordRequests } from '../collector/recorded-requests.mjs';
import { QUICK, recordFigure, spread } from '../support/harness.mjs';
import { postProtobufGzip } from '../support/post-otlp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { quick: { type: 'boolean' }, compare: { type: 'boolean' }, rounds: { type: 'string' } },
});
if (args.compare && positionals.length !== 2) throw new Error('--compare takes two checkouts');
const builds = args.compare ? positionals.map((dir) => resolve(dir)) : [root];
const cliOf = (checkout) => join(checkout, 'packages/collector/dist/cli.js');
for (const b of builds) if (!existsSync(cliOf(b))) throw new Error(`${cliOf(b)} is missing: build first`);
const TARGET = 50_000;
const ROUNDS = Number(args.rounds ?? (args.compare ? 16 : QUICK ? 2 : 6));
const REQUESTS_PER_ROUND = QUICK ? 40 : 150;
const WARM_UP_REQUESTS = QUICK ? 20 : 50;
const fmt = (n) => Math.round(n).toLocaleString('en-US');

process.stdout.write(`recording ${ROUNDS} x ${REQUESTS_PER_ROUND} distinct requests…\n`);
// Distinct requests per round: a replayed span id is a redelivery the store deduplicates, not new work.
const rounds = Array.from({ length: ROUNDS }, () => ({
  warmUp: recordRequests(WARM_UP_REQUESTS).protobufGzip,
  bodies: recordRequests(REQUESTS_PER_ROUND).protobufGzip,
}));
const scratch = mkdtempSync(join(tmpdir(), 'spantrack-store-bench-'));
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function startCollector(store, cli) {
  const child = spawn(
    process.execPath,
    [cli, '--http-port', '0', '--grpc-port', 'off', '--sink', 'none', '--store', store],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /OTLP\/HTTP listening on (\S+?)[ ,(]/.exec(line);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
}

const post = (url, body) => postProtobufGzip(agent, url, body);

async function counters(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (re) => Number(re.exec(text)?.[1] ?? 0);
  return {
    delivered: read(/^spantrack_collector_messages_delivered_total (\d+)/m),
    stored: read(/^spantrack_collector_store_messages_total\{outcome="stored"\} (\d+)/m),
    storeFailed: read(/^spantrack_collector_store_messages_total\{outcome="failed"\} (\d+)/m),
    // Counted as delivered but held back by the exactly-once window in front of the sink and the
    // store: a repeated messageId never reaches the store.
    deduplicated: read(/^spantrack_collector_messages_deduplicated_total (\d+)/m),
    // Messages the store held already (found before the INSERT, not written twice), and batches
    // written the slow way (see BatchWriter in the insights package).
    duplicates: read(/^spantrack_collector_store_duplicates_total (\d+)/m),
    slow: read(/^spantrack_collector_store_batches_total\{path="slow"\} (\d+)/m),
  };
}

/** Sends every body from 8 senders; returns the answers by status. */
async function sendAll(url, bodies) {
  let next = 0;
  const statuses = {};
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < bodies.length) {
        const status = await post(`${url}/v1/traces`, bodies[next++]);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

/** Waits until every delivered message is stored, failed or deduplicated; returns the counters. */
async function settled(url) {
  let c = await counters(url);
  const deadline = performance.now() + 120_000;
  while (c.stored + c.storeFailed + c.deduplicated < c.delivered) {
    if (performance.now() > deadline) {
      throw new Error(`the store never caught up: ${JSON.stringify(c)} after 120 s`);
    }
    await new Promise((r) => setTimeout(r, 20));
    c = await counters(url);
  }
  return c;
}

const rates = [];
let failed = 0;
try {
  for (const [i, { warmUp, bodies }] of rounds.entries()) {
    const { child, url } = await startCollector(
      join(scratch, `round-${i}.duckdb`),
      cliOf(builds[i % builds.length]),
    );
    try {
      await sendAll(url, warmUp);
      const before = await settled(url);
      const started = performance.now();
      const statuses = await sendAll(url, bodies);
      const acked = (performance.now() - started) / 1000;
      const delivered = (await counters(url)).delivered - before.delivered;
      const after = await settled(url);
      const seconds = (performance.now() - started) / 1000;
      const stored = after.stored - before.stored;
      const storeFailed = after.storeFailed - before.storeFailed;
      rates.push(stored / seconds);
      failed += after.storeFailed;
      process.stdout.write(
        `  round ${i + 1}${args.compare ? ` (${'AB'[i % 2]})` : ''}: ${fmt(stored)} events stored in ${seconds.toFixed(2)} s = ${fmt(stored / seconds)} events/s ` +
          `(all answered after ${acked.toFixed(2)} s: ${fmt(delivered / acked)} events/s through the sink; ` +
          `answers ${JSON.stringify(statuses)}, ${storeFailed} not stored; store held ${after.duplicates - before.duplicates} already, batches written the slow way ${after.slow - before.slow})\n`,
      );
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
} finally {
  agent.destroy();
  rmSync(scratch, { recursive: true, force: true });
}

if (args.compare) {
  const ofBuild = (k) => rates.filter((_, i) => i % 2 === k);
  for (const [k, name] of ['A', 'B'].entries()) {
    const s = spread(ofBuild(k));
    process.stdout.write(
      `${name} ${builds[k]}: median ${fmt(s.median)} events/s (${fmt(s.min)}–${fmt(s.max)})\n`,
    );
  }
  const ratios = ofBuild(1).map((b, k) => b / ofBuild(0)[k]);
  const geomean = Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length);
  process.stdout.write(
    `B/A per pair of rounds: ${ratios.map((r) => r.toFixed(2)).join(' ')}; geometric mean ${geomean.toFixed(3)}, ` +
      `${ratios.filter((r) => r > 1).length} of ${ratios.length} pairs above 1\n`,
  );
  process.exit(failed > 0 ? 1 : 0);
}

const s = spread(rates);
const result = recordFigure({
  id: 'collector.end-to-end-with-store',
  name: 'collector end to end with the event store on, one process (OTLP/HTTP → DuckDB file)',
  value: s.median,
  unit: 'events/s',
  range: s,
  target: { op: '>=', value: TARGET },
  detail: `${ROUNDS} rounds of ${REQUESTS_PER_ROUND} requests, each after ${WARM_UP_REQUESTS} not counted; ${failed} events not stored`,
});
process.exitCode = result.ok === false || failed > 0 ? 1 : 0;
