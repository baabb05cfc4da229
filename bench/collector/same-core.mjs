#!/usr/bin/env node
// Two builds of the collector's one-core path (gunzip + decode + translate), compared on one core:
// both run at once, each in its own process, both pinned to the same core with `taskset`, so the
// scheduler alternates them every few milliseconds and both meet the same speed of that core (on
// the development VM the two cores ran at different speeds, and which one was slow changed every few
// seconds: rounds taken one after the other disagreed by more than the changes being measured).
// Prints each run's spans per CPU-second for both and their ratio.
//
//   node bench/collector/same-core.mjs <checkout A> <checkout B> [--seconds 8] [--runs 3] [--core 1]
//
// A checkout is a directory with this repository's layout and its packages built (packages/*/dist).
// To compare the working tree with an earlier commit:
//   git worktree add /tmp/before <commit> && (cd /tmp/before && npm ci && npx turbo run build)
//   node bench/collector/same-core.mjs /tmp/before .
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { recordRequests, saveRequests } from './recorded-requests.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: '8' },
    runs: { type: 'string', default: '3' },
    core: { type: 'string', default: '1' },
    // Internal: one build's run, in the child process.
    child: { type: 'string' },
    requests: { type: 'string' },
  },
});

if (args.child !== undefined) await childRun(args.child, args.requests, Number(args.seconds));
else await compare();

async function compare() {
  if (positionals.length !== 2)
    throw new Error('usage: same-core.mjs <checkout A> <checkout B> [--seconds 8] [--runs 3]');
  const builds = positionals.map((p) => resolve(p));
  for (const b of builds) {
    if (!existsSync(join(b, 'packages/collector/dist/index.js')))
      throw new Error(`${b}: packages are not built`);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'spantrack-same-core-'));
  const requests = join(scratch, 'requests.bin');
  saveRequests(recordRequests(40), requests);
  try {
    const ratios = [];
    for (let run = 0; run < Number(args.runs); run++) {
      const [a, b] = await Promise.all(builds.map((build) => pinned(build, requests)));
      ratios.push(b / a);
      process.stdout.write(
        `run ${run + 1}: A ${Math.round(a).toLocaleString('en-US')}  B ${Math.round(b).toLocaleString('en-US')} spans per CPU-second  B/A ${(b / a).toFixed(3)}\n`,
      );
    }
    ratios.sort((x, y) => x - y);
    process.stdout.write(`B/A over ${ratios.length} runs: ${ratios.map((r) => r.toFixed(3)).join(', ')}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** One build's run in a child pinned to the chosen core; resolves its spans per CPU-second. */
function pinned(build, requests) {
  const child = spawn(
    'taskset',
    [
      '-c',
      args.core,
      process.execPath,
      fileURLToPath(import.meta.url),
      '--child',
      build,
      '--requests',
      requests,
      '--seconds',
      args.seconds,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const value = Number(/^value (\d+(?:\.\d+)?)$/m.exec(out)?.[1]);
      if (code !== 0 || !Number.isFinite(value)) reject(new Error(`${build}: exited with ${code}: ${out}`));
      else resolvePromise(value);
    });
  });
}

/** Warms up for 2 s, then runs for `seconds` of wall clock and prints spans per CPU-second. */
async function childRun(build, requestsFile, seconds) {
  const { gunzipSync } = await import('node:zlib');
  const { loadRequests } = await import(pathToFileURL(join(here, 'recorded-requests.mjs')).href);
  const collector = await import(pathToFileURL(join(build, 'packages/collector/dist/index.js')).href);
  const processor = await import(pathToFileURL(join(build, 'packages/processor/dist/index.js')).href);
  const bodies = loadRequests(requestsFile).protobufGzip;
  const translate = processor.createTranslator();
  const neverYield = { spent: false, yield: async () => {} };
  // Inflated with gunzipSync, not the collector's inflateBody: builds before it do not export it,
  // and both sides must do the same work.
  const one = async (body) => {
    const decoded = await collector.decodeProtobufTracesSliced(gunzipSync(body), 10_000, neverYield);
    const results = await collector.translateByTraces(translate, decoded.spans, neverYield);
    return results.length;
  };
  let i = 0;
  const warm = Date.now();
  while (Date.now() - warm < 2000) await one(bodies[i++ % bodies.length]);
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let spans = 0;
  while (Date.now() - t0 < seconds * 1000) spans += await one(bodies[i++ % bodies.length]);
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`value ${spans / ((cpu.user + cpu.system) / 1e6)}\n`);
}
