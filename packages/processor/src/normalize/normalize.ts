import { type Diagnostic, DiagnosticCode } from '../diagnostics';
import type { SpanLike } from '../span-like';
import type { Interaction } from './interaction';
import { type NormalizeContext, UNUSABLE_SPAN } from './read-span';
import { aiSdkSource } from './sources/ai-sdk';
import { genAiSemconvSource } from './sources/genai-semconv';
import { openAiInstrumentationSource } from './sources/openai-instrumentation';
import { openInferenceSource } from './sources/openinference';
import { openLlmetrySource } from './sources/openllmetry';
import { spantrackSource } from './sources/spantrack';

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
 * Built-in sources, in the order they are tried. spantrack's own spans first (they also carry
 * `gen_ai.*` keys); then producers recognised by a key of their own, whose spans may also carry
 * `gen_ai.*` keys (OpenInference `openinference.span.kind`, the AI SDK's `ai.operationId`,
 * OpenLLMetry's `traceloop.*` / `llm.request.type`); then the official openai instrumentation (by
 * its scope); plain GenAI semconv last, for every other producer.
 */
export const BUILTIN_SOURCES: readonly InteractionSource[] = [
  spantrackSource,
  openInferenceSource,
  aiSdkSource,
  openLlmetrySource,
  openAiInstrumentationSource,
  genAiSemconvSource,
];
const PRODUCER_SOURCES = BUILTIN_SOURCES.slice(1, -1);

/** Orders user sources after spantrack's own and before the built-in producers' and GenAI semconv. */
export function resolveSources(
  extra: readonly InteractionSource[] | undefined,
): readonly InteractionSource[] {
  if (extra === undefined || extra.length === 0) return BUILTIN_SOURCES;
  return [spantrackSource, ...extra, ...PRODUCER_SOURCES, genAiSemconvSource];
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
  /** Extra sources, tried after spantrack's own and before the built-in producers' sources. */
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
