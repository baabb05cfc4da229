import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CliProcess, NO_SINK_HTTP_ONLY, runToExit } from './support/cli-process';
import { messageIds } from './support/expected';
import { agentTraces, toProtobuf } from './support/fixtures';
import { OtlpBackend } from './support/otlp-backend';
import { freePort, waitUntilServing } from './support/ports';
import { post } from './support/post';

/*
 * The real command (bin/spantrack-collector.js → dist/cli.js) as a child process: build first.
 */

const WRITE_KEY = 'cli-key';
const PROTO = { 'content-type': 'application/x-protobuf' };
let segment: SegmentServer;
const running: CliProcess[] = [];

beforeAll(async () => {
  segment = await startSegmentServer({ writeKey: WRITE_KEY });
});
afterAll(() => segment?.close());
beforeEach(() => segment.reset());
afterEach(async () => {
  for (const cli of running.splice(0)) if (cli.child.exitCode === null) await cli.stop();
});

function spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const cli = new CliProcess(args, env);
  running.push(cli);
  return cli;
}

const SEGMENT_ARGS = () => [
  '--sink',
  'segment',
  '--segment-write-key',
  WRITE_KEY,
  '--segment-host',
  segment.url,
];

describe('configuration errors: one line naming the flag and the variable, exit 2, no stack trace', () => {
  const cases: [string, string[], Record<string, string>, string][] = [
    [
      'a bad port flag',
      ['--http-port', 'abc'],
      {},
      '--http-port / SPANTRACK_COLLECTOR_HTTP_PORT: expected a port 0-65535 or "off", got "abc"',
    ],
    [
      'the same from the variable',
      [],
      { SPANTRACK_COLLECTOR_HTTP_PORT: 'abc' },
      '--http-port / SPANTRACK_COLLECTOR_HTTP_PORT: expected a port 0-65535 or "off", got "abc"',
    ],
    [
      'a Segment sink without a write key',
      ['--sink', 'segment'],
      {},
      '--segment-write-key / SPANTRACK_SEGMENT_WRITE_KEY: a Segment write key is required for the segment sink',
    ],
    [
      'an unknown catalog',
      ['--catalogs', 'nope'],
      {},
      '--catalogs / SPANTRACK_CATALOGS: unknown catalog "nope"',
    ],
    [
      'a forwarding URL that is not http(s)',
      ['--forward-traces', 'ftp://backend'],
      {},
      '--forward-traces / SPANTRACK_COLLECTOR_FORWARD_TRACES: expected an http:// or https:// URL, got "ftp://backend"',
    ],
    [
      'a header without a name',
      ['--forward-traces', 'http://127.0.0.1:4319', '--forward-traces-header', '=v'],
      {},
      '--forward-traces-header / SPANTRACK_COLLECTOR_FORWARD_TRACES_HEADERS: expected name=value header pairs, got "=v"',
    ],
    [
      'a queue size of zero from the variable',
      [],
      {
        SPANTRACK_COLLECTOR_FORWARD_TRACES: 'http://127.0.0.1:4319',
        SPANTRACK_COLLECTOR_FORWARD_QUEUE_BYTES: '0',
      },
      '--forward-queue-bytes / SPANTRACK_COLLECTOR_FORWARD_QUEUE_BYTES: expected a positive integer, got "0"',
    ],
    [
      'an unknown log format',
      ['--log-format', 'xml'],
      {},
      '--log-format / SPANTRACK_COLLECTOR_LOG_FORMAT: expected text or json, got "xml"',
    ],
    [
      'a JSONL sink without a path',
      ['--sink', 'jsonl'],
      {},
      '--jsonl-path / SPANTRACK_JSONL_PATH: a file path is required for the jsonl sink',
    ],
    [
      'a metrics endpoint that is not a URL',
      ['--metrics-otlp-endpoint', 'localhost:4318'],
      {},
      '--metrics-otlp-endpoint / SPANTRACK_COLLECTOR_METRICS_OTLP_ENDPOINT: expected an http:// or https:// URL, got "localhost:4318"',
    ],
    [
      'a metrics export interval of zero',
      ['--metrics-export-interval-ms', '0'],
      {},
      '--metrics-export-interval-ms / SPANTRACK_COLLECTOR_METRICS_EXPORT_INTERVAL_MS: expected a positive integer, got "0"',
    ],
  ];

  it.each(cases)('%s', async (_name, args, env, message) => {
    // Free ports in case the error were not caught before listening (flags win over variables).
    const ports = [
      ...(args.includes('--http-port') || env.SPANTRACK_COLLECTOR_HTTP_PORT ? [] : ['--http-port', '0']),
      '--grpc-port',
      '0',
    ];
    const { code, stdout, stderr } = await runToExit([...args, ...ports], env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`spantrack-collector: ${message}`);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown flag', async () => {
    const { code, stderr } = await runToExit(['--http-prot', '1']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^spantrack-collector: Unknown option '--http-prot'.*\(try --help\)\n$/);
  });

  it('with --log-format json, the error is one JSON object', async () => {
    const { code, stderr } = await runToExit(['--log-format', 'json', '--max-request-bytes', 'lots']);
    expect(code).toBe(2);
    const event = JSON.parse(stderr);
    expect(event).toMatchObject({
      level: 'error',
      msg: 'configuration error',
      setting: '--max-request-bytes / SPANTRACK_COLLECTOR_MAX_REQUEST_BYTES',
    });
    expect(Date.parse(event.time)).not.toBeNaN();
  });
});

