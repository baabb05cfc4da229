// `npm test`: install and build when needed, type-check and lint every package, run every test of
// every package in one vitest run, and end with the plain line `N passed, N failed`.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { linkBins } from './ensure-built.mjs';
import { ensureInstall } from './ensure-install.mjs';
import { progress, runQuiet, runShown } from './quiet.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const results = `${root}.vitest-results.json`;

ensureInstall();
// The packages build and lint themselves (turbo `build`, `lint`); the cross-package tests,
// benchmarks, examples and scripts are checked here. A failure still ends with the closing line.
// The tools' output is shown only when they fail.
for (const [what, cmd, args] of [
  [
    'building, type-checking and linting the packages',
    'npx',
    ['turbo', 'run', 'build', 'lint', '--output-logs=errors-only'],
  ],
  ['type-checking the cross-package tests', 'npx', ['tsc', '--noEmit', '-p', 'test']],
  [
    'linting tests, benchmarks, examples and scripts',
    'npx',
    ['biome', 'check', 'test', 'bench', 'examples', 'scripts'],
  ],
]) {
  progress(what);
  const code = runQuiet(cmd, args);
  if (code !== 0) {
    console.log('0 passed, 1 failed');
    process.exit(code);
  }
}
linkBins();
rmSync(results, { force: true });
progress('running the tests');
const status = runShown('npx', [
  'vitest',
  'run',
  ...process.argv.slice(2),
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${results}`,
]);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = r.numPendingTests + r.numTodoTests;
  // A test file that fails to load has no tests, but is a failure all the same.
  failed += r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
} else {
  failed = 1;
  console.error('vitest wrote no results');
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(status !== 0 ? status : failed > 0 ? 1 : 0);
