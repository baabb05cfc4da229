import type { InteractionSource } from './normalize';
import { aiSdkSource } from './sources/ai-sdk';
import { genAiSemconvSource } from './sources/genai-semconv';
import { openAiInstrumentationSource } from './sources/openai-instrumentation';
import { openInferenceSource } from './sources/openinference';
import { openLlmetrySource } from './sources/openllmetry';
import { spantrackSource } from './sources/spantrack';

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
