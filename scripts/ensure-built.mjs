// Builds every package (turbo caches, so this is quick when nothing changed). turbo's output is
// shown only when the build fails.
import { fileURLToPath } from 'node:url';
import { ensureInstall } from './ensure-install.mjs';
import { progress, runQuiet } from './quiet.mjs';

export function ensureBuilt(tasks = ['build']) {
  ensureInstall();
  progress(tasks.length === 1 && tasks[0] === 'build' ? 'building packages' : `running ${tasks.join(', ')}`);
  const status = runQuiet('npx', ['turbo', 'run', ...tasks, '--output-logs=errors-only']);
  if (status !== 0) process.exit(status);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureBuilt();
