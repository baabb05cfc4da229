import {
  type SpanLike,
  spansByTrace,
  type TranslateResult,
  type Translator,
  traceRuns,
} from '@spantrack/processor/translate';
import { TimeSlice } from '../slicing/time-slice';

/** Spans translated together before the clock is looked at: a slice holds whole traces, at least this many spans. */
export const SLICE_SPANS = 256;

/**
 * One result per span, in request order, as `translator.many(spans)` gives them,
 * computed a few traces at a time with a yield to the event loop between slices. Every rule that
 * relates spans (trace context, one event per model call, usage sums, identity) works within one
 * trace, so a slice is one or more whole traces; a single trace is never cut.
 */
export async function translateByTraces(
  translator: Translator,
  spans: readonly SpanLike[],
  slice = new TimeSlice(),
): Promise<TranslateResult[]> {
  if (spans.length <= SLICE_SPANS) return translator.many(spans);
  const runs = traceRuns(spans);
  if (runs !== undefined) {
    // Each trace's spans together (the usual case): slices are ranges of the request.
    const results: TranslateResult[] = [];
    let start = 0;
    for (let r = 1; r < runs.length; r++) {
      const end = runs[r]!;
      if (end - start < SLICE_SPANS && end < spans.length) continue;
      const translated = translator.many(spans.slice(start, end));
      for (let k = 0; k < translated.length; k++) results.push(translated[k]!);
      start = end;
      if (end < spans.length && slice.spent) await slice.yield();
    }
    return results;
  }
  // Each trace's spans, in request order; traces in the order they first appear.
  const traces = spansByTrace(spans);
  const results = new Array<TranslateResult>(spans.length);
  let batch: number[] = [];
  const translateBatch = () => {
    const translated = translator.many(batch.map((i) => spans[i]!));
    for (let k = 0; k < batch.length; k++) results[batch[k]!] = translated[k]!;
    batch = [];
  };
  for (const members of traces.values()) {
    for (let k = 0; k < members.length; k++) batch.push(members[k]!);
    if (batch.length >= SLICE_SPANS) {
      translateBatch();
      if (slice.spent) await slice.yield();
    }
  }
  if (batch.length > 0) translateBatch();
  return results;
}
