import { spawn } from 'node:child_process';
import { type Collector, startCollector } from '@spantrack/collector';
import { type ReceivedMessage, type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';

/*
 * The path every example's end-to-end test takes, which is also the main job's: the example runs
 * in its own process under `node --import @spantrack/node/register`, sends its spans over real
 * OTLP/HTTP to a spantrack collector, and the collector delivers the events to a Segment-compatible
 * test server. The test then reads what that server accepted.
 */

export const WRITE_KEY = 'example-e2e-write-key';

export interface ExampleRun {
  /** What the Segment test server accepted, in order. */
  messages: ReceivedMessage[];
  /** messageIds accepted more than once (Segment would drop the copies). */
  duplicates: string[];
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

export interface RunExampleOptions {
  /** Messages to wait for at the server after the example exits. */
  expectedMessages: number;
  /** More environment for the example. */
  env?: Record<string, string>;
  /** Longest the example may run. @default 30,000 ms */
  timeoutMs?: number;
}

/** Runs `node --import @spantrack/node/register main.mjs` in `exampleDir` through a collector. */
export async function runExampleThroughCollector(
  exampleDir: string,
  options: RunExampleOptions,
): Promise<ExampleRun> {
  let server: SegmentServer | undefined;
  let collector: Collector | undefined;
  try {
    server = await startSegmentServer({ writeKey: WRITE_KEY, strict: true });
    collector = await startCollector({
      http: { host: '127.0.0.1', port: 0 },
      grpc: false,
      sink: { type: 'segment', writeKey: WRITE_KEY, host: server.url, flushIntervalMs: 20 },
      env: {},
    });
    const result = await runNode(
      exampleDir,
      ['--import', '@spantrack/node/register', 'main.mjs'],
      {
        ...cleanEnv(),
        OTEL_SERVICE_NAME: 'example-e2e',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.tracesUrl!,
        OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
        SPANTRACK_SINK: 'none',
        ...options.env,
      },
      options.timeoutMs ?? 30_000,
    );
    if (result.exitCode !== 0) {
      throw new Error(`example exited with ${result.exitCode}\n${result.stdout}\n${result.stderr}`);
    }
    // The collector answered each OTLP request after Segment accepted its events, so they are
    // there by now; wait a little all the same.
    await server.waitForMessages(options.expectedMessages, 10_000);
    return {
      ...result,
      messages: [...server.messages],
      duplicates: server.duplicateMessageIds(),
    };
  } finally {
    await collector?.close();
    await server?.close();
  }
}

/** The environment without any OTEL_/SPANTRACK_ variables of the caller's shell. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('OTEL_') && !k.startsWith('SPANTRACK_')) env[k] = v;
  }
  return env;
}

export function runNode(
  cwd: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, exitCode });
    });
  });
}

/** The accepted messages of one event name (track), or of `identify`. */
export function named(messages: readonly ReceivedMessage[], name: string): ReceivedMessage[] {
  return messages.filter((m) => (name === 'identify' ? m.type === 'identify' : m.event === name));
}

/** Counts per event name (`identify` for identify calls), sorted by name. */
export function countByName(messages: readonly ReceivedMessage[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of messages) {
    const name = m.type === 'identify' ? 'identify' : String(m.event);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** `properties` of a message, typed loosely for assertions. */
export function props(m: ReceivedMessage): Record<string, unknown> {
  return (m.properties ?? {}) as Record<string, unknown>;
}
