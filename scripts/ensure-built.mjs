// Builds every package (turbo caches, so this is quick when nothing changed).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureInstall } from './ensure-install.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
export const turboEnv = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };

export function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: turboEnv });
  return r.status ?? 1;
}

export function ensureBuilt(tasks = ['build']) {
  ensureInstall();
  const status = run('npx', ['turbo', 'run', ...tasks, '--output-logs=errors-only']);
  if (status !== 0) process.exit(status);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureBuilt();
