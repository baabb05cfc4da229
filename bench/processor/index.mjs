// `bench/processor`: every figure of the processor from one run, each part in its own process so
// one part's heap does not weigh on the next.
//   1. overhead.mjs: per-span cost with and without the AnalyticsSpanProcessor (target ratio <= 1.25)
//   2. pipeline.mjs: translation throughput on one core to a memory sink (target >= 200,000 spans/s)
//   3. delivery.mjs: Segment delivery to the test server in another process (target >= 50,000
//      events/s with requests averaging >= 400 KB), and CPU per delivered event
//   4. figures.mjs: the dashboards' figures as OpenTelemetry metrics, CPU per message (target <= 5,000 ns)
// Imports the built packages: `npm run bench` builds first. `--quick`: short runs.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
let failed = false;
const quick = process.argv.includes('--quick');
const parts = {
  'overhead.mjs': quick ? ['--quick'] : [],
  'pipeline.mjs': quick ? ['1'] : [],
  'delivery.mjs': quick ? ['--quick'] : [],
  'figures.mjs': quick ? ['--quick'] : [],
};
for (const [part, args] of Object.entries(parts)) {
  console.log(`\n== ${part}`);
  // Each part records its figures itself (bench/support/harness.mjs), through the inherited env.
  const r = spawnSync(process.execPath, ['--expose-gc', here + part, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  process.stdout.write(r.stdout);
  if (r.status !== 0 || /\bFAIL\b/.test(r.stdout)) failed = true;
}
console.log(failed ? '\nbench/processor: some target missed' : '\nbench/processor: every target met');
process.exitCode = failed ? 1 : 0;
