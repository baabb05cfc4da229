// `npm run bench`: every benchmark of the project, one after the other.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let status = 0;
for (const bench of [
  'bench/instrumentation/index.mjs',
  'bench/processor/index.mjs',
  'bench/collector/index.mjs',
  'bench/insights/index.mjs',
]) {
  if (!existsSync(root + bench)) continue;
  console.log(`\n#### ${bench}`);
  const r = spawnSync(process.execPath, [root + bench], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
