import type { InteractionKind } from '@spantrack/conventions';
import type { SpanLike } from '../../span-like';
import type { Interaction } from '../interaction';
import type { InteractionSource } from '../normalize';
import { type NormalizeContext, readSpan, type UNUSABLE_SPAN } from '../read-span';
import { contentAt, countAt, idAt, textAt } from './producer-fields';

/** The Vercel AI SDK's legacy telemetry (`experimental_telemetry`): every span names its operation here. */
export const ATTR_AI_OPERATION_ID = 'ai.operationId';

/**
 * `ai.generateText` / `ai.streamText` / `ai.generateObject` / `ai.streamObject` are one call of the
 * SDK (a whole tool loop): a turn. Their `.doGenerate` / `.doStream` children are the model calls.
 * `ai.embed*` calls are no event unless they fail.
 */
function kindOf(operation: string, span: SpanLike): InteractionKind | undefined {
  switch (operation) {
    case 'ai.generateText':
    case 'ai.streamText':
    case 'ai.generateObject':
    case 'ai.streamObject':
      return 'turn';
    case 'ai.generateText.doGenerate':
    case 'ai.streamText.doStream':
    case 'ai.generateObject.doGenerate':
    case 'ai.streamObject.doStream':
      return 'generation';
    case 'ai.toolCall':
      return 'tool';
    case 'ai.embed':
    case 'ai.embedMany':
    case 'ai.embed.doEmbed':
    case 'ai.embedMany.doEmbed':
      return span.status.code === 2 ? 'error' : undefined;
    default:
      return undefined;
  }
}

/** Where the SDK's users put ids: `experimental_telemetry.metadata` (legacy spans). */
const METADATA_PREFIX = 'ai.telemetry.metadata.';
/**
 * Where `@ai-sdk/otel` writes the call's `runtimeContext` entries its user chose to record
 * (`runtimeContext: true` and `includeRuntimeContext`), on the `invoke_agent` and step spans.
 */
const RUNTIME_CONTEXT_PREFIX = 'ai.settings.context.';
// The names users give those ids, in both casings.
const USER_ID_KEYS = ['userId', 'user_id'];
const CONVERSATION_ID_KEYS = ['conversationId', 'conversation_id', 'sessionId', 'session_id'];

/** The attribute keys of the user and conversation ids recorded under one prefix, built once. */
export interface AiSdkIdKeys {
  readonly user: readonly string[];
  readonly conversation: readonly string[];
}

function idKeys(prefix: string): AiSdkIdKeys {
  return {
    user: USER_ID_KEYS.map((key) => prefix + key),
    conversation: CONVERSATION_ID_KEYS.map((key) => prefix + key),
  };
}

const METADATA_ID_KEYS = idKeys(METADATA_PREFIX);
export const RUNTIME_CONTEXT_ID_KEYS = idKeys(RUNTIME_CONTEXT_PREFIX);

/** User and conversation ids the SDK's user recorded under one prefix, filling what the span lacks. */
export function readAiSdkIds(
  span: SpanLike,
  ctx: NormalizeContext,
  it: Interaction,
  keys: AiSdkIdKeys,
): void {
  it.userId ??= firstIdAt(span, ctx, keys.user);
  it.conversationId ??= firstIdAt(span, ctx, keys.conversation);
}

/** The first usable id among `keys`. */
function firstIdAt(span: SpanLike, ctx: NormalizeContext, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const id = idAt(span, ctx, key);
    if (id !== undefined) return id;
  }
  return undefined;
}

/** Vercel AI SDK `ai.*` spans (`ai.model.*`, `ai.usage.*`, `ai.toolCall.*`, `ai.telemetry.metadata.*`). */
export const aiSdkSource: InteractionSource = {
  name: 'ai_sdk',
  recognise(span: SpanLike, ctx: NormalizeContext): Interaction | typeof UNUSABLE_SPAN | undefined {
    const operation = span.attributes[ATTR_AI_OPERATION_ID];
    if (typeof operation !== 'string') return undefined;
    const kind = kindOf(operation, span);
    if (kind === undefined) return undefined;
    const it = readSpan(span, kind, 'ai_sdk', ctx);
    if (typeof it !== 'object') return it;
    // Model calls also carry gen_ai.* (read above); the SDK's own keys fill what those leave out.
    it.model ??= textAt(span, ctx, 'ai.response.model') ?? textAt(span, ctx, 'ai.model.id');
    it.provider ??= textAt(span, ctx, 'ai.model.provider');
    it.inputTokens ??=
      countAt(span, ctx, 'ai.usage.inputTokens') ?? countAt(span, ctx, 'ai.usage.promptTokens');
    it.outputTokens ??=
      countAt(span, ctx, 'ai.usage.outputTokens') ?? countAt(span, ctx, 'ai.usage.completionTokens');
    it.cacheReadTokens ??=
      countAt(span, ctx, 'ai.usage.cachedInputTokens') ??
      countAt(span, ctx, 'ai.usage.inputTokenDetails.cacheReadTokens');
    it.agentName ??= textAt(span, ctx, 'ai.telemetry.functionId');
    readAiSdkIds(span, ctx, it, METADATA_ID_KEYS);
    if (kind === 'tool') {
      it.toolName ??= textAt(span, ctx, 'ai.toolCall.name');
      it.toolCallId ??= idAt(span, ctx, 'ai.toolCall.id');
    }
    if (ctx.captureContent) {
      it.outputText ??= contentAt(span, ctx, 'ai.response.text');
      if (kind === 'turn') it.inputText ??= promptText(contentAt(span, ctx, 'ai.prompt'));
    }
    return it;
  },
};

/** The user's text of `ai.prompt` (`{"prompt": "..."}` or `{"messages": [...]}`: the last user message). */
function promptText(json: string | undefined): string | undefined {
  if (json === undefined) return undefined;
  let prompt: unknown;
  try {
    prompt = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (prompt === null || typeof prompt !== 'object') return undefined;
  const p = prompt as { prompt?: unknown; messages?: unknown };
  if (typeof p.prompt === 'string') return p.prompt;
  if (!Array.isArray(p.messages)) return undefined;
  for (let i = p.messages.length - 1; i >= 0; i--) {
    const m = p.messages[i] as { role?: unknown; content?: unknown } | null;
    if (m === null || typeof m !== 'object' || m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) {
      const texts = m.content
        .filter(
          (part): part is { type: 'text'; text: string } =>
            part?.type === 'text' && typeof part.text === 'string',
        )
        .map((part) => part.text);
      return texts.length > 0 ? texts.join('\n') : undefined;
    }
  }
  return undefined;
}
