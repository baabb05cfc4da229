// Installs the workspace's dependencies when they are missing or older than package-lock.json,
// so `npm start` and `npm test` work straight after a clone.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const lock = `${root}package-lock.json`;
const installed = `${root}node_modules/.package-lock.json`;

export function ensureInstall() {
  const stale = !existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs;
  if (!stale) return;
  console.log('[spantrack] installing dependencies (npm ci)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureInstall();
