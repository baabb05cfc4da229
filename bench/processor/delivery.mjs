#!/usr/bin/env node
// Segment delivery benchmark: this process sends realistic messages through each transport to the
// Segment-compatible test server running in another process, and prints events/s, average request
// size, requests/s and the CPU this process spent per delivered event (process.cpuUsage).
//
//   node bench/processor/delivery.mjs [--events N] [--quick]
//   (--from-src bundles packages/processor/src/sinks with esbuild instead of using dist.)
//
// Targets: >= 50,000 events/s with requests averaging >= 400 KB under load.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { recordFigure } from '../support/harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    events: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'from-src': { type: 'boolean', default: false },
  },
});
const scale = args.quick ? 0.25 : 1;
const PUBLISHER_EVENTS = Number(args.events ?? 300_000 * scale);
const WRITE_KEY = 'bench-write-key';
const TARGET_EVENTS_PER_SECOND = 50_000;
const TARGET_AVG_REQUEST_BYTES = 400 * 1024;

/** The sinks: from the built package when it has them, else bundled from src (the same code). */
async function loadSinks() {
  const dist = join(root, 'packages/processor/dist/index.js');
  if (existsSync(dist) && !args['from-src']) {
    const mod = await import(pathToFileURL(dist).href).catch(() => undefined);
    if (mod?.SegmentPublisher && mod?.AnalyticsNodeSink) return { mod, from: 'packages/processor/dist' };
  }
  const require = createRequire(join(root, 'package.json'));
  const esbuild = require('esbuild');
  // Under node_modules/.cache so the bundle resolves @segment/analytics-node from the repo.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outfile = join(mkdtempSync(join(cache, 'spantrack-delivery-bench-')), 'sinks.mjs');
  await esbuild.build({
    entryPoints: [join(root, 'packages/processor/src/sinks/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['@segment/analytics-node'],
    logLevel: 'error',
  });
  return {
    mod: await import(pathToFileURL(outfile).href),
    from: 'packages/processor/src/sinks (bundled with esbuild)',
  };
}

async function startServerProcess() {
  const cli = join(root, 'test/support/segment-server/dist/cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build @spantrack/segment-test-server first`);
  const child = spawn(process.execPath, [cli, '--port', '0', '--write-key', WRITE_KEY, '--record', 'ids'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`segment-test-server exited with ${code}`)));
  });
  const { url } = JSON.parse(line);
  return { url, child };
}

/** ~300-400 bytes per message as sent, like the tracking plans' events. */
function makeMessages(count, prefix) {
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    const timestamp = new Date(Date.UTC(2025, 0, 1, 0, 0, i % 60, i % 1000)).toISOString();
    if (i % 10 === 9) {
      out[i] = {
        type: 'identify',
        messageId: `${prefix}-${i}`,
        timestamp,
        userId: `user-${i % 997}`,
        traits: { plan: 'pro', seats: (i % 7) + 1 },
        context: { channel: 'web' },
      };
      continue;
    }
    out[i] = {
      type: 'track',
      messageId: `${prefix}-${i}`,
      timestamp,
      ...(i % 3 === 0 ? { anonymousId: `anon-${i % 8191}` } : { userId: `user-${i % 997}` }),
      event: i % 2 ? 'ai.generation' : 'Message Received',
      properties: {
        conversationId: `conv-${i % 4093}`,
        latency_ms: 100 + (i % 900),
        model: 'gpt-4o-mini',
        prompt_tokens: 200 + (i % 50),
        completion_tokens: 40 + (i % 30),
        role: 'agent',
      },
      context: {
        channel: 'web',
        traceId: (i * 2654435761).toString(16).padStart(32, '0'),
        spanId: (i * 40503).toString(16).padStart(16, '0'),
      },
    };
  }
  return out;
}

async function control(url, path, body) {
  const res = await fetch(
    `${url}${path}`,
    body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) },
  );
  return res.json();
}

/** Sends `messages` in chunks of 1,000 with at most 64 chunks outstanding, then flushes. */
async function drive(sink, messages) {
  const outstanding = [];
  let delivered = 0;
  let failed = 0;
  const settle = (r) => {
    delivered += r.delivered;
    failed += r.failed;
  };
  for (let i = 0; i < messages.length; i += 1000) {
    outstanding.push(sink.send(messages.slice(i, i + 1000)).then(settle));
    if (outstanding.length >= 64) await outstanding.shift();
  }
  await sink.flush(60_000);
  await Promise.all(outstanding);
  return { delivered, failed };
}

