import { DiagnosticCode } from '../diagnostics';
import type { SpanLike } from '../span-like';
import type { Interaction } from './interaction';
import type { NormalizeContext, UNUSABLE_SPAN } from './read-span';

// The contract every source implements, and the loop that tries them. The sources import it from
// here, so this file imports no source (the built-in list is in builtin-sources.ts).

/**
 * A producer of spans that `normalize` understands. Sources are tried in order; the first that
 * returns an interaction wins (docs/sources.md lists them, with what each reads).
 */
export interface InteractionSource {
  readonly name: string;
  /**
   * The span as an interaction; undefined when this source does not recognise it (the next source
   * is tried); `UNUSABLE_SPAN` when the span is this source's but cannot become an event (times
   * unusable: report why on `ctx.diagnostics`; `readSpan` does both). Then no other source is tried.
   */
  recognise(span: SpanLike, ctx: NormalizeContext): Interaction | typeof UNUSABLE_SPAN | undefined;
}

/**
 * The span as an `Interaction`, `UNUSABLE_SPAN` when a source recognised it but it cannot become an
 * event, or undefined when no source recognises it (not an error). Never throws: a source that
 * throws is reported and the span yields nothing.
 */
export function normalizeWith(
  span: SpanLike,
  ctx: NormalizeContext,
  sources: readonly InteractionSource[],
): Interaction | typeof UNUSABLE_SPAN | undefined {
  for (let i = 0; i < sources.length; i++) {
    const source = sources[i]!;
    try {
      const it = source.recognise(span, ctx);
      if (it !== undefined) return it;
    } catch (error) {
      ctx.diagnostics.push({
        code: DiagnosticCode.SOURCE_ERROR,
        message: `source ${source.name} threw: ${error instanceof Error ? error.message : String(error)}`,
        traceId: span.traceId,
        spanId: span.spanId,
      });
      return undefined;
    }
  }
  return undefined;
}
