// `npm start`: the main job. Builds when needed, then runs the demo agent.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './ensure-built.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
ensureBuilt();
const r = spawnSync(process.execPath, ['examples/quickstart/index.mjs'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
