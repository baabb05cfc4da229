// Runs a tool with its output held back: printed only when the tool fails, so a first run shows
// spantrack's own progress lines and nothing else unless something goes wrong.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** The environment of every tool: no turbo telemetry notice. */
export const toolEnv = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };

/** One progress line, in the same form everywhere. */
export function progress(line) {
  process.stdout.write(`[spantrack] ${line}\n`);
}

/**
 * Runs `cmd args` in the repository root with stdout and stderr captured. On failure the captured
 * output is printed (stderr of this process), so the reason is never hidden.
 * @returns {number} the exit status (1 when the tool could not be started or was killed)
 */
export function runQuiet(cmd, args) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    env: toolEnv,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const status = r.status ?? 1;
  if (status !== 0) {
    process.stderr.write(`[spantrack] \`${[cmd, ...args].join(' ')}\` failed (exit ${status}):\n`);
    if (r.error) process.stderr.write(`${r.error.message}\n`);
    process.stderr.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
  }
  return status;
}

/** Runs `cmd args` in the repository root with its output shown as it comes (the tests' own). */
export function runShown(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: toolEnv });
  return r.status ?? 1;
}
