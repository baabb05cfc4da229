import type { InteractionKind } from '@spantrack/conventions';
import type { SpanLike } from '../../span-like';
import type { Interaction } from '../interaction';
import type { InteractionSource } from '../normalize';
import { type NormalizeContext, readSpan, type UNUSABLE_SPAN } from '../read-span';
import { langChainRunErrorClass, specificErrorClass } from './langchain-error-class';
import { contentAt, countAt, idAt, textAt, usdAt } from './producer-fields';

/** Arize OpenInference (`@arizeai/openinference-*`): every span says its kind here. */
export const ATTR_OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';

/** Kinds that are actions (Action Invoked), with the `type` they report. */
const ACTION_TYPES: Readonly<Record<string, string>> = {
  TOOL: 'tool',
  RETRIEVER: 'retrieval',
  RERANKER: 'rerank',
  GUARDRAIL: 'guardrail',
};

/**
 * The interaction kind of an OpenInference span kind, or undefined for spans that are no event:
 * a nested CHAIN (a step of a larger chain), a successful EMBEDDING (a model call, but no
 * generation), an EVALUATOR (offline scoring, not the agent's work). A root CHAIN is one run of
 * the chain the user invoked: a turn.
 */
function kindOf(spanKind: string, span: SpanLike): InteractionKind | undefined {
  switch (spanKind) {
    case 'LLM':
      return 'generation';
    case 'AGENT':
      return 'turn';
    case 'CHAIN':
      return span.parentSpanId === undefined || span.parentSpanId === '' ? 'turn' : undefined;
    case 'EMBEDDING':
      return span.status.code === 2 ? 'error' : undefined;
    default:
      return ACTION_TYPES[spanKind] !== undefined ? 'tool' : undefined;
  }
}

/** OpenInference spans: `openinference.span.kind`, `llm.*`, `tool.*`, `session.id`, `input.value`. */
export const openInferenceSource: InteractionSource = {
  name: 'openinference',
  recognise(span: SpanLike, ctx: NormalizeContext): Interaction | typeof UNUSABLE_SPAN | undefined {
    const spanKind = span.attributes[ATTR_OPENINFERENCE_SPAN_KIND];
    if (typeof spanKind !== 'string') return undefined;
    const upper = spanKind.toUpperCase();
    const kind = kindOf(upper, span);
    if (kind === undefined) return undefined;
    const it = readSpan(span, kind, 'openinference', ctx);
    if (typeof it !== 'object') return it;
    it.model ??= textAt(span, ctx, 'llm.model_name');
    it.provider ??= textAt(span, ctx, 'llm.provider') ?? textAt(span, ctx, 'llm.system');
    it.inputTokens ??= countAt(span, ctx, 'llm.token_count.prompt');
    it.outputTokens ??= countAt(span, ctx, 'llm.token_count.completion');
    it.cacheReadTokens ??= countAt(span, ctx, 'llm.token_count.prompt_details.cache_read');
    it.cacheCreationTokens ??= countAt(span, ctx, 'llm.token_count.prompt_details.cache_write');
    // The producer's own cost estimate; spantrack.cost.usd (read above) wins over it.
    it.costUsd ??= usdAt(span, ctx, 'llm.cost.total');
    it.conversationId ??= idAt(span, ctx, 'session.id');
    it.agentName ??= textAt(span, ctx, 'agent.name');
    if (it.error !== undefined) {
      // Its LangChain tracer records no exception type: the class is in the status, atop the stack.
      const status = span.status.code === 2 ? span.status.message : undefined;
      it.error.class =
        specificErrorClass(it.error.class) ??
        (status === undefined ? undefined : langChainRunErrorClass(status));
    }
    if (kind === 'tool') {
      it.toolName ??= textAt(span, ctx, 'tool.name') ?? span.name;
      it.toolCallId ??= idAt(span, ctx, 'tool_call.id');
      it.actionType ??= ACTION_TYPES[upper];
    }
    if (ctx.captureContent) {
      // Only plain-text values are messages; JSON values are request and response bodies.
      if (span.attributes['input.mime_type'] !== 'application/json')
        it.inputText ??= contentAt(span, ctx, 'input.value');
      if (span.attributes['output.mime_type'] !== 'application/json')
        it.outputText ??= contentAt(span, ctx, 'output.value');
      it.inputText ??= lastUserMessage(span);
      it.outputText ??= contentAt(span, ctx, 'llm.output_messages.0.message.content');
    }
    return it;
  },
};

/** The content of the last `user` message of `llm.input_messages.<i>.message.*` (flattened list). */
function lastUserMessage(span: SpanLike): string | undefined {
  const attrs = span.attributes;
  let text: string | undefined;
  for (let i = 0; ; i++) {
    const role = attrs[`llm.input_messages.${i}.message.role`];
    if (role === undefined) return text;
    const content = attrs[`llm.input_messages.${i}.message.content`];
    if (role === 'user' && typeof content === 'string') text = content;
  }
}
