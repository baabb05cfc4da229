import type { SpanLike, TranslateResult, Translator } from '@spantrack/processor/translate';
import { TimeSlice } from '../slicing/time-slice';
import { fillTraceContext } from './request-trace-context';

/** Spans translated together before the clock is looked at: a slice holds whole traces, at least this many spans. */
export const SLICE_SPANS = 256;

/**
 * One result per span, in request order, as `translator.many(fillTraceContext(spans))` gives them,
 * computed a few traces at a time with a yield to the event loop between slices. Every rule that
 * relates spans (trace context, one event per model call, usage sums, identity) works within one
 * trace, so a slice is one or more whole traces; a single trace is never cut.
 */
export async function translateByTraces(
  translator: Translator,
  spans: readonly SpanLike[],
  slice = new TimeSlice(),
): Promise<TranslateResult[]> {
  if (spans.length <= SLICE_SPANS) return translator.many(fillTraceContext(spans as SpanLike[]));
  // Each trace's spans, in request order; traces in the order they first appear.
  const traces = new Map<string, number[]>();
  for (let i = 0; i < spans.length; i++) {
    const id = spans[i]!.traceId;
    const members = traces.get(id);
    if (members === undefined) traces.set(id, [i]);
    else members.push(i);
  }
  const results = new Array<TranslateResult>(spans.length);
  let batch: number[] = [];
  const translateBatch = () => {
    const translated = translator.many(fillTraceContext(batch.map((i) => spans[i]!)));
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