async function run(name, makeSink, messages, url) {
  await control(url, '/__reset', null);
  const serverCpu0 = (await control(url, '/__stats')).processCpuMicros;
  const sink = makeSink();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const { delivered, failed } = await drive(sink, messages);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  await sink.shutdown(5_000);
  const s = await control(url, '/__stats');
  const row = {
    name,
    events: messages.length,
    delivered,
    failed,
    serverUnique: s.uniqueMessageIds,
    serverDuplicates: s.duplicateMessageIds,
    seconds,
    eventsPerSecond: delivered / seconds,
    requests: s.acceptedRequests,
    requestsPerSecond: s.acceptedRequests / seconds,
    avgRequestBytes: s.acceptedBodyBytes / Math.max(1, s.acceptedRequests),
    cpuMicrosPerEvent: (cpu.user + cpu.system) / Math.max(1, delivered),
    cpuUtilisation: (cpu.user + cpu.system) / 1e6 / seconds,
    serverCpuMicrosPerEvent: (s.processCpuMicros - serverCpu0) / Math.max(1, delivered),
  };
  const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(
    `${name.padEnd(44)} ${fmt(row.eventsPerSecond).padStart(8)} ev/s  ${fmt(row.avgRequestBytes / 1024, 1).padStart(6)} KB/req  ` +
      `${fmt(row.requestsPerSecond, 1).padStart(6)} req/s  ${fmt(row.cpuMicrosPerEvent, 1).padStart(5)} µs CPU/ev  ` +
      `[server ${fmt(row.serverCpuMicrosPerEvent, 1)} µs/ev]  ` +
      `(${fmt(row.delivered)} delivered, ${row.failed} failed, server unique ${fmt(row.serverUnique)}, dup ${row.serverDuplicates}, ${fmt(seconds, 2)} s)`,
  );
  return row;
}

const { mod, from } = await loadSinks();
const { url, child } = await startServerProcess();
console.log(
  `delivery bench: sinks from ${from}; test server ${url} (pid ${child.pid}); node ${process.version}`,
);
const rows = [];
try {
  const { AnalyticsNodeSink, SegmentPublisher } = mod;
  const host = url;
  // analytics-node at its defaults (15 events, 10 s interval): slow, so fewer events.
  rows.push(
    await run(
      'analytics-node defaults (flushAt 15)',
      () => new AnalyticsNodeSink({ writeKey: WRITE_KEY, host, flushAt: 15, flushInterval: 10_000 }),
      makeMessages(Math.round(20_000 * scale), 'd'),
      url,
    ),
  );
  rows.push(
    await run(
      'analytics-node flushAt 500',
      () => new AnalyticsNodeSink({ writeKey: WRITE_KEY, host, flushAt: 500 }),
      makeMessages(Math.round(40_000 * scale), 't5'),
      url,
    ),
  );
  rows.push(
    await run(
      'analytics-node flushAt 1000 (AnalyticsNodeSink default)',
      () => new AnalyticsNodeSink({ writeKey: WRITE_KEY, host }),
      makeMessages(Math.round(40_000 * scale), 't10'),
      url,
    ),
  );
  const publisherMessages = makeMessages(PUBLISHER_EVENTS, 'p');
  rows.push(
    await run(
      'SegmentPublisher (default: 480 KiB, 4 in flight)',
      () => new SegmentPublisher({ writeKey: WRITE_KEY, host }),
      publisherMessages,
      url,
    ),
  );
  rows.push(
    await run(
      'SegmentPublisher, 1 in flight',
      () => new SegmentPublisher({ writeKey: WRITE_KEY, host, concurrency: 1 }),
      publisherMessages,
      url,
    ),
  );
  rows.push(
    await run(
      'SegmentPublisher, gzip',
      () => new SegmentPublisher({ writeKey: WRITE_KEY, host, gzip: true }),
      makeMessages(Math.round(PUBLISHER_EVENTS / 2), 'g'),
      url,
    ),
  );
} finally {
  child.kill('SIGTERM');
}

const main = rows.find((r) => r.name.startsWith('SegmentPublisher (default'));
const okRate = main.eventsPerSecond >= TARGET_EVENTS_PER_SECOND;
const okSize = main.avgRequestBytes >= TARGET_AVG_REQUEST_BYTES;
const okDelivery = rows.every(
  (r) => r.failed === 0 && r.serverUnique === r.events && r.serverDuplicates === 0,
);
recordFigure({
  id: 'delivery.events-per-second',
  name: 'Segment delivery (SegmentPublisher, other process)',
  value: main.eventsPerSecond,
  unit: 'events/s',
  target: { op: '>=', value: TARGET_EVENTS_PER_SECOND },
});
recordFigure({
  id: 'delivery.request-bytes',
  name: 'Segment delivery, average request under load',
  value: main.avgRequestBytes / 1024,
  unit: 'KB',
  target: { op: '>=', value: TARGET_AVG_REQUEST_BYTES / 1024 },
});
console.log(`${okDelivery ? 'PASS' : 'FAIL'} every event delivered exactly once in every run`);
console.log(`CPU per delivered event (SegmentPublisher): ${main.cpuMicrosPerEvent.toFixed(1)} µs`);
console.log(JSON.stringify({ bench: 'delivery', pass: okRate && okSize && okDelivery, rows }));
process.exitCode = okRate && okSize && okDelivery ? 0 : 1;
