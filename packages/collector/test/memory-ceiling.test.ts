// The collector's memory ceiling over a real process: several senders push the largest requests
// the limits allow (and gzip bombs, with and without the bearer token) over HTTP and gRPC; the
// process's peak RSS (VmHWM) must stay within the documented budget and /healthz must answer fast.
// Shortened here; SPANTRACK_FULL_MEMORY_TEST=1 runs the full minute with more senders.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { Metadata } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProcess } from './support/cli-process';
import { agentTraces, toJson, toProtobuf } from './support/fixtures';
import { post } from './support/post';
import { rawGrpcClient } from './support/raw-grpc-client';

const FULL = process.env.SPANTRACK_FULL_MEMORY_TEST === '1';
const SECONDS = FULL ? 60 : 8;
const SENDERS = FULL ? 4 : 2;
const MiB = 1024 * 1024;
/** The documented default ceiling. */
const RSS_BUDGET = 512 * MiB;
/** Where the default limits keep the peak, leaving the rest of the budget as margin. */
const RSS_MARGIN = 450 * MiB;
const TOKEN = 'memory-test-token';
/** How long a sender refused for now waits before it sends again, ms (±50 %). */
const RETRY_MS = 250;

/**
 * Fetches /healthz every `every` ms until the deadline (or a message from the parent), then posts
 * the median and slowest times (ms) and the number of probes.
 */
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false;
parentPort.once('message', () => { stop = true; });
(async () => {
  // The first fetch of a thread loads its HTTP client: not an answer time of the collector.
  await (await fetch(workerData.url)).text();
  const times = [];
  while (!stop && Date.now() < workerData.deadline) {
    const t0 = performance.now();
    const res = await fetch(workerData.url);
    await res.text();
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, workerData.every));
  }
  times.sort((a, b) => a - b);
  parentPort.postMessage({ median: times[times.length >> 1], slowest: times[times.length - 1], probes: times.length });
})();
`;
type ProbeResult = { median: number; slowest: number; probes: number };
/** The documented target: the slowest /healthz answer while the largest requests are processed, ms. */
const TARGET_SLOWEST_MS = 100;
/**
 * Whether the machine is not oversubscribed as a run starts: a 1-minute load average under twice
 * the core count. Only then is the slowest answer the collector's own: with test files in parallel
 * on 2 shared cores (load 6–14) the collector and the GC's helper threads wait for a core, and
 * 101–810 ms were measured with the same code that answered within 26–70 ms at load 3.8–5.2.
 */
function quietMachine(): boolean {
  return load() < 2 * availableParallelism();
}
/** The 1-minute load average. */
function load(): number {
  return loadavg()[0] ?? 0;
}
/**
 * The slowest answer allowed on an oversubscribed machine, ms: still a bound on any piece of work
 * (`JSON.parse` of a 60 MiB body in one piece took 0.67–1.2 s). With several senders of every kind, one
 * run in about fifteen at load 6–14 reached 810 ms: that run is bounded by a second.
 */
const LOADED_SLOWEST_MS = 600;
const LOADED_SLOWEST_SEVERAL_MS = 1_000;

const processes: CliProcess[] = [];
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
});

/** Peak resident set of a process, from /proc. */
function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status);
  return Number(kb![1]) * 1024;
}

/** A gRPC sender of raw export bytes, gzip-compressed, without message limits: `call` gives the status code. */
function grpcSender(url: string) {
  const { client, call: raw } = rawGrpcClient(url, {
    'grpc.default_compression_algorithm': 2,
    'grpc.max_send_message_length': -1,
    'grpc.max_receive_message_length': -1,
  });
  const call = async (body: Buffer, token?: string) => {
    const metadata = new Metadata();
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    return (await raw(body, metadata)).code;
  };
  return { client, call };
}

/** The documented default limit of one request after gunzip. */
const MAX_INFLATED = 32 * MiB;

/**
 * The largest request the default limits accept: 10,000 GenAI spans, each padded with an attribute
 * to just under 32 MiB inflated (about 3 KB a span).
 */
function largestRequest(encode: (spans: ReturnType<typeof agentTraces>) => Buffer, tag: string): Buffer {
  const spans = agentTraces(2_500, tag);
  const bare = encode(spans).length;
  const padding = 'p'.repeat(Math.floor((MAX_INFLATED - MiB - bare) / spans.length));
  for (const span of spans) (span.attributes as Record<string, unknown>)['app.padding'] = padding;
  return encode(spans);
}

describe('memory ceiling', () => {
  it(
    `${SENDERS} senders per kind for ${SECONDS} s: peak RSS under 450 MiB (budget 512 MiB), /healthz under 100 ms on a quiet machine`,
    async () => {
      const cli = new CliProcess(
        ['--http-port', '0', '--grpc-port', '0', '--sink', 'none', '--bearer-token', TOKEN],
        {},
      );
      processes.push(cli);
      const [, httpUrl] = await cli.waitFor(/OTLP\/HTTP listening on (\S+)/);
      const [, grpcUrl] = await cli.waitFor(/OTLP\/gRPC listening on (http:\/\/[^;,\s]+)/);
      const traces = `${httpUrl}/v1/traces`;
      const largest = largestRequest(toProtobuf, 'mem');
      const largestJson = largestRequest(toJson, 'mem-json');
      for (const body of [largest, largestJson]) {
        expect(body.length).toBeLessThan(MAX_INFLATED);
        expect(body.length).toBeGreaterThan(MAX_INFLATED - 2 * MiB);
      }
      const largestGz = gzipSync(largest);
      const json = gzipSync(largestJson);
      // Past the span limit (12,000 spans): refused with 413 before its spans are translated.
      const tooMany = gzipSync(toProtobuf(agentTraces(3_000, 'mem-many')));
      // Refused on its metadata, so its size does not matter to the collector; kept small so that
      // this process's gRPC client does not spend the machine's CPU compressing it.
      const zeros = Buffer.alloc(MiB);
      const bomb = gzipSync(zeros);
      const auth = { authorization: `Bearer ${TOKEN}` };
      const gz = { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip', ...auth };

      const deadline = Date.now() + SECONDS * 1000;
      const statuses = new Map<string, number>();
      const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
      // A sender refused for now (429 / UNAVAILABLE) waits before it sends again, as OTLP exporters
      // do; the unauthenticated ones (401 / UNAUTHENTICATED) send again without a pause.
      const loop = async (name: string, send: () => Promise<number>) => {
        while (Date.now() < deadline) {
          const status = await send();
          count(`${name} ${status}`);
          if (status === 429 || status === 14)
            await new Promise((r) => setTimeout(r, RETRY_MS * (0.5 + Math.random())));
        }
      };
      const grpc = grpcSender(grpcUrl!);
      const senders: Promise<void>[] = [];
      for (let i = 0; i < SENDERS; i++) {
        senders.push(loop('http largest', async () => (await post(traces, largestGz, gz)).status));
        senders.push(
          loop(
            'http largest json',
            async () => (await post(traces, json, { ...gz, 'content-type': 'application/json' })).status,
          ),
        );
        senders.push(loop('http too-many', async () => (await post(traces, tooMany, gz)).status));
        senders.push(
          loop(
            'http bomb no-token',
            async () => (await post(traces, bomb, { ...gz, authorization: '' })).status,
          ),
        );
        senders.push(loop('grpc largest', () => grpc.call(largest, TOKEN)));
        senders.push(loop('grpc bomb no-token', () => grpc.call(zeros)));
      }
      // Probed from a worker thread: the senders' own work on this thread must not count as latency.
      const probe = new Worker(PROBE, {
        eval: true,
        workerData: { url: `${httpUrl}/healthz`, deadline, every: 50 },
      });
      const quiet = FULL || quietMachine();
      const probes = once(probe, 'message') as Promise<[ProbeResult]>;
      const [[{ median, slowest }]] = await Promise.all([probes, ...senders]);
      grpc.client.close();
      const peak = peakRss(cli.child.pid!);
      const summary = [...statuses].map(([k, v]) => `${k}: ${v}`).join(', ');
      console.log(
        `peak RSS ${(peak / MiB).toFixed(0)} MiB, /healthz median ${median.toFixed(0)} ms, slowest ${slowest.toFixed(0)} ms (${quiet ? 'quiet' : 'oversubscribed'} machine, load ${load().toFixed(1)}); ${summary}`,
      );
      expect(peak).toBeLessThan(RSS_BUDGET);
      // The margin under the budget that the limits are sized for.
      expect(peak).toBeLessThan(RSS_MARGIN);
      expect(median).toBeLessThan(100);
      expect(slowest).toBeLessThan(quiet ? TARGET_SLOWEST_MS : LOADED_SLOWEST_SEVERAL_MS);
      // Largest allowed requests went through (others got 429 / UNAVAILABLE while the budget was
      // held: a retry later succeeds); the oversized and unauthenticated ones did not.
      expect((statuses.get('http largest 200') ?? 0) + (statuses.get('grpc largest 0') ?? 0)).toBeGreaterThan(
        0,
      );
      const answered = [...statuses.keys()].filter((k) => k.includes('largest'));
      expect(answered.filter((k) => !/ (200|429|0|14)$/.test(k))).toEqual([]);
      // Past the span limit: 413 naming it, or 429 while the largest requests held the budget (its
      // announced size is reserved before it is inflated); once the budget is free, 413.
      const tooManyKeys = [...statuses.keys()].filter((k) => k.startsWith('http too-many'));
      expect(tooManyKeys.filter((k) => !/ (413|429)$/.test(k))).toEqual([]);
      const alone = await post(traces, tooMany, gz);
      expect(alone.status).toBe(413);
      expect(alone.body.toString('utf8')).toContain('more than 10000 spans');
      expect([...statuses.keys()].filter((k) => k.includes('no-token') && !/ (401|16)$/.test(k))).toEqual([]);
    },
    (SECONDS + 60) * 1000,
  );
  it(`largest protobuf and JSON requests over HTTP and gRPC, one after another: /healthz never slower than ${TARGET_SLOWEST_MS} ms on a quiet machine`, async () => {
    const cli = new CliProcess(['--http-port', '0', '--grpc-port', '0', '--sink', 'none'], {});
    processes.push(cli);
    const [, httpUrl] = await cli.waitFor(/OTLP\/HTTP listening on (\S+)/);
    const [, grpcUrl] = await cli.waitFor(/OTLP\/gRPC listening on (http:\/\/[^;,\s]+)/);
    const traces = `${httpUrl}/v1/traces`;
    const protobuf = largestRequest(toProtobuf, 'turns');
    const json = largestRequest(toJson, 'turns-json');
    const protobufGz = gzipSync(protobuf);
    const jsonGz = gzipSync(json);
    const grpc = grpcSender(grpcUrl!);
    const headers = (type: string) => ({ 'content-type': type, 'content-encoding': 'gzip' });
    const quiet = FULL || quietMachine();
    // Probed every 20 ms from a worker thread while the requests are decoded and translated.
    const probe = new Worker(PROBE, {
      eval: true,
      workerData: { url: `${httpUrl}/healthz`, deadline: Date.now() + 120_000, every: 20 },
    });
    const probes = once(probe, 'message') as Promise<[ProbeResult]>;
    const answers: string[] = [];
    for (let round = 0; round < 2; round++) {
      answers.push(
        `http protobuf ${(await post(traces, protobufGz, headers('application/x-protobuf'))).status}`,
      );
      answers.push(`http json ${(await post(traces, jsonGz, headers('application/json'))).status}`);
      answers.push(`grpc protobuf ${await grpc.call(protobuf)}`);
    }
    probe.postMessage('stop');
    const [[{ median, slowest, probes: count }]] = await Promise.all([probes]);
    grpc.client.close();
    const peak = peakRss(cli.child.pid!);
    console.log(
      `largest requests one after another: /healthz median ${median.toFixed(0)} ms, slowest ${slowest.toFixed(0)} ms over ${count} probes (${quiet ? 'quiet' : 'oversubscribed'} machine, load ${load().toFixed(1)}); peak RSS ${(peak / MiB).toFixed(0)} MiB; ${answers.join(', ')}`,
    );
    // Every request was processed (its 10,000 spans decoded and translated), none refused.
    expect(answers.filter((a) => !/ (200|0)$/.test(a))).toEqual([]);
    expect(count).toBeGreaterThan(20);
    expect(slowest).toBeLessThan(quiet ? TARGET_SLOWEST_MS : LOADED_SLOWEST_MS);
    expect(peak).toBeLessThan(RSS_MARGIN);
  }, 180_000);
});
