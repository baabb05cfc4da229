import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * The benchmark harness (bench/support/harness.mjs) and `npm run bench`'s summary (bench/run-all.mjs):
 * the shape of what they print and write, never the figures (a quick run on a shared machine
 * measures nothing worth asserting).
 */

const root = join(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'spantrack-bench-harness-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs an ES module snippet that imports the harness; returns its stdout. */
function withHarness(code: string): string {
  const harness = JSON.stringify(join(root, 'bench/support/harness.mjs'));
  return execFileSync(
    process.execPath,
    ['--input-type=module', '-e', `import * as h from ${harness};\n${code}`],
    {
      encoding: 'utf8',
      env: { ...process.env, SPANTRACK_BENCH_RESULTS: '' },
    },
  );
}

describe('bench/support/harness.mjs', () => {
  it('interleaves rounds, prints min / median / max and decides only when the ranges are apart', () => {
    const out = withHarness(`
      const calls = [];
      const seq = (name, values) => { let i = 0; return { name, run: () => { calls.push(name); return values[i++]; } }; };
      const apart = await h.compare({ title: 'apart', unit: 'ops/s', rounds: 3, warmup: 1,
        contenders: [seq('A', [0, 200, 210, 220]), seq('B', [0, 100, 110, 120])] });
      const close = await h.compare({ title: 'close', unit: 'ops/s', rounds: 3, warmup: 1,
        contenders: [seq('C', [0, 100, 150, 200]), seq('D', [0, 90, 140, 190])] });
      console.log(JSON.stringify({ calls, apart: apart.decisions[0], close: close.decisions[0], a: apart.A }));
    `);
    const lines = out.trim().split('\n');
    const result = JSON.parse(lines.pop()!);
    // A, B then B, A: neither side always goes first.
    expect(result.calls.slice(0, 8)).toEqual(['A', 'B', 'B', 'A', 'A', 'B', 'B', 'A']);
    expect(result.a).toMatchObject({ min: 200, median: 210, max: 220 });
    expect(result.apart).toMatchObject({ a: 'A', b: 'B', decided: true });
    expect(result.apart.ratio).toBeCloseTo(210 / 110, 6);
    expect(result.close).toMatchObject({ decided: false });
    expect(out).toMatch(/A\s+200\s+210\s+220/);
    expect(out).toMatch(/A \/ B: 1\.91x medians \(range 1\.67–2\.20\); ranges apart: decided/);
    expect(out).toMatch(/C \/ D: 1\.07x medians .*ranges overlap: no decision/);
  });

  it('runs a contender in a fresh process per round and reads its figure', () => {
    const child = join(scratch, 'child.mjs');
    execFileSync(process.execPath, [
      '-e',
      `require('fs').writeFileSync(${JSON.stringify(child)}, "import { childResult } from ${JSON.stringify(
        join(root, 'bench/support/harness.mjs'),
      ).replace(/"/g, '\\"')}; childResult(process.pid);")`,
    ]);
    const out = withHarness(`
      const run = h.inChild(${JSON.stringify(child)});
      console.log(JSON.stringify([await run(), await run(), process.pid]));
    `);
    const [first, second, parent] = JSON.parse(out.trim().split('\n').pop()!);
    expect(new Set([first, second, parent]).size).toBe(3);
  });
});

describe('npm run bench (bench/run-all.mjs)', () => {
  const out = join(scratch, 'latest.json');

  it('--quick ends with one table of every figure against its target and writes it as JSON', () => {
    const r = spawnSync(
      process.execPath,
      ['bench/run-all.mjs', '--quick', '--only', 'instrumentation', '--out', out],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const table = r.stdout.slice(r.stdout.indexOf('#### every figure'));
    expect(table).toMatch(/cpu|×/i);
    expect(table).toMatch(/figure\s+value \(median\)\s+range\s+target/);
    expect(table).toMatch(
      /(PASS|FAIL|pass\?|fail\?)\s+instrumentation begin\/end \/ bare begin\/end\s+[\d.]+ x\s+[\d.]+–[\d.]+\s+<= 1\.5/,
    );
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report).toMatchObject({ quick: true, crashed: [] });
    expect(report.machine).toMatchObject({
      cpus: expect.any(Number),
      cpuModel: expect.any(String),
      node: process.version,
    });
    expect(report.figures.map((f: { id: string }) => f.id)).toEqual([
      'instrumentation.begin-end.ratio',
      'instrumentation.classify.ratio',
    ]);
    for (const f of report.figures) {
      expect(f).toMatchObject({ bench: 'instrumentation', unit: 'x', target: { op: '<=', value: 1.5 } });
      expect(f.range.min).toBeLessThanOrEqual(f.value);
      expect(f.range.max).toBeGreaterThanOrEqual(f.value);
      expect(typeof f.ok).toBe('boolean');
    }
  }, 120_000);

  it('--compare previous.json prints each figure against the earlier run', () => {
    const again = join(scratch, 'again.json');
    const r = spawnSync(
      process.execPath,
      ['bench/run-all.mjs', '--quick', '--only', 'instrumentation', '--out', again, '--compare', out],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`comparing with ${out}`);
    expect(r.stdout).toMatch(/target\s+previous\s+change/);
    expect(r.stdout).toMatch(/instrumentation classify \/ bare classify .*<= 1\.5\s+[\d.]+\s+[+-][\d.]+ %/);
  }, 120_000);

  it('refuses a --compare file that is not a results file, with a clear message', () => {
    const bogus = join(scratch, 'bogus.json');
    execFileSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(bogus)}, '{}')`]);
    const r = spawnSync(process.execPath, ['bench/run-all.mjs', '--quick', '--compare', bogus], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('not a results file from run-all');
  });
});
