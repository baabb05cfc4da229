import { ATTR_GEN_AI_OPERATION_NAME, GenAiOperationName } from '@spantrack/conventions';
import type { SpanLike } from '../../span-like';
import type { Interaction } from '../interaction';
import type { InteractionSource } from '../normalize';
import { type NormalizeContext, readSpan, type UNUSABLE_SPAN } from '../read-span';

/** The instrumentation scope of `@opentelemetry/instrumentation-openai`. */
export const OPENAI_INSTRUMENTATION_SCOPE = '@opentelemetry/instrumentation-openai';

/**
 * `@opentelemetry/instrumentation-openai`: GenAI semconv spans (`chat <model>`, `embeddings
 * <model>`) whose `error.type` is the openai client's error class. Chat calls are generations; an
 * embeddings call is no event unless it fails. Content goes to log events, never to the span.
 */
export const openAiInstrumentationSource: InteractionSource = {
  name: 'openai_instrumentation',
  recognise(span: SpanLike, ctx: NormalizeContext): Interaction | typeof UNUSABLE_SPAN | undefined {
    if (span.scope.name !== OPENAI_INSTRUMENTATION_SCOPE) return undefined;
    const op = span.attributes[ATTR_GEN_AI_OPERATION_NAME];
    if (op === GenAiOperationName.CHAT || op === GenAiOperationName.TEXT_COMPLETION) {
      return readSpan(span, 'generation', 'openai_instrumentation', ctx);
    }
    if (span.status.code === 2) return readSpan(span, 'error', 'openai_instrumentation', ctx);
    return undefined;
  },
};
