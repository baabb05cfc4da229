import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/*
 * SIGTERM with `setup()` in the app's code and no signal handler of the app's, against the built
 * package and the Segment-compatible test server: queued events are drained, and when Segment is
 * down or hangs the process still ends within the one shutdown deadline, saying what it could not
 * deliver.
 */

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = join(packageDir, 'test', 'fixtures', 'setup-long-running-agent.mjs');
const WRITE_KEY = 'shutdown-e2e-write-key';
const DEADLINE = 1_500;
/** Process teardown and a loaded 2-core machine; the deadline itself is what is measured. */
const SLACK = 1_000;

let segment: SegmentServer;

beforeAll(async () => {
  if (!existsSync(join(packageDir, 'dist', 'index.js'))) {
    throw new Error(
      'packages/node/dist is missing: build first (npx turbo run build --filter=@spantrack/node)',
    );
  }
  segment = await startSegmentServer({ writeKey: WRITE_KEY });
});
afterAll(async () => {
  await segment?.close();
});
beforeEach(() => {
  segment.reset();
});

interface Run {
  signal: NodeJS.Signals | null;
  code: number | null;
  output: string;
  /** Milliseconds from the signal to the exit. */
  exitMs: number;
}

async function startAgent(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; output: () => string }> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('OTEL_') && !k.startsWith('SPANTRACK_') && !k.startsWith('VITEST')) clean[k] = v;
  }
  const child = spawn(process.execPath, [FIXTURE], {
    cwd: packageDir,
    env: {
      ...clean,
      NODE_OPTIONS: '',
      OTEL_TRACES_EXPORTER: 'none',
      SPANTRACK_SEGMENT_WRITE_KEY: WRITE_KEY,
      SPANTRACK_SEGMENT_HOST: segment.url,
      SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS: String(DEADLINE),
      ...env,
    },
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  while (!output.includes('ready\n')) await once(child.stdout!, 'data');
  return { child, output: () => output };
}

async function terminate(child: ChildProcess, output: () => string): Promise<Run> {
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const sentAt = performance.now();
  child.kill('SIGTERM');
  const [code, signal] = await exited;
  return { code, signal, output: output(), exitMs: performance.now() - sentAt };
}

describe('SIGTERM with setup() and no handler of the app', () => {
  it('drains the queued events, then ends by the signal as Node would', async () => {
    const { child, output } = await startAgent({ AGENT_EVENTS: '3' });
    // Signalled at once: the events are still queued in the processor (not yet sent).
    const run = await terminate(child, output);
    expect(run.signal).toBe('SIGTERM');
    expect(segment.messages.filter((m) => m.event === 'ai.classification')).toHaveLength(3);
    expect(segment.duplicateMessageIds()).toEqual([]);
    expect(run.output).toBe('ready\n');
  });

  it('Segment hanging: exits within the deadline and says how many events were not delivered', async () => {
    segment.setFault({ hang: true });
    const { child, output } = await startAgent({ AGENT_EVENTS: '3' });
    const run = await terminate(child, output);
    expect(run.signal).toBe('SIGTERM');
    expect(run.exitMs).toBeLessThan(DEADLINE + SLACK);
    expect(run.output).toContain('3 analytics event(s) not delivered');
    expect(segment.messages).toHaveLength(0);
  });

  it('Segment answering 503: exits within the deadline and says how many events were not delivered', async () => {
    segment.setFault({ status: 503 });
    const { child, output } = await startAgent({ AGENT_EVENTS: '2' });
    const run = await terminate(child, output);
    expect(run.signal).toBe('SIGTERM');
    expect(run.exitMs).toBeLessThan(DEADLINE + SLACK);
    expect(run.output).toContain('2 analytics event(s) not delivered');
  });
});
