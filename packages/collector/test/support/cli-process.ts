import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The command as npm links it (the committed entry point that loads the built CLI). */
export const BIN = fileURLToPath(new URL('../../bin/spantrack-collector.js', import.meta.url));

/** The caller's environment without any collector setting, so that only the test's own apply. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('SPANTRACK_') && k !== 'SEGMENT_WRITE_KEY') env[k] = v;
  }
  return { ...env, ...extra };
}

/** A running CLI process and everything it printed so far. */
/** No sink, an HTTP port the system picks, no gRPC: a collector that needs nothing else. */
export const NO_SINK_HTTP_ONLY = ['--sink', 'none', '--http-port', '0', '--grpc-port', 'off'] as const;

export class CliProcess {
  stdout = '';
  stderr = '';
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  /**
   * Runs one process (`--workers 1`) unless `args` or `env` set the worker count, or
   * `defaultWorkers` asks for the collector's own default (one worker per core).
   */
  constructor(args: string[], env: Record<string, string> = {}, defaultWorkers = false) {
    const chosen = defaultWorkers || args.includes('--workers') || 'SPANTRACK_COLLECTOR_WORKERS' in env;
    this.child = spawn(process.execPath, [BIN, ...(chosen ? [] : ['--workers', '1']), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cleanEnv(env),
    });
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      this.stdout += c;
    });
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      this.stderr += c;
    });
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  /** Resolves with the first match of `pattern` in stdout + stderr; rejects on exit or after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    for (;;) {
      const match = pattern.exec(`${this.stdout}${this.stderr}`);
      if (match) return match;
      if (exited || Date.now() > deadline)
        throw new Error(`no ${pattern} in output:\n${this.stdout}\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** SIGTERM, then the exit code. */
  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** Runs the CLI to its exit (for invalid configurations). */
export async function runToExit(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = new CliProcess(args, env);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), 10_000);
  const code = await cli.exited;
  clearTimeout(timer);
  return { code, stdout: cli.stdout, stderr: cli.stderr };
}
