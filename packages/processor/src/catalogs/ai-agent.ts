import { AiAgentEvent, CatalogName } from '@spantrack/conventions';
import { DiagnosticCode } from '../diagnostics';
import type { AnalyticsMessage, JsonObject } from '../message';
import type { Interaction } from '../normalize/interaction';
import type { Catalog, CatalogContext } from './catalog';

const NONE: readonly AnalyticsMessage[] = [];

/**
 * `ai.error`: the documented error type and the recovery details, when known; the producer's own
 * error class as `error_class` (an addition, docs/sources.md).
 */
function errorEvent(it: Interaction, ctx: CatalogContext): AnalyticsMessage {
  const error = it.error;
  const p: JsonObject = { error_type: error?.type ?? '_OTHER' };
  if (error?.recoveryAttempt !== undefined) p.recovery_attempt = error.recoveryAttempt;
  if (error?.recovered !== undefined) p.recovered = error.recovered;
  if (error?.fallbackAction !== undefined) p.fallback_action = error.fallbackAction;
  if (error?.class !== undefined) p.error_class = error.class;
  return ctx.track(it, AiAgentEvent.ERROR, p);
}

/**
 * Usage of one model call, as additions to the documented properties: `prompt_tokens` and
 * `completion_tokens` (as `ai.classification` documents them), `cached_input_tokens`, `cost_usd`.
 */
export function addUsage(it: Interaction, p: JsonObject): void {
  if (it.inputTokens !== undefined) p.prompt_tokens = it.inputTokens;
  if (it.outputTokens !== undefined) p.completion_tokens = it.outputTokens;
  if (it.cacheReadTokens !== undefined) p.cached_input_tokens = it.cacheReadTokens;
  if (it.costUsd !== undefined) p.cost_usd = it.costUsd;
}

/** `ai.generation`: prompt type, output length, latency, model; usage as additions. */
function generationEvent(it: Interaction, ctx: CatalogContext): AnalyticsMessage {
  const p: JsonObject = {};
  if (it.promptType !== undefined) p.prompt_type = it.promptType;
  if (it.outputLength !== undefined) p.output_length = it.outputLength;
  if (it.durationMs !== undefined) p.latency_ms = it.durationMs;
  if (it.model !== undefined) p.model = it.model;
  addUsage(it, p);
  return ctx.track(it, AiAgentEvent.GENERATION, p);
}

/**
 * The AI agent tracking plan: `ai.classification`, `ai.generation`, `ai.error`, with the
 * documented properties, the usage additions and `context.channel`.
 */
export const aiAgentCatalog: Catalog = {
  name: CatalogName.AI_AGENT,
  map(it: Interaction, ctx: CatalogContext): readonly AnalyticsMessage[] {
    switch (it.kind) {
      case 'classification': {
        // Inside another span of the same model call, or a retried attempt: that one reports.
        if (it.reportedBy !== undefined) return NONE;
        if (it.failed) return [errorEvent(it, ctx)];
        if (it.intent === undefined) {
          ctx.report(
            it,
            DiagnosticCode.MISSING_REQUIRED,
            'classification without a usable spantrack.intent.name: ai.classification not sent',
            AiAgentEvent.CLASSIFICATION,
          );
          return NONE;
        }
        const p: JsonObject = {};
        if (it.inputText !== undefined && ctx.captureContent) p.input_text = it.inputText;
        p.detected_intent = it.intent;
        if (it.confidence !== undefined) p.confidence = it.confidence;
        if (it.durationMs !== undefined) p.latency_ms = it.durationMs;
        if (it.model !== undefined) p.model = it.model;
        addUsage(it, p);
        return [ctx.track(it, AiAgentEvent.CLASSIFICATION, p)];
      }
      case 'generation':
      case 'track':
        // One event per model call: tokens, latency and errors are never restated by a wrapper or a retry.
        if (it.reportedBy !== undefined) return NONE;
        return [it.failed ? errorEvent(it, ctx) : generationEvent(it, ctx)];
      case 'error':
        return [errorEvent(it, ctx)];
      case 'turn':
        // A turn that failed of its own cause (no model call under it failed): its ai.error.
        return it.reportsOwnError === true ? [errorEvent(it, ctx)] : NONE;
      default:
        return NONE;
    }
  },
};
