import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mergeMetricsText } from '../src/cluster/merge-metrics';
import { emptyStats, mergeStats, retired } from '../src/cluster/merge-stats';
import { resolveWorkers } from '../src/cluster/worker-count';
import { divideLimits } from '../src/cluster/worker-limits';
import type { CollectorStats } from '../src/collector';
import { messageIds } from './support/expected';
import { agentTraces, toProtobuf } from './support/fixtures';
import { post } from './support/post';
import { RETRYABLE, sendAll } from './support/retrying-sender';

/*
 * `spantrack-collector --workers 2` (the built CLI): two worker processes behind one port, against
 * the Segment test server. The server is made to hang so that requests are held inside the workers
 * (acknowledgement waits for delivery) when a worker is killed or the collector is stopped.
 */

const WRITE_KEY = 'cluster-key';
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let server: SegmentServer;

beforeAll(async () => {
  server = await startSegmentServer({ writeKey: WRITE_KEY });
});
afterAll(() => server?.close());
beforeEach(() => {
  server.reset();
  server.setFault(null);
});

interface Running {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** The workers' pids, from the primary's startup line. */
  pids: number[];
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function startCluster(extra: string[] = ['--grpc-port', 'off']): Promise<Running> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      '--workers',
      '2',
      '--http-port',
      '0',
      '--sink',
      'segment',
      '--segment-write-key',
      WRITE_KEY,
      '--segment-host',
      server.url,
      ...extra,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SPANTRACK_SINK: undefined, SPANTRACK_COLLECTOR_SINK: undefined },
    },
  );
  running.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (/OTLP\/HTTP listening on/.test(out) && /workers \(pids/.test(err)) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`collector exited with ${code}: ${out}${err}`));
    });
  });
  const url = /OTLP\/HTTP listening on (\S+)/.exec(out)![1]!;
  const pids = /workers \(pids ([\d, ]+)\)/.exec(err)![1]!.split(', ').map(Number);
  return { child, url, stdout: () => out, stderr: () => err, pids };
}

function workload(tag: string, requests: number, traces: number) {
  const batches = Array.from({ length: requests }, (_, i) => agentTraces(traces, `${tag}${i}`));
  const expected = new Set<string>();
  for (const spans of batches) for (const id of messageIds(spans)) expected.add(id);
  return { bodies: batches.map(toProtobuf), expected };
}

