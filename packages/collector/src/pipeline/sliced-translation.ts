import type { SpanLike, TranslateResult, Translator } from '@spantrack/processor';

/** Spans translated together before the time check; whole traces are never split. */
const SLICE_SPANS = 256;
/** How long translation runs before it yields to the event loop, ms. */
const SLICE_MS = 10;

/**
 * `translator.many(prepare(spans))` a few traces at a time (`prepare` sees whole traces), yielding to the event loop between slices so that
 * a large request does not hold up the others (or `/healthz`). Each trace is translated whole (rules
 * that span a trace see all of its spans); results come back in request order.
 */
export async function translateSliced(
  translator: Translator,
  spans: SpanLike[],
  prepare: (traceSpans: SpanLike[]) => SpanLike[],
): Promise<TranslateResult[]> {
  if (spans.length <= SLICE_SPANS) return translator.many(prepare(spans));
  const byTrace = new Map<string, number[]>();
  for (let i = 0; i < spans.length; i++) {
    const id = spans[i]!.traceId;
    const indices = byTrace.get(id);
    if (indices === undefined) byTrace.set(id, [i]);
    else indices.push(i);
  }
  const results = new Array<TranslateResult>(spans.length);
  let slice: number[] = [];
  let sliceStart = performance.now();
  const run = () => {
    const out = translator.many(prepare(slice.map((i) => spans[i]!)));
    for (let k = 0; k < slice.length; k++) results[slice[k]!] = out[k]!;
    slice = [];
  };
  for (const indices of byTrace.values()) {
    for (const i of indices) slice.push(i);
    if (slice.length < SLICE_SPANS) continue;
    run();
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  if (slice.length > 0) run();
  return results;
}
