import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Validates every message the processor produces in any test against the tracking plans. */
const VALIDATE_MESSAGES = fileURLToPath(new URL('./test/setup/validate-messages.ts', import.meta.url));

/** Every directory with its own vitest.config.ts among the workspaces and the cross-package tests. */
function projectDirs(): string[] {
  const dirs = ['test'];
  for (const parent of ['packages', 'test/support', 'examples']) {
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      if (entry.isDirectory()) dirs.push(`${parent}/${entry.name}`);
    }
  }
  return dirs.filter((dir) => existsSync(`${dir}/vitest.config.ts`)).sort();
}

// One run over every package, the cross-package tests and the examples, so the totals printed by
// `npm test` are the sum of all of them. Each project keeps its own config and gains the setup file.
export default defineConfig({
  test: {
    projects: projectDirs().map((dir) => ({
      extends: `./${dir}/vitest.config.ts`,
      test: { root: `./${dir}`, setupFiles: [VALIDATE_MESSAGES] },
    })),
  },
});
