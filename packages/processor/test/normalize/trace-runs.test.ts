import { describe, expect, it } from 'vitest';
import { spansByTrace, traceRuns } from '../../src/trace-runs';

const spans = (traceIds: string[]) => traceIds.map((traceId) => ({ traceId }));

describe('traceRuns', () => {
  it('gives the start of each trace and the end when every trace comes together', () => {
    expect(traceRuns(spans(['a', 'a', 'b', 'c', 'c', 'c']))).toEqual([0, 2, 3, 6]);
    expect(traceRuns(spans(['a']))).toEqual([0, 1]);
    expect(traceRuns(spans([]))).toEqual([0]);
  });

  it('is undefined when a trace id comes back after another', () => {
    expect(traceRuns(spans(['a', 'b', 'a']))).toBeUndefined();
    expect(traceRuns(spans(['a', 'a', 'b', 'b', 'c', 'b']))).toBeUndefined();
  });

  it('covers every span exactly once, in order, on random batches', () => {
    for (let round = 0; round < 200; round++) {
      const ids: string[] = [];
      const traces = 1 + (round % 7);
      for (let t = 0; t < traces; t++) {
        for (let k = 0; k <= (round * 31 + t * 7) % 5; k++) ids.push(`t${t}`);
      }
      const runs = traceRuns(spans(ids))!;
      expect(runs[0]).toBe(0);
      expect(runs.at(-1)).toBe(ids.length);
      for (let r = 0; r + 1 < runs.length; r++) {
        const run = ids.slice(runs[r], runs[r + 1]);
        expect(run.length).toBeGreaterThan(0);
        expect(new Set(run).size).toBe(1);
        if (r > 0) expect(ids[runs[r]! - 1]).not.toBe(run[0]);
      }
    }
  });
});

describe('spansByTrace', () => {
  it('groups indexes by trace, traces in order of first appearance, members in batch order', () => {
    const grouped = spansByTrace(spans(['b', 'a', 'b', 'c', 'a']));
    expect([...grouped]).toEqual([
      ['b', [0, 2]],
      ['a', [1, 4]],
      ['c', [3]],
    ]);
  });
});
