import { type Diagnostic, DiagnosticCode } from '../diagnostics';
import type { SpanLike } from '../span-like';
import { genAiSemconvSource } from './genai-semconv-source';
import type { Interaction } from './interaction';
import { type NormalizeContext, UNUSABLE_SPAN } from './read-span';
import { spantrackSource } from './spantrack-source';

/**
 * A producer of spans that `normalize` understands. Sources are tried in order; the first that
 * returns an interaction wins. This is the seam for other producers (Vercel AI SDK, OpenLLMetry,
 * OpenInference, the official openai instrumentation).
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
 * Built-in sources, in the order they are tried: spantrack's own spans first (they also carry
 * `gen_ai.*` keys), plain GenAI semconv spans last (other producers' spans are GenAI spans too, so
 * their more specific sources go between the two).
 */
export const BUILTIN_SOURCES: readonly InteractionSource[] = [spantrackSource, genAiSemconvSource];

/** Orders user sources between spantrack's own and the generic GenAI semconv one. */
export function resolveSources(
  extra: readonly InteractionSource[] | undefined,
): readonly InteractionSource[] {
  if (extra === undefined || extra.length === 0) return BUILTIN_SOURCES;
  return [spantrackSource, ...extra, genAiSemconvSource];
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

/** Options of the standalone `normalize`. */
export interface NormalizeOptions {
  /** Read content attributes. Default false. */
  captureContent?: boolean;
  /** Extra sources, tried after spantrack's own and before the generic GenAI semconv source. */
  sources?: readonly InteractionSource[];
}

/**
 * The span as an `Interaction`, or undefined when no source recognises it or its times are unusable
 * (then `diagnostics` holds an `invalid_span`). Problems found (malformed values, dropped) are pushed
 * onto `diagnostics` when given.
 */
export function normalize(
  span: SpanLike,
  options: NormalizeOptions = {},
  diagnostics: Diagnostic[] = [],
): Interaction | undefined {
  const ctx: NormalizeContext = { captureContent: options.captureContent === true, diagnostics };
  const it = normalizeWith(span, ctx, resolveSources(options.sources));
  return it === UNUSABLE_SPAN ? undefined : it;
}
