import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_SPANTRACK_REPORTED_BY,
  GenAiOperationName,
  type InteractionKind,
} from '@spantrack/conventions';
import type { SpanLike } from '../../span-like';
import type { Interaction } from '../interaction';
import type { InteractionSource } from '../normalize';
import { type NormalizeContext, readSpan, type UNUSABLE_SPAN } from '../read-span';
import { RUNTIME_CONTEXT_ID_KEYS, readAiSdkIds } from './ai-sdk';

/**
 * Plain OpenTelemetry GenAI semantic-convention spans (current and older key spellings): LLM calls
 * become `generation`, `execute_tool` becomes `tool`, `invoke_agent` becomes `turn`.
 */
export const genAiSemconvSource: InteractionSource = {
  name: 'gen_ai',
  recognise(span: SpanLike, ctx: NormalizeContext): Interaction | typeof UNUSABLE_SPAN | undefined {
    const attrs = span.attributes;
    const op = attrs[ATTR_GEN_AI_OPERATION_NAME];
    let kind: InteractionKind | undefined;
    switch (op) {
      case GenAiOperationName.CHAT:
      case GenAiOperationName.TEXT_COMPLETION:
      case GenAiOperationName.GENERATE_CONTENT:
        kind = 'generation';
        break;
      case GenAiOperationName.EXECUTE_TOOL:
        kind = 'tool';
        break;
      case GenAiOperationName.INVOKE_AGENT:
        kind = 'turn';
        break;
      case GenAiOperationName.EMBEDDINGS:
        // A model call but no generation: an event only when it fails.
        if (span.status.code === 2) kind = 'error';
        break;
      case undefined:
        // No operation name: an LLM call if it names a model and a provider (older instrumentations).
        if (
          attrs[ATTR_GEN_AI_REQUEST_MODEL] !== undefined &&
          (attrs[ATTR_GEN_AI_PROVIDER_NAME] !== undefined || attrs[ATTR_GEN_AI_SYSTEM] !== undefined)
        ) {
          kind = 'generation';
        }
        break;
    }
    if (kind === undefined) return undefined;
    const it = readSpan(span, kind, 'gen_ai', ctx);
    if (typeof it !== 'object') return it;
    const reportedBy = attrs[ATTR_SPANTRACK_REPORTED_BY];
    if (typeof reportedBy === 'string') it.reportedBy = reportedBy;
    // The AI SDK's GenAI integration carries the call's ids only in its recorded runtime context.
    if (kind === 'turn') readAiSdkIds(span, ctx, it, RUNTIME_CONTEXT_ID_KEYS);
    return it;
  },
};
