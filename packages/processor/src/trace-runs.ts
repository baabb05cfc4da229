import type { SpanLike } from './span-like';

/**
 * Where each trace's spans start and where the last ends (`[0, ..., spans.length]`: trace k is
 * `[runs[k], runs[k + 1])`), when every trace's spans come together, as an exporter's batch nearly
 * always has them; undefined when a trace id comes back after another trace's spans (then group
 * with {@link spansByTrace}). O(n) id compares, plus a set of the trace ids.
 */
export function traceRuns(spans: ReadonlyArray<Pick<SpanLike, 'traceId'>>): number[] | undefined {
  if (spans.length === 0) return [0];
  const runs = [0];
  const seen = new Set<string>([spans[0]!.traceId]);
  for (let i = 1; i < spans.length; i++) {
    const id = spans[i]!.traceId;
    if (id === spans[i - 1]!.traceId) continue;
    if (seen.has(id)) return undefined;
    seen.add(id);
    runs.push(i);
  }
  runs.push(spans.length);
  return runs;
}

/** Each trace's span indexes, in batch order; traces in the order they first appear. */
export function spansByTrace(spans: ReadonlyArray<Pick<SpanLike, 'traceId'>>): Map<string, number[]> {
  const traces = new Map<string, number[]>();
  for (let i = 0; i < spans.length; i++) {
    const id = spans[i]!.traceId;
    const members = traces.get(id);
    if (members === undefined) traces.set(id, [i]);
    else members.push(i);
  }
  return traces;
}