describe('a port already in use', () => {
  it('is one line naming the flag, exit 1', async () => {
    const port = await freePort();
    const taken = createServer().listen(port, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const { code, stderr } = await runToExit([
        '--sink',
        'none',
        '--http-port',
        String(port),
        '--grpc-port',
        '0',
      ]);
      expect(code).toBe(1);
      expect(stderr).toBe(
        `spantrack-collector: could not start: --http-port / SPANTRACK_COLLECTOR_HTTP_PORT: 127.0.0.1:${port} is already in use (0 picks a free port)\n`,
      );
      const grpc = await runToExit(['--sink', 'none', '--http-port', '0', '--grpc-port', String(port)]);
      expect(grpc.code).toBe(1);
      expect(grpc.stderr).toBe(
        `spantrack-collector: could not start: --grpc-port / SPANTRACK_COLLECTOR_GRPC_PORT: 127.0.0.1:${port} is already in use (0 picks a free port)\n`,
      );
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});

describe('a collector that says what it does', () => {
  it('prints a startup line, then a summary line only when a figure changed, and a last line on SIGTERM', async () => {
    const cli = spawnCli([
      ...SEGMENT_ARGS(),
      '--http-port',
      '0',
      '--grpc-port',
      '0',
      '--summary-interval-ms',
      '150',
    ]);
    const [, httpUrl] = await cli.waitFor(/OTLP\/HTTP listening on (\S+)/);
    expect(cli.stdout).toMatch(
      /^spantrack-collector: OTLP\/HTTP listening on http:\/\/127\.0\.0\.1:\d+ \(POST \/v1\/traces\), OTLP\/gRPC listening on http:\/\/127\.0\.0\.1:\d+; events to segment http:\/\/127\.0\.0\.1:\d+\/v1\/batch \(ack after delivery\); traces not forwarded \(--forward-traces URL sends them to a trace backend\)\n$/,
    );
    // Idle: nothing changes, nothing is printed.
    await new Promise((r) => setTimeout(r, 500));
    expect(cli.stderr).toBe('');

    const spans = agentTraces(3, 'cli-summary');
    expect((await post(`${httpUrl}/v1/traces`, toProtobuf(spans), PROTO)).status).toBe(200);
    const events = messageIds(spans).size;
    await cli.waitFor(new RegExp(`1 requests, 12 spans; events: ${events} delivered, 0 failed, 0 queued\\n`));
    // Nothing new since: no further summary line.
    const printed = cli.stderr.match(/requests, /g)!.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(cli.stderr.match(/requests, /g)).toHaveLength(printed);

    expect(await cli.stop()).toBe(0);
    expect(cli.stderr).toContain('spantrack-collector: SIGTERM: draining\n');
    expect(cli.stderr).toContain(
      `spantrack-collector: stopped: 1 requests, 12 spans; events: ${events} delivered`,
    );
  });

  it.runIf(existsSync('/proc/self/wchan'))(
    'a SIGTERM while it starts: it finishes starting, drains, and exits 0',
    async () => {
      // The price table is a FIFO nobody writes to yet: the collector blocks opening it, half
      // started. The signal arrives exactly then; a supervisor may send it at any moment, and a
      // collector that has begun opening its store and ports must close them, not die mid-way.
      const dir = mkdtempSync(join(tmpdir(), 'cli-early-signal-'));
      const prices = join(dir, 'prices.json');
      execFileSync('mkfifo', [prices]);
      try {
        const cli = spawnCli([
          ...NO_SINK_HTTP_ONLY,
          '--store',
          join(dir, 'events.duckdb'),
          '--prices',
          prices,
        ]);
        const deadline = Date.now() + 15_000;
        while (!/fifo|partner/.test(readFileSync(`/proc/${cli.child.pid}/wchan`, 'utf8'))) {
          expect(cli.child.exitCode).toBeNull();
          expect(Date.now()).toBeLessThan(deadline);
          await new Promise((r) => setTimeout(r, 5));
        }
        cli.child.kill('SIGTERM');
        await new Promise((r) => setTimeout(r, 100));
        expect(cli.child.exitCode).toBeNull();
        // Non-blocking: if the process is gone, there is no reader and this throws (ENXIO).
        const fd = openSync(prices, constants.O_WRONLY | constants.O_NONBLOCK);
        writeSync(fd, '{"m-early": {"input": 1, "output": 2}}');
        closeSync(fd);
        expect(await cli.exited).toBe(0);
        expect(cli.stdout).toMatch(/^spantrack-collector: OTLP\/HTTP listening on /);
        expect(cli.stderr).toContain('spantrack-collector: SIGTERM: draining\n');
        expect(cli.stderr).toMatch(/spantrack-collector: stopped: 0 requests/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('--log-format json: one object per line with time, level and msg', async () => {
    const backend = await new OtlpBackend().start();
    try {
      const cli = spawnCli(
        [
          ...SEGMENT_ARGS(),
          '--http-port',
          '0',
          '--grpc-port',
          'off',
          '--log-format',
          'json',
          '--summary-interval-ms',
          '100',
        ],
        { SPANTRACK_COLLECTOR_FORWARD_TRACES: backend.url },
      );
      await cli.waitFor(/"msg":"started"/);
      const started = JSON.parse(cli.stderr.split('\n')[0]!);
      expect(started).toMatchObject({
        level: 'info',
        msg: 'started',
        grpc_url: null,
        ack: 'delivered',
        forward_traces: `${backend.url}/v1/traces`,
      });
      expect(started.traces_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/traces$/);
      expect(cli.stdout).toBe('');
      expect((await post(started.traces_url, toProtobuf(agentTraces(1, 'cli-json')), PROTO)).status).toBe(
        200,
      );
      await cli.waitFor(/"msg":"summary","requests":1,.*"forwarded":1/);
      expect(await cli.stop()).toBe(0);
      const lines = cli.stderr.trimEnd().split('\n');
      for (const line of lines) {
        const event = JSON.parse(line);
        expect(Object.keys(event).slice(0, 3)).toEqual(['time', 'level', 'msg']);
        expect(Date.parse(event.time)).not.toBeNaN();
      }
      expect(lines.map((l) => JSON.parse(l).msg)).toEqual(
        expect.arrayContaining(['started', 'summary', 'stopping', 'stopped']),
      );
      const summary = lines
        .map((l) => JSON.parse(l))
        .find((e) => e.msg === 'summary' && e.requests === 1 && e.forwarded === 1);
      expect(summary).toMatchObject({
        requests: 1,
        spans: 4,
        events_failed: 0,
        queue_depth: 0,
        forward_failed: 0,
      });
    } finally {
      await backend.stop();
    }
  });

  it('--quiet prints nothing while all is well', async () => {
    const port = await freePort();
    const cli = spawnCli([
      '--sink',
      'none',
      '--http-port',
      String(port),
      '--grpc-port',
      '0',
      '--quiet',
      '--summary-interval-ms',
      '100',
    ]);
    await waitUntilServing(`http://127.0.0.1:${port}/healthz`);
    const answer = await post(
      `http://127.0.0.1:${port}/v1/traces`,
      toProtobuf(agentTraces(1, 'quiet')),
      PROTO,
    );
    expect(answer.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(await cli.stop()).toBe(0);
    expect(cli.stdout).toBe('');
    expect(cli.stderr).toBe('');
  });
});

describe('forwarding from the command line', () => {
  it('--forward-traces and --forward-traces-header: the backend gets the bytes; the startup line names it', async () => {
    const backend = await new OtlpBackend().start();
    try {
      const cli = spawnCli([
        ...SEGMENT_ARGS(),
        '--http-port',
        '0',
        '--grpc-port',
        'off',
        '--forward-traces',
        backend.url,
        '--forward-traces-header',
        'authorization=Bearer abc',
        '--forward-traces-header',
        'x-tenant=t%2C1',
      ]);
      const [, httpUrl] = await cli.waitFor(/OTLP\/HTTP listening on (\S+)/);
      expect(cli.stdout).toContain(`traces forwarded to ${backend.url}/v1/traces\n`);
      const spans = agentTraces(2, 'cli-forward');
      const body = toProtobuf(spans);
      expect((await post(`${httpUrl}/v1/traces`, body, PROTO)).status).toBe(200);
      await backend.waitFor(1);
      expect(backend.received[0]!.body.equals(body)).toBe(true);
      expect(backend.received[0]!.headers).toMatchObject({ authorization: 'Bearer abc', 'x-tenant': 't,1' });
      for (const id of messageIds(spans)) expect(segment.uniqueMessageIds().has(id)).toBe(true);
      const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
      expect(metrics).toContain('spantrack_collector_forward_requests_total{result="forwarded"} 1');
      expect(await cli.stop()).toBe(0);
    } finally {
      await backend.stop();
    }
  });

  it('a failing backend is reported once as a warning, and its recovery', async () => {
    const backend = await new OtlpBackend().start();
    backend.setFault({ status: 503, times: 2 });
    try {
      const cli = spawnCli([
        '--sink',
        'none',
        '--http-port',
        '0',
        '--grpc-port',
        'off',
        '--forward-traces',
        backend.url,
      ]);
      const [, httpUrl] = await cli.waitFor(/OTLP\/HTTP listening on (\S+)/);
      expect((await post(`${httpUrl}/v1/traces`, toProtobuf(agentTraces(1, 'cli-warn')), PROTO)).status).toBe(
        200,
      );
      await backend.waitFor(1);
      await cli.waitFor(/trace backend recovered/);
      expect(cli.stderr.match(/trace backend failing, retrying: 503/g)).toHaveLength(1);
      expect(await cli.stop()).toBe(0);
    } finally {
      await backend.stop();
    }
  });
});
