import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
/** Validates every message the processor produces in any test against the tracking plans. */
const VALIDATE_MESSAGES = join(root, 'test/setup/validate-messages.ts');

/** Every directory with its own vitest.config.ts among the workspaces and the cross-package tests. */
function projectDirs(): string[] {
  const dirs = ['test'];
  for (const parent of ['packages', 'test/support', 'examples']) {
    for (const entry of readdirSync(join(root, parent), { withFileTypes: true })) {
      if (entry.isDirectory()) dirs.push(`${parent}/${entry.name}`);
    }
  }
  return dirs.filter((dir) => existsSync(join(root, dir, 'vitest.config.ts'))).sort();
}

// One run over every package, the cross-package tests and the examples, so the totals printed by
// `npm test` are the sum of all of them. Each project keeps its own config and gains the setup file.
export default defineConfig({
  test: {
    projects: projectDirs().map((dir) => ({
      extends: join(root, dir, 'vitest.config.ts'),
      test: { root: join(root, dir), setupFiles: [VALIDATE_MESSAGES] },
    })),
  },
});
