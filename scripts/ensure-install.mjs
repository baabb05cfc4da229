// Installs the workspace's dependencies when they are missing or older than package-lock.json,
// so `npm start` and `npm test` work straight after a clone. npm's output is shown only when it
// fails.
//
// `npm ci` installs exactly the lock file. The lock lists every platform's optional binaries, so
// `npm ci` accepts it on any platform. If some npm version still refuses it, a local run falls back
// to `npm install --no-save` (the locked versions, and package-lock.json left as it is); CI
// (`--force`, used by .ci/run) does not: a lock that `npm ci` refuses fails CI.
//
// Install scripts: root package.json `allowScripts` denies the two dependencies that have one.
// Neither is needed here: esbuild's postinstall only swaps its JS launcher for the native binary of
// the already installed @esbuild/<platform> package, and protobufjs's only checks its CLI's version.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { progress, root, runQuiet } from './quiet.mjs';

const lock = `${root}package-lock.json`;
const installed = `${root}node_modules/.package-lock.json`;

const npm = (args) => runQuiet('npm', [...args, '--no-audit', '--no-fund']);

export function ensureInstall(force = false) {
  const stale = force || !existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs;
  if (!stale) return;
  progress('installing dependencies (npm ci)');
  if (npm(['ci']) === 0) return;
  if (force) {
    progress('npm ci failed (output above): is package-lock.json in sync with package.json?');
    process.exit(1);
  }
  progress('npm ci failed (output above); installing the locked versions with npm install --no-save');
  const status = npm(['install', '--no-save']);
  if (status !== 0) process.exit(status);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureInstall(process.argv.includes('--force'));
