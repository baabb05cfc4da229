// Installs the workspace's dependencies when they are missing or older than package-lock.json,
// so `npm start` and `npm test` work straight after a clone.
//
// `npm ci` first. The registry this project is built against serves only this platform's optional
// binaries (biome, rollup, esbuild, turbo for linux-x64), so the lock file cannot list the other
// platforms' ones, and some npm versions' `npm ci` then refuses the lock file as out of sync. In
// that case `npm install` installs the same locked versions; CI checks the lock file is unchanged.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const lock = `${root}package-lock.json`;
const installed = `${root}node_modules/.package-lock.json`;

const npm = (args) =>
  spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' }).status ?? 1;

export function ensureInstall(force = false) {
  const stale = force || !existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs;
  if (!stale) return;
  console.log('[spantrack] installing dependencies (npm ci)');
  if (npm(['ci']) === 0) return;
  console.log('[spantrack] npm ci refused the lock file; installing the locked versions with npm install');
  const status = npm(['install']);
  if (status !== 0) process.exit(status);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureInstall(process.argv.includes('--force'));