const until = async (check: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('a worker dies mid-request', () => {
  it('its senders see retryable answers, it is restarted, and once they retry nothing is lost', async () => {
    const c = await startCluster();
    const { bodies, expected } = workload('dies', 24, 3);
    // Deliveries hang: every request that reaches a worker stays open inside it.
    server.setFault({ hang: true });
    const sending = sendAll(() => `${c.url}/v1/traces`, bodies, { concurrency: 8, deadlineMs: 45_000 });
    await until(() => (server.stats().rejected.hang ?? 0) >= 2, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(c.pids[0]!, 'SIGKILL');
    await until(() => /worker 1 restarted/.test(c.stderr()), 10_000);
    server.setFault(null);
    server.releaseHanging();
    const { seen, final } = await sending;

    expect(final).toHaveLength(bodies.length);
    expect(final.every((s) => s === 200)).toBe(true);
    // The dead worker's requests got no answer ('network'); nothing but retryable answers otherwise.
    expect(seen).toContain('network');
    expect(seen.filter((s) => s !== 200).every((s) => RETRYABLE.includes(s))).toBe(true);
    const got = server.uniqueMessageIds();
    expect([...expected].filter((id) => !got.has(id))).toEqual([]);
    // Retried spans give the same messageIds, whichever worker translates them: nothing but the
    // expected ids reached the server.
    expect([...got].filter((id) => !expected.has(id))).toEqual([]);

    // The restarted worker serves, and the whole answers for both.
    const health = await fetch(`${c.url}/healthz`);
    expect(await health.text()).toBe('ok (2 of 2 workers)\n');
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toMatch(/^spantrack_collector_workers\{state="serving"\} 2$/m);
    expect(metrics).toMatch(/^spantrack_collector_queue_capacity 20000$/m);
    c.child.kill('SIGTERM');
    const [code] = (await once(c.child, 'exit')) as [number];
    expect(code).toBe(0);
  }, 60_000);
});

describe('SIGTERM with every worker busy', () => {
  it('every open request is answered once its events are delivered, every worker drains, exit 0', async () => {
    const c = await startCluster();
    const { bodies, expected } = workload('term', 8, 3);
    server.setFault({ hang: true });
    // One connection per request: node:cluster hands connections to the workers in turn.
    const answers = bodies.map((body) =>
      post(`${c.url}/v1/traces`, body, { 'content-type': 'application/x-protobuf' }),
    );
    const metricsText = async () => (await fetch(`${c.url}/metrics`)).text();
    await until(() => (server.stats().rejected.hang ?? 0) >= 2, 10_000);
    // Every request is inside a worker, waiting for its delivery.
    let queued = 0;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      queued = Number(/^spantrack_collector_queue_depth (\d+)$/m.exec(await metricsText())?.[1]);
      if (queued >= expected.size) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(queued).toBe(expected.size);

    c.child.kill('SIGTERM');
    await until(() => (c.stderr().match(/draining \(\d+ messages queued\)/g) ?? []).length === 2, 10_000);
    // Both workers held messages when the drain began.
    const perWorker = [
      ...c.stderr().matchAll(/\[worker (\d)\]: primary asked: draining \((\d+) messages queued\)/g),
    ];
    expect(perWorker.map((m) => m[1]).sort()).toEqual(['1', '2']);
    for (const m of perWorker) expect(Number(m[2])).toBeGreaterThan(0);

    await new Promise((r) => setTimeout(r, 300));
    // The outage ends: held deliveries fail fast (reset) and the sink's retry gets them through.
    server.setFault(null);
    server.releaseHanging();
    const statuses = (await Promise.all(answers)).map((a) => a.status);
    expect(statuses).toEqual(bodies.map(() => 200));
    const [code] = (await once(c.child, 'exit')) as [number];
    expect(code).toBe(0);
    const got = server.uniqueMessageIds();
    expect([...expected].filter((id) => !got.has(id))).toEqual([]);
    // The totals, once, from the primary: the workers print no summary of their own.
    expect(c.stderr()).toMatch(
      new RegExp(
        `^spantrack-collector: stopped: ${bodies.length} requests, \\d+ spans; events: ${expected.size} delivered, 0 failed, 0 queued \\(2 workers\\)$`,
        'm',
      ),
    );
    expect(c.stderr()).not.toMatch(/\[worker \d\]: stopped/);
  }, 60_000);
});

describe('OTLP/gRPC under node:cluster', () => {
  it('the workers share the gRPC port too: the real gRPC exporter, a connection each, all delivered', async () => {
    const c = await startCluster(['--grpc-port', '0']);
    const grpcUrl = /OTLP\/gRPC listening on ([^\s;]+)/.exec(c.stdout())![1]!;
    const batches = Array.from({ length: 6 }, (_, i) => agentTraces(2, `grpc${i}`));
    const expected = new Set(batches.flatMap((spans) => [...messageIds(spans)]));
    // Six exporters, six connections: node:cluster spreads them over both workers.
    const results = await Promise.all(
      batches.map(async (spans) => {
        const exporter = new GrpcExporter({ url: grpcUrl });
        const result = await new Promise<{ code: number }>((resolve) => exporter.export(spans, resolve));
        await exporter.shutdown();
        return result.code;
      }),
    );
    expect(results).toEqual(batches.map(() => 0));
    const got = server.uniqueMessageIds();
    expect([...expected].filter((id) => !got.has(id))).toEqual([]);
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toMatch(/^spantrack_collector_requests_total\{transport="grpc",outcome="ok"\} 6$/m);
    // The dashboards' figures of every worker, added up: one classification per trace.
    expect(metrics).toMatch(/^spantrack_ai_classifications_total\{intent="refund",channel="web"\} 12$/m);
    expect(metrics.match(/^# TYPE spantrack_ai_classifications_total counter$/gm)).toHaveLength(1);
    c.child.kill('SIGTERM');
    const [code] = (await once(c.child, 'exit')) as [number];
    expect(code).toBe(0);
  }, 30_000);
});

describe('cluster settings', () => {
  it('divides the queue and the body budget so that the parts add up to the totals', () => {
    const parts = divideLimits({ maxQueuedMessages: 20_001, maxBufferedBytes: 7 }, 3);
    expect(parts.map((p) => p.maxQueuedMessages)).toEqual([6667, 6667, 6667]);
    expect(parts.map((p) => p.maxBufferedBytes)).toEqual([3, 2, 2]);
    expect(() => divideLimits({ maxQueuedMessages: 2, maxBufferedBytes: 100 }, 3)).toThrow(
      /maxQueuedMessages.*3 workers/,
    );
  });

  it('resolves the worker count as option ?? SPANTRACK_COLLECTOR_WORKERS ?? the cores (1 with a store)', async () => {
    expect(resolveWorkers(undefined, {})).toBe(availableParallelism());
    expect(resolveWorkers(undefined, {}, false, 8)).toBe(8);
    expect(resolveWorkers(undefined, {}, 'events.duckdb', 8)).toBe(1);
    expect(resolveWorkers(undefined, { SPANTRACK_COLLECTOR_WORKERS: '1' }, ':memory:', 8)).toBe(1);
    expect(() => resolveWorkers(undefined, { SPANTRACK_COLLECTOR_WORKERS: '2' }, ':memory:', 8)).toThrow(
      /SPANTRACK_STORE: a store is owned by one process/,
    );
    expect(resolveWorkers(undefined, { SPANTRACK_COLLECTOR_WORKERS: '3' })).toBe(3);
    expect(resolveWorkers(1, { SPANTRACK_COLLECTOR_WORKERS: '3' })).toBe(1);
    expect(() => resolveWorkers(undefined, { SPANTRACK_COLLECTOR_WORKERS: 'two' })).toThrow(
      /SPANTRACK_COLLECTOR_WORKERS.*positive integer/,
    );
    expect(() => resolveWorkers(0, {})).toThrow(/workers/);
  });

  it('adds up the workers\u2019 figures for the summary line; a dead worker keeps its counts, not its queue', () => {
    const worker = (requests: number, queued: number, healthy: boolean): CollectorStats => ({
      ...emptyStats(),
      requests,
      spansReceived: requests * 4,
      messagesDelivered: requests * 3,
      queueDepth: queued,
      sinkHealthy: healthy,
      forward: {
        forwarded: requests,
        retries: 1,
        dropped: 0,
        failed: 0,
        duplicates: 0,
        queueBytes: 100,
        queueRequests: queued,
      },
    });
    const whole = mergeStats([worker(5, 2, true), worker(7, 3, false), retired(worker(4, 9, false))]);
    expect(whole).toMatchObject({
      requests: 16,
      spansReceived: 64,
      messagesDelivered: 48,
      queueDepth: 5,
      sinkHealthy: false,
      store: undefined,
    });
    expect(whole.forward).toEqual({
      forwarded: 16,
      retries: 3,
      dropped: 0,
      failed: 0,
      duplicates: 0,
      queueBytes: 200,
      queueRequests: 5,
    });
    expect(mergeStats([])).toEqual(emptyStats());
  });

  it('refuses --workers 0 with a clear message and exit code 2', async () => {
    const child = spawn(process.execPath, [CLI, '--workers', '0', '--sink', 'none'], { stdio: 'pipe' });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(err).toMatch(/SPANTRACK_COLLECTOR_WORKERS.*positive integer/);
  });

  it('merges the workers\u2019 metrics: counters and depths add up, health is the least healthy', () => {
    const worker = (delivered: number, healthy: number, depth: number) =>
      [
        '# HELP spantrack_collector_messages_delivered_total Delivered.',
        '# TYPE spantrack_collector_messages_delivered_total counter',
        `spantrack_collector_messages_delivered_total ${delivered}`,
        '# HELP spantrack_collector_requests_total Requests.',
        '# TYPE spantrack_collector_requests_total counter',
        ...(delivered > 5 ? ['spantrack_collector_requests_total{transport="grpc",outcome="ok"} 2'] : []),
        'spantrack_collector_requests_total{transport="http",outcome="ok"} 3',
        '# HELP spantrack_collector_queue_depth Depth.',
        '# TYPE spantrack_collector_queue_depth gauge',
        `spantrack_collector_queue_depth ${depth}`,
        '# HELP spantrack_collector_sink_healthy Healthy.',
        '# TYPE spantrack_collector_sink_healthy gauge',
        `spantrack_collector_sink_healthy ${healthy}`,
        '',
      ].join('\n');
    const merged = mergeMetricsText([worker(4, 1, 10), worker(6, 0, 5)]);
    expect(merged).toContain('spantrack_collector_messages_delivered_total 10\n');
    expect(merged).toContain('spantrack_collector_requests_total{transport="http",outcome="ok"} 6\n');
    expect(merged).toContain('spantrack_collector_requests_total{transport="grpc",outcome="ok"} 2\n');
    expect(merged).toContain('spantrack_collector_queue_depth 15\n');
    expect(merged).toContain('spantrack_collector_sink_healthy 0\n');
    // Each family once, its samples right after its HELP and TYPE.
    expect(merged.match(/# TYPE spantrack_collector_requests_total counter/g)).toHaveLength(1);
    const lines = merged.split('\n');
    const type = lines.indexOf('# TYPE spantrack_collector_requests_total counter');
    expect(lines[type + 1]).toMatch(/^spantrack_collector_requests_total\{/);
    expect(lines[type + 2]).toMatch(/^spantrack_collector_requests_total\{/);
  });
});
