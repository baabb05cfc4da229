import { ATTR_GEN_AI_OPERATION_NAME, GenAiOperationName, type InteractionKind } from '@spantrack/conventions';
import type { SpanLike } from '../../span-like';
import type { Interaction } from '../interaction';
import type { InteractionSource } from '../normalize';
import { type NormalizeContext, readSpan, type UNUSABLE_SPAN } from '../read-span';
import { specificErrorClass } from './langchain-error-class';
import { contentAt, countAt, idAt, textAt } from './producer-fields';

/** OpenLLMetry (Traceloop): the decorator's kind (`workflow`, `task`, `agent`, `tool`). */
export const ATTR_TRACELOOP_SPAN_KIND = 'traceloop.span.kind';
/** OpenLLMetry's name of the decorated function (a tool's name, on LangChain tool spans). */
export const ATTR_TRACELOOP_ENTITY_NAME = 'traceloop.entity.name';
/** OpenLLMetry's LLM call type (`chat`, `completion`, `embedding`, `rerank`). */
export const ATTR_LLM_REQUEST_TYPE = 'llm.request.type';
/**
 * OpenLLMetry's instrumentations name their scope `@traceloop/instrumentation-<library>`. Since 0.2x
 * their model-call spans carry GenAI semconv keys only, so the scope is what says they are its spans.
 */
export const TRACELOOP_SCOPE_PREFIX = '@traceloop/';
// Association properties (`Traceloop.setAssociationProperties`) that name who and which conversation.
const ASSOCIATION_USER_ID = 'traceloop.association.properties.user_id';
const ASSOCIATION_USER_ID_CAMEL = 'traceloop.association.properties.userId';
const ASSOCIATION_CONVERSATION_ID = 'traceloop.association.properties.conversation_id';
const ASSOCIATION_SESSION_ID = 'traceloop.association.properties.session_id';
const ASSOCIATION_SESSION_ID_CAMEL = 'traceloop.association.properties.sessionId';

/** Class names OpenLLMetry's LangChain instrumentation writes as a tool's entity name. */
const LANGCHAIN_TOOL_CLASSES = new Set(['DynamicStructuredTool', 'DynamicTool', 'StructuredTool', 'Tool']);

/**
 * The tool's own name when the entity name is only LangChain's class: the `ToolMessage` the tool
 * returned names it (`kwargs.name`). Only the name is taken from the output, never its content.
 */
function langChainToolName(span: SpanLike): string | undefined {
  const output = span.attributes['traceloop.entity.output'];
  if (typeof output !== 'string' || output.length > 1_000_000) return undefined;
  try {
    const parsed = JSON.parse(output) as { kwargs?: { name?: unknown } } | null;
    const name = parsed?.kwargs?.name;
    return typeof name === 'string' && name.length > 0 ? name : undefined;
  } catch {
    return undefined;
  }
}

function kindOf(span: SpanLike): InteractionKind | undefined {
  const attrs = span.attributes;
  const op = attrs[ATTR_GEN_AI_OPERATION_NAME];
  if (op === GenAiOperationName.EXECUTE_TOOL) return 'tool';
  if (op === GenAiOperationName.INVOKE_AGENT) return 'turn';
  if (
    op === GenAiOperationName.CHAT ||
    op === GenAiOperationName.TEXT_COMPLETION ||
    op === GenAiOperationName.GENERATE_CONTENT
  ) {
    return 'generation';
  }
  switch (attrs[ATTR_TRACELOOP_SPAN_KIND]) {
    case 'tool':
      return 'tool';
    case 'agent':
      return 'turn';
    case 'workflow':
      // A workflow is the user's unit of work: a turn when it is the trace's root.
      return span.parentSpanId === undefined || span.parentSpanId === '' ? 'turn' : undefined;
  }
  const type = attrs[ATTR_LLM_REQUEST_TYPE];
  if (type === 'chat' || type === 'completion') return 'generation';
  return undefined;
}

/**
 * OpenLLMetry spans: `traceloop.span.kind` / `traceloop.entity.name` / `llm.request.type`, or its
 * instrumentation scope (`@traceloop/...`, whose model calls carry GenAI semconv keys only). Tokens
 * are its `gen_ai.usage.*` (read by `readSpan`) or older `llm.usage.*`.
 */
export const openLlmetrySource: InteractionSource = {
  name: 'openllmetry',
  recognise(span: SpanLike, ctx: NormalizeContext): Interaction | typeof UNUSABLE_SPAN | undefined {
    const attrs = span.attributes;
    if (
      attrs[ATTR_TRACELOOP_SPAN_KIND] === undefined &&
      attrs[ATTR_TRACELOOP_ENTITY_NAME] === undefined &&
      attrs[ATTR_LLM_REQUEST_TYPE] === undefined &&
      !span.scope.name.startsWith(TRACELOOP_SCOPE_PREFIX)
    ) {
      return undefined;
    }
    const kind = kindOf(span);
    if (kind === undefined) return undefined;
    const it = readSpan(span, kind, 'openllmetry', ctx);
    if (typeof it !== 'object') return it;
    it.inputTokens ??= countAt(span, ctx, 'llm.usage.prompt_tokens');
    it.outputTokens ??= countAt(span, ctx, 'llm.usage.completion_tokens');
    it.cacheReadTokens ??= countAt(span, ctx, 'gen_ai.usage.cache_read_input_tokens');
    // openai's HTTP errors are named plain `Error` (their `name` is not their class): that says nothing.
    if (it.error !== undefined) it.error.class = specificErrorClass(it.error.class);
    it.userId ??= idAt(span, ctx, ASSOCIATION_USER_ID) ?? idAt(span, ctx, ASSOCIATION_USER_ID_CAMEL);
    it.conversationId ??=
      idAt(span, ctx, ASSOCIATION_CONVERSATION_ID) ??
      idAt(span, ctx, ASSOCIATION_SESSION_ID) ??
      idAt(span, ctx, ASSOCIATION_SESSION_ID_CAMEL);
    const entity = textAt(span, ctx, ATTR_TRACELOOP_ENTITY_NAME);
    if (kind === 'tool') {
      it.toolName ??=
        (entity !== undefined && LANGCHAIN_TOOL_CLASSES.has(entity) ? langChainToolName(span) : undefined) ??
        entity ??
        span.name;
    } else if (kind === 'turn') it.agentName ??= entity ?? textAt(span, ctx, 'traceloop.workflow.name');
    if (ctx.captureContent && kind !== 'generation') {
      it.inputText ??= contentAt(span, ctx, 'traceloop.entity.input');
      it.outputText ??= contentAt(span, ctx, 'traceloop.entity.output');
    }
    return it;
  },
};
