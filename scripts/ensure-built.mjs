// Builds every package (turbo caches, so this is quick when nothing changed). turbo's output is
// shown only when the build fails.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureInstall } from './ensure-install.mjs';
import { progress, root, runQuiet } from './quiet.mjs';

export function ensureBuilt(tasks = ['build']) {
  ensureInstall();
  progress(tasks.length === 1 && tasks[0] === 'build' ? 'building packages' : `running ${tasks.join(', ')}`);
  const status = runQuiet('npx', ['turbo', 'run', ...tasks, '--output-logs=errors-only']);
  if (status !== 0) process.exit(status);
  linkBins();
}

/**
 * The workspaces' command-line tools (`spantrack-collector`, ...) point into their dist. On a fresh
 * clone `npm ci` runs before the first build, finds no dist and links none of them, so `npx
 * spantrack-collector` would go looking on the registry; once built, `npm rebuild` links them.
 */
export function linkBins() {
  const missing = workspaceBins().filter((name) => !existsSync(`${root}node_modules/.bin/${name}`));
  if (missing.length === 0) return;
  progress(`linking ${missing.join(', ')}`);
  const status = runQuiet('npm', ['rebuild', '--ignore-scripts', '--no-audit', '--no-fund']);
  if (status !== 0) process.exit(status);
}

/** The `bin` names of every workspace package. */
function workspaceBins() {
  const { workspaces } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
  const names = [];
  for (const pattern of workspaces) {
    const parent = pattern.replace(/\/\*$/, '');
    for (const dir of readdirSync(`${root}${parent}`, { withFileTypes: true })) {
      const manifest = `${root}${parent}/${dir.name}/package.json`;
      if (!dir.isDirectory() || !existsSync(manifest)) continue;
      const { bin } = JSON.parse(readFileSync(manifest, 'utf8'));
      if (bin && typeof bin === 'object') names.push(...Object.keys(bin));
    }
  }
  return names;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureBuilt();
