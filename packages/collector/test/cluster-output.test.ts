import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CliProcess } from './support/cli-process';
import { messageIds } from './support/expected';
import { agentTraces, toProtobuf } from './support/fixtures';
import { freePort, waitUntilServing } from './support/ports';
import { post } from './support/post';

/*
 * What `spantrack-collector` with several workers prints and writes as a whole: one summary line
 * (the primary's, the workers print none), the totals once on SIGTERM, and a JSONL file that
 * several workers append to with no line ever split or mixed with another.
 */

const dir = mkdtempSync(join(tmpdir(), 'spantrack-cluster-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const running: CliProcess[] = [];
afterEach(async () => {
  for (const cli of running.splice(0)) if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
});

function spawnCli(args: string[]): CliProcess {
  const cli = new CliProcess([
    '--grpc-port',
    'off',
    ...(args.includes('--http-port') ? [] : ['--http-port', '0']),
    ...args,
  ]);
  running.push(cli);
  return cli;
}

const PROTO = { 'content-type': 'application/x-protobuf' };

/** JSON log objects on stderr. */
const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('several workers, one JSONL file', () => {
  it('every line is whole: two workers appending large batches at once, each line parses', async () => {
    const path = join(dir, 'events.jsonl');
    const cli = spawnCli(['--workers', '2', '--sink', 'jsonl', '--jsonl-path', path, '--ack', 'delivered']);
    const url = (await cli.waitFor(/OTLP\/HTTP listening on (\S+)/))[1]!;
    await cli.waitFor(/2 workers \(pids/);
    // 3 rounds of 8 requests of 40 traces, each on its own connection: node:cluster hands them to
    // both workers in turn, so both write batches of over a hundred lines at the same moments.
    const expected = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const batches = Array.from({ length: 8 }, (_, i) => agentTraces(40, `jsonl${round}-${i}-`));
      for (const spans of batches) for (const id of messageIds(spans)) expected.add(id);
      const answers = await Promise.all(
        batches.map((spans) => post(`${url}/v1/traces`, toProtobuf(spans), PROTO)),
      );
      expect(answers.map((a) => a.status)).toEqual(batches.map(() => 200));
    }
    expect(await cli.stop()).toBe(0);

    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    // JSON.parse throws on a line cut short or two lines run together.
    const ids = lines.map((line) => (JSON.parse(line) as { messageId: string }).messageId);
    expect(lines).toHaveLength(expected.size);
    expect(new Set(ids)).toEqual(expected);
    // Both workers took part: the primary's totals count every request.
    expect(cli.stderr).toMatch(
      /stopped: 24 requests, \d+ spans; events: \d+ delivered, 0 failed, 0 queued \(2 workers\)/,
    );
    expect(cli.stderr).toMatch(/\[worker 1\]: primary asked: draining/);
    expect(cli.stderr).toMatch(/\[worker 2\]: primary asked: draining/);
  }, 60_000);
});

describe('the summary line of the whole', () => {
  it('--log-format json: one summary stream from the primary, figures of every worker, totals once at the end', async () => {
    const cli = spawnCli([
      '--workers',
      '2',
      '--sink',
      'none',
      '--log-format',
      'json',
      '--summary-interval-ms',
      '100',
    ]);
    const started = await cli.waitFor(/"msg":"workers started"/);
    expect(started).toBeDefined();
    const url = jsonLines(cli.stderr).find((e) => e.msg === 'started')!.http_url as string;
    const batches = Array.from({ length: 6 }, (_, i) => agentTraces(2, `summary${i}-`));
    const spans = batches.reduce((n, b) => n + b.length, 0);
    const events = batches.reduce((n, b) => n + messageIds(b).size, 0);
    const answers = await Promise.all(batches.map((b) => post(`${url}/v1/traces`, toProtobuf(b), PROTO)));
    expect(answers.map((a) => a.status)).toEqual(batches.map(() => 200));
    await cli.waitFor(new RegExp(`"msg":"summary","requests":6,"spans":${spans},`));
    expect(await cli.stop()).toBe(0);

    const logged = jsonLines(cli.stderr);
    const summaries = logged.filter((e) => e.msg === 'summary');
    // Only the primary summarises (no `worker` field), and the whole: the last line has every request.
    expect(summaries.every((e) => e.worker === undefined)).toBe(true);
    expect(summaries.at(-1)).toMatchObject({ level: 'info', requests: 6, spans, events_delivered: events });
    const stopped = logged.filter((e) => e.msg === 'stopped');
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toMatchObject({
      requests: 6,
      spans,
      events_delivered: events,
      events_failed: 0,
      workers: 2,
    });
    // The workers' own lines are JSON too, each naming its worker.
    const draining = logged.filter((e) => e.msg === 'stopping' && e.worker !== undefined);
    expect(draining.map((e) => e.worker).sort()).toEqual([1, 2]);
    expect(cli.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'))).toEqual([]);
  }, 30_000);

  it('--quiet: no summary, no startup line, from the primary or the workers', async () => {
    const port = await freePort();
    const cli = spawnCli([
      '--workers',
      '2',
      '--http-port',
      String(port),
      '--sink',
      'none',
      '--quiet',
      '--summary-interval-ms',
      '100',
    ]);
    const url = `http://127.0.0.1:${port}`;
    await waitUntilServing(`${url}/healthz`);
    const answer = await post(`${url}/v1/traces`, toProtobuf(agentTraces(2, 'quiet-')), PROTO);
    expect(answer.status).toBe(200);
    // Several summary rounds pass with changed figures: none is printed.
    await new Promise((r) => setTimeout(r, 500));
    expect(await cli.stop()).toBe(0);
    expect(cli.stdout).toBe('');
    expect(cli.stderr).toBe('');
  }, 30_000);
});

describe('a worker that cannot start', () => {
  it('a port taken: the reason once, naming the flag, exit 1', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as AddressInfo;
    try {
      const cli = spawnCli(['--workers', '2', '--http-port', String(port), '--sink', 'none']);
      expect(await cli.exited).toBe(1);
      const reason = `--http-port / SPANTRACK_COLLECTOR_HTTP_PORT: 127.0.0.1:${port} is already in use (0 picks a free port)`;
      expect(cli.stderr.split(reason)).toHaveLength(2);
      expect(cli.stderr).toContain(`spantrack-collector: could not start: ${reason}\n`);
      expect(cli.stdout).toBe('');
    } finally {
      taken.close();
    }
  }, 30_000);
});

describe('the default worker count', () => {
  it('without --workers: one worker per core; with --store: one process', async () => {
    const cores = availableParallelism();
    const cli = new CliProcess(['--http-port', '0', '--grpc-port', 'off', '--sink', 'none'], {}, true);
    running.push(cli);
    if (cores > 1) await cli.waitFor(new RegExp(`${cores} workers \\(pids`));
    else await cli.waitFor(/OTLP\/HTTP listening on/);
    expect(await cli.stop()).toBe(0);

    const stored = new CliProcess(
      ['--http-port', '0', '--grpc-port', 'off', '--sink', 'none', '--store', ':memory:'],
      {},
      true,
    );
    running.push(stored);
    await stored.waitFor(/dashboard at/);
    expect(await stored.stop()).toBe(0);
    expect(stored.stderr).not.toMatch(/workers \(pids/);
  }, 30_000);
});
