import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pseudonymizeUserId, SHARED_SETTINGS } from '@spantrack/processor';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CliProcess, runToExit } from './support/cli-process';
import { messageIds } from './support/expected';
import { agentTraces, toProtobuf } from './support/fixtures';
import { post } from './support/post';

/*
 * The settings shared with @spantrack/node, through the real command (build first): user-id
 * pseudonymisation from its flag and from its variable, against the Segment-compatible test
 * server, and the old spellings, each said once.
 */

const WRITE_KEY = 'shared-settings-key';
const SECRET = 'collector-secret';
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
  const cli = new CliProcess(['--http-port', '0', '--grpc-port', 'off', ...args], env);
  running.push(cli);
  return cli;
}

/** Sends `n` agent turns with user ids `user-<tag>-*` and returns what Segment received. */
async function deliver(cli: CliProcess, tag: string) {
  const [, url] = await cli.waitFor(/OTLP\/HTTP listening on (\S+)/);
  const spans = agentTraces(3, tag);
  expect((await post(`${url}/v1/traces`, toProtobuf(spans), PROTO)).status).toBe(200);
  await segment.waitForMessages(messageIds(spans).size);
  return segment.messages;
}

const segmentArgs = () => [
  '--sink',
  'segment',
  '--segment-write-key',
  WRITE_KEY,
  '--segment-host',
  segment.url,
];

describe('user-id pseudonymisation in the collector', () => {
  it('without a secret, user ids reach Segment as sent (the baseline the cases below change)', async () => {
    const messages = await deliver(spawnCli(segmentArgs()), 'plain');
    expect(messages.filter((m) => String(m.userId ?? '').startsWith('user-plain-')).length).toBeGreaterThan(
      0,
    );
  });

  it.each([
    ['--pseudonymize-secret', ['--pseudonymize-secret', SECRET], {}],
    ['SPANTRACK_PSEUDONYMIZE_SECRET', [], { SPANTRACK_PSEUDONYMIZE_SECRET: SECRET }],
  ] as const)(
    '%s: no raw user id reaches Segment, only HMAC-SHA256(secret, id)',
    async (_name, args, env) => {
      const tag = args.length > 0 ? 'flag' : 'env';
      const cli = spawnCli([...segmentArgs(), ...args], env);
      const messages = await deliver(cli, tag);
      // Nowhere in any message: not as userId, not inside a property or the context.
      expect(JSON.stringify(messages)).not.toContain(`user-${tag}-`);
      const expected = new Set([0, 1, 2].map((i) => pseudonymizeUserId(`user-${tag}-${i}`, SECRET)));
      const withUser = messages.filter((m) => m.userId !== undefined);
      expect(withUser.length).toBeGreaterThan(0);
      for (const m of withUser) expect(expected.has(String(m.userId))).toBe(true);
      // The secret is never printed.
      expect(cli.stdout + cli.stderr).not.toContain(SECRET);
    },
  );
});

describe('prices in the collector', () => {
  it('--prices FILE prices model calls from that file (cost_usd)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spantrack-prices-'));
    try {
      const file = join(dir, 'prices.json');
      // One US dollar per input token: a cost no shipped price gives.
      writeFileSync(file, JSON.stringify({ 'gpt-4o-mini': { input: 1_000_000, output: 0 } }));
      const messages = await deliver(spawnCli([...segmentArgs(), '--prices', file]), 'priced');
      const costs = messages.map((m) => (m.properties as { cost_usd?: number } | undefined)?.cost_usd);
      // The fixture's model calls have 100, 101 and 102 input tokens.
      expect(costs).toEqual(expect.arrayContaining([100, 101, 102]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing --prices file is one configuration error naming the flag and the variable, exit 2', async () => {
    const { code, stderr } = await runToExit(['--sink', 'none', '--prices', '/nonexistent/prices.json']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^spantrack-collector: --prices \/ SPANTRACK_PRICES: cannot read the price table/);
  });
});

describe('old spellings of shared settings', () => {
  it('each SPANTRACK_COLLECTOR_<NAME> spelling still works and is warned about once, with --workers 2 too', async () => {
    const cli = spawnCli(['--workers', '2', ...segmentArgs().slice(2)], {
      SPANTRACK_COLLECTOR_SINK: 'segment',
      SPANTRACK_COLLECTOR_SHUTDOWN_TIMEOUT_MS: '3000',
      SPANTRACK_COLLECTOR_QUIET: 'false',
    });
    const messages = await deliver(cli, 'old');
    expect(messages.length).toBeGreaterThan(0);
    for (const [old, setting] of [
      ['SPANTRACK_COLLECTOR_SINK', SHARED_SETTINGS.sink],
      ['SPANTRACK_COLLECTOR_SHUTDOWN_TIMEOUT_MS', SHARED_SETTINGS.shutdownTimeoutMillis],
      ['SPANTRACK_COLLECTOR_QUIET', SHARED_SETTINGS.quiet],
    ] as const) {
      const lines = cli.stderr.split('\n').filter((l) => l.includes(`${old} is deprecated`));
      expect(lines).toEqual([
        `spantrack-collector: ${old} is deprecated: use ${setting.env} (or --${setting.flag}), which @spantrack/node reads too`,
      ]);
    }
  });

  it('--sink null works as --sink none, with one warning', async () => {
    const cli = spawnCli(['--sink', 'null']);
    await cli.waitFor(/events to none/);
    expect(cli.stderr.split('\n').filter((l) => l.includes('deprecated'))).toEqual([
      'spantrack-collector: --sink / SPANTRACK_SINK: "null" is deprecated; use "none"',
    ]);
  });

  it('--help lists every shared flag', async () => {
    const { code, stdout } = await runToExit(['--help']);
    expect(code).toBe(0);
    for (const setting of Object.values(SHARED_SETTINGS))
      if (setting.flag !== undefined) expect(stdout).toContain(`--${setting.flag} `);
  });
});
