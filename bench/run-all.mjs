// `npm run bench`: every benchmark under bench/ (each bench/<name>/index.mjs, found by listing),
// one after the other, then one table of every figure against its target, written as JSON for
// comparison between commits.
//
//   node bench/run-all.mjs [--quick] [--only name,name] [--out file] [--compare previous.json]
//
//   --quick      short runs: checks that everything works; the figures mean little
//   --only       run only these benchmarks (directory names under bench/)
//   --out        where to write the JSON, default bench/results/latest.json
//   --compare    a JSON written by an earlier run: prints each figure's change against it
//
// Exit status: 1 when a benchmark crashed, or (without --quick) a figure missed its target.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RESULTS_ENV } from './support/harness.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: join(root, 'bench/results/latest.json') },
    compare: { type: 'string' },
  },
});

// Read before anything is written: --compare may name the file this run overwrites.
const previous = args.compare ? readPrevious(args.compare) : undefined;
const only = args.only?.split(',').map((s) => s.trim());
const benches = readdirSync(join(root, 'bench'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'bench', d.name, 'index.mjs')))
  .map((d) => d.name)
  .filter((name) => !only || only.includes(name))
  .sort((a, b) => order(a) - order(b) || a.localeCompare(b));
if (benches.length === 0) {
  console.error(`no benchmark matches --only ${args.only}`);
  process.exit(2);
}

/** The agent-side figures first, then the processor, then the collector; others after, by name. */
function order(name) {
  const i = ['instrumentation', 'processor', 'collector'].indexOf(name);
  return i === -1 ? 99 : i;
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
};
const commit = (() => {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
})();

const scratch = mkdtempSync(join(tmpdir(), 'spantrack-bench-'));
const figures = [];
const crashed = [];
const started = Date.now();
for (const name of benches) {
  const file = join(scratch, `${name}.jsonl`);
  writeFileSync(file, '');
  console.log(`\n#### bench/${name}/index.mjs${args.quick ? ' --quick' : ''}`);
  const r = spawnSync(
    process.execPath,
    [join(root, 'bench', name, 'index.mjs'), ...(args.quick ? ['--quick'] : [])],
    { cwd: root, stdio: 'inherit', env: { ...process.env, [RESULTS_ENV]: file } },
  );
  const recorded = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => ({ bench: name, ...JSON.parse(line) }));
  figures.push(...recorded);
  // A benchmark exits 1 when it misses a target; that is in its figures. No figure at all, or a
  // signal, is a crash.
  if (r.status === null || recorded.length === 0 || (r.status !== 0 && r.status !== 1)) {
    crashed.push(`${name} (exit ${r.status ?? r.signal}, ${recorded.length} figures)`);
  }
}
rmSync(scratch, { recursive: true, force: true });
machine.loadAverageAtEnd = loadavg().map((x) => Number(x.toFixed(2)));

const report = {
  date: new Date().toISOString(),
  commit,
  quick: args.quick,
  seconds: Math.round((Date.now() - started) / 1000),
  machine,
  figures,
  crashed,
};
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);

const fmt = (n) =>
  n === undefined || n === null
    ? ''
    : Math.abs(n) >= 100
      ? Math.round(n).toLocaleString('en-US')
      : Number(n.toPrecision(3)).toString();
const rows = figures.map((f) => {
  const before = previous?.get(f.id);
  const delta =
    before === undefined
      ? previous
        ? 'new'
        : ''
      : `${f.value >= before.value ? '+' : ''}${(((f.value - before.value) / before.value) * 100).toFixed(1)} %`;
  return [
    f.ok === undefined ? 'info' : f.ok ? (f.straddles ? 'pass?' : 'PASS') : f.straddles ? 'fail?' : 'FAIL',
    f.name,
    `${fmt(f.value)} ${f.unit}`,
    f.range ? `${fmt(f.range.min)}–${fmt(f.range.max)}` : '',
    f.target ? `${f.target.op} ${fmt(f.target.value)}` : '',
    ...(previous ? [before ? fmt(before.value) : '', delta] : []),
  ];
});
const header = [
  '',
  'figure',
  'value (median)',
  'range',
  'target',
  ...(previous ? ['previous', 'change'] : []),
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) =>
  cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
console.log(
  `\n#### every figure (${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, ` +
    `load average ${machine.loadAverageAtStart.join(' ')} at start, ${machine.loadAverageAtEnd.join(' ')} at end` +
    `${args.quick ? '; --quick: short runs, figures indicative only' : ''})`,
);
console.log(line(header));
for (const r of rows) console.log(line(r));
if (previous) {
  const gone = [...previous.keys()].filter((id) => !figures.some((f) => f.id === id));
  if (gone.length) console.log(`not measured this time: ${gone.join(', ')}`);
}
console.log('pass?/fail?: the range straddles the target, so another run could give the other verdict');
if (crashed.length) console.log(`crashed: ${crashed.join('; ')}`);
console.log(`written to ${args.out}`);

const missed = figures.filter((f) => f.ok === false);
process.exit(crashed.length > 0 || (!args.quick && missed.length > 0) ? 1 : 0);

function readPrevious(path) {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8'));
    if (!Array.isArray(data.figures)) throw new Error('no "figures" list');
    console.log(
      `comparing with ${path} (${data.commit ?? 'unknown commit'}, ${data.date ?? 'unknown date'})`,
    );
    return new Map(data.figures.map((f) => [f.id, f]));
  } catch (error) {
    console.error(`--compare ${path}: not a results file from run-all (${error.message})`);
    process.exit(2);
  }
}
