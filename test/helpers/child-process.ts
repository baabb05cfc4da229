import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/*
 * Child processes of the tests that pack, publish and install the packages (npm, node, npx), run
 * as a user would run them: outside the monorepo's environment.
 */

const execFileAsync = promisify(execFile);

/**
 * The environment of the child processes: none of the caller's OTel/spantrack settings, node
 * options or npm workspace context, which would change what a consumer loads or prints; `extra`
 * on top.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const keepNpm = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig']);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k.startsWith('OTEL_') || k.startsWith('SPANTRACK_')) continue;
    if (k === 'NODE_OPTIONS' || k === 'NODE_PATH' || k === 'INIT_CWD') continue;
    if (k.toLowerCase().startsWith('npm_') && !keepNpm.has(k.toLowerCase())) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** How a child process ended: its exit code (-1 when it did not exit by itself) and its output. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmd` in `cwd` with {@link childEnv} plus `env`; never rejects (a failure is in `code`). */
export async function run(
  cmd: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  env: Record<string, string> = {},
): Promise<Ran> {
  try {
    const { stdout, stderr } = await execFileAsync(cmd, args, {
      cwd,
      env: childEnv(env),
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string; message?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: `${e.stderr ?? ''}\n${e.message ?? ''}`,
    };
  }
}

/** A failed run, for an error message: what ran, its exit code and all its output. */
export function describeRun(what: string, r: Ran): string {
  return `${what} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Every string target of a package.json `exports` value. */
export function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}
