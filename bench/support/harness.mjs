// The one way benchmarks in bench/ compare things and report figures.
//
// A comparison runs its contenders in interleaved rounds (after warm-up rounds that are thrown
// away), alternating which side goes first, so load from other processes on a shared machine falls
// on both sides alike. Each contender reports min / median / max over its rounds; the ratio of
// medians counts only when the two ranges do not overlap.
//
// A figure (a throughput, a ratio, ...) is printed and, when `npm run bench` runs the benchmark,
// appended as one JSON line to the file named by SPANTRACK_BENCH_RESULTS, from which
// bench/run-all.mjs builds its table and bench/results/latest.json.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

export const RESULTS_ENV = 'SPANTRACK_BENCH_RESULTS';

/** `--quick` on the command line: short runs, for checking that a benchmark works, not its figures. */
export const QUICK = process.argv.includes('--quick');

/**
 * Milliseconds of CPU this process has used (user + system, every thread: GC helpers count as the
 * work's cost). On a machine shared with other processes, time spent waiting for a core is not in
 * it, so a single-threaded figure per CPU-second is what the work costs, not how busy others were.
 */
export function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * CPU nanoseconds per call of `fn`, from the fastest of `slices` equal slices of `calls` calls:
 * the single-threaded figure of an in-process benchmark round (see `cpuMs` for why CPU time, and
 * why the fastest slice).
 */
export function cpuNsPerCall(fn, calls, slices = 8) {
  const per = Math.max(1, Math.floor(calls / slices));
  let best = Number.POSITIVE_INFINITY;
  for (let s = 0; s < slices; s++) {
    const t0 = cpuMs();
    for (let i = 0; i < per; i++) fn(i);
    best = Math.min(best, ((cpuMs() - t0) * 1e6) / per);
  }
  return best;
}

/** min / median / max of a list of numbers. */
export function spread(samples) {
  if (samples.length === 0) throw new Error('no samples');
  const s = [...samples].sort((a, b) => a - b);
  const m = s.length >> 1;
  return {
    min: s[0],
    median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2,
    max: s[s.length - 1],
    samples: [...samples],
  };
}

/**
 * How contender `a` compares with `b`: the ratio of medians (a / b), the range of ratios the two
 * ranges allow, and whether the ranges are apart (only then is there a decision).
 */
export function decide(a, b) {
  const ratio = a.median / b.median;
  const overlap = a.min <= b.max && b.min <= a.max;
  return { ratio, ratioMin: a.min / b.max, ratioMax: a.max / b.min, decided: !overlap };
}

const fmt = (n) =>
  Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3).replace(/\.?0+$/, '');

/**
 * Runs `contenders` ({ name, run }, where `run()` returns or resolves to one round's figure) in
 * `rounds` interleaved rounds after `warmup` rounds, prints each one's spread and the comparison of
 * the first with each other one, and returns { [name]: spread } plus `decisions`.
 * @param {object} options
 * @param {string} options.title
 * @param {string} options.unit e.g. 'spans/s' or 'ns/op'
 * @param {{ name: string, run: () => number | Promise<number> }[]} options.contenders
 * @param {number} [options.rounds] default 7 (3 with --quick)
 * @param {number} [options.warmup] default 1
 * @param {[string, string][]} [options.pairs] which to compare, default the first with each other
 */
export async function compare({ title, unit, contenders, rounds, warmup = 1, pairs }) {
  const n = rounds ?? (QUICK ? 3 : 7);
  const samples = contenders.map(() => []);
  for (let round = 0; round < warmup + n; round++) {
    const order = contenders.map((_, i) => i);
    if (round % 2) order.reverse();
    for (const i of order) {
      const value = await contenders[i].run();
      if (!Number.isFinite(value)) throw new Error(`${contenders[i].name}: round gave ${value}`);
      if (round >= warmup) samples[i].push(value);
    }
  }
  const spreads = Object.fromEntries(contenders.map((c, i) => [c.name, spread(samples[i])]));
  const width = Math.max(...contenders.map((c) => c.name.length));
  process.stdout.write(
    `${title} (${n} interleaved rounds after ${warmup} warm-up; ${unit}: min / median / max)\n`,
  );
  for (const c of contenders) {
    const s = spreads[c.name];
    process.stdout.write(
      `  ${c.name.padEnd(width)}  ${fmt(s.min).padStart(10)} ${fmt(s.median).padStart(10)} ${fmt(s.max).padStart(10)}\n`,
    );
  }
  const decisions = [];
  const compared = pairs ?? contenders.slice(1).map((c) => [contenders[0].name, c.name]);
  for (const [a, b] of compared) {
    const d = decide(spreads[a], spreads[b]);
    decisions.push({ a, b, ...d });
    process.stdout.write(
      `  ${a} / ${b}: ${d.ratio.toFixed(2)}x medians (range ${d.ratioMin.toFixed(2)}–${d.ratioMax.toFixed(2)}); ` +
        `${d.decided ? 'ranges apart: decided' : 'ranges overlap: no decision'}\n`,
    );
  }
  return { ...spreads, decisions };
}

/**
 * A contender whose every round runs in a fresh `node script ...args` process (so neither side
 * inherits the other's JIT or heap); the child prints its figure as the last line, `{"value": n}`.
 */
export function inChild(script, args = [], { nodeArgs = [], env } = {}) {
  return () =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, ...env, [RESULTS_ENV]: '' },
      });
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
      });
      child.once('error', reject);
      child.once('exit', (code) => {
        const last = out.trim().split('\n').pop() ?? '';
        try {
          const { value } = JSON.parse(last);
          if (code === 0) return resolve(value);
        } catch {}
        reject(new Error(`${script} ${args.join(' ')} exited with ${code}: ${out.slice(-500)}`));
      });
    });
}

/** The child side of `inChild`: prints the figure where the parent looks for it. */
export function childResult(value) {
  process.stdout.write(`\n${JSON.stringify({ value })}\n`);
}

/**
 * Records one figure against its target: printed as a PASS/FAIL line, and appended for run-all.
 * `range` ({ min, max }) is the figure's spread over rounds when it has one; a target the range
 * straddles is flagged, since then the verdict could go either way on another run.
 * @param {object} f
 * @param {string} f.id stable key for comparisons between commits, e.g. 'collector.decode.gzip'
 * @param {string} f.name what it measures, in words
 * @param {number} f.value the figure (a median when there are rounds)
 * @param {string} f.unit
 * @param {{ min: number, max: number }} [f.range]
 * @param {{ op: '>=' | '<=', value: number }} [f.target] none: informational
 * @param {string} [f.detail]
 */
export function recordFigure({ id, name, value, unit, range, target, detail }) {
  const ok = target === undefined ? undefined : meets(value, target);
  const straddles =
    target !== undefined && range !== undefined && meets(range.min, target) !== meets(range.max, target);
  const figure = { id, name, value, unit, range, target, ok, straddles, detail };
  const verdict = ok === undefined ? 'INFO' : ok ? 'PASS' : 'FAIL';
  process.stdout.write(
    `${verdict} ${name}: ${fmt(value)} ${unit}` +
      (range ? ` (range ${fmt(range.min)}–${fmt(range.max)})` : '') +
      (target ? `, target ${target.op} ${fmt(target.value)}` : '') +
      (straddles ? ', range straddles the target' : '') +
      (detail ? `; ${detail}` : '') +
      '\n',
  );
  const file = process.env[RESULTS_ENV];
  if (file) appendFileSync(file, `${JSON.stringify(figure)}\n`);
  return figure;
}

export function meets(value, target) {
  return target.op === '>=' ? value >= target.value : value <= target.value;
}
