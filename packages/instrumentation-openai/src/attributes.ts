import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@spantrack/conventions';
import { commonCallAttributes } from '@spantrack/instrumentation/model-call';
import type {
  ChatCompletion,
  ChatCompletionParams,
  EmbeddingParams,
  EmbeddingResponse,
} from './internal-types';
import {
  ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
  ATTR_GEN_AI_REQUEST_CHOICE_COUNT,
  ATTR_GEN_AI_REQUEST_ENCODING_FORMATS,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TOP_P,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
} from './semconv';

/** Attributes known before the call, shared by the span and both metrics. */
export function commonAttributes(operation: string, model: unknown, baseURL: string | undefined): Attributes {
  return commonCallAttributes(operation, GEN_AI_PROVIDER_NAME_VALUE_OPENAI, model, baseURL);
}

/** One row per numeric request parameter and its GenAI attribute (first present field wins). */
const CHAT_PARAMETERS: readonly { fields: (keyof ChatCompletionParams)[]; key: string }[] = [
  { fields: ['temperature'], key: ATTR_GEN_AI_REQUEST_TEMPERATURE },
  { fields: ['top_p'], key: ATTR_GEN_AI_REQUEST_TOP_P },
  { fields: ['max_completion_tokens', 'max_tokens'], key: ATTR_GEN_AI_REQUEST_MAX_TOKENS },
  { fields: ['seed'], key: ATTR_GEN_AI_REQUEST_SEED },
  { fields: ['frequency_penalty'], key: ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY },
  { fields: ['presence_penalty'], key: ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY },
];

/** Span-only attributes of a chat completion request. */
export function chatRequestAttributes(params: ChatCompletionParams): Attributes {
  const attrs: Attributes = {};
  for (const { fields, key } of CHAT_PARAMETERS) {
    const value = fields.map((f) => params[f]).find((v) => typeof v === 'number' && Number.isFinite(v));
    if (typeof value === 'number') attrs[key] = value;
  }
  if (typeof params.n === 'number' && params.n !== 1) attrs[ATTR_GEN_AI_REQUEST_CHOICE_COUNT] = params.n;
  if (typeof params.stop === 'string') attrs[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = [params.stop];
  else if (Array.isArray(params.stop)) attrs[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = params.stop;
  const format = params.response_format?.type;
  if (format === 'json_object' || format === 'json_schema') attrs[ATTR_GEN_AI_OUTPUT_TYPE] = 'json';
  else if (format === 'text') attrs[ATTR_GEN_AI_OUTPUT_TYPE] = 'text';
  return attrs;
}

/** Span-only attributes of an embeddings request. */
export function embeddingRequestAttributes(params: EmbeddingParams): Attributes {
  const attrs: Attributes = {};
  if (typeof params.encoding_format === 'string') {
    attrs[ATTR_GEN_AI_REQUEST_ENCODING_FORMATS] = [params.encoding_format];
  }
  return attrs;
}

export function chatResponseAttributes(completion: ChatCompletion): Attributes {
  const attrs: Attributes = {};
  if (typeof completion.id === 'string' && completion.id !== '')
    attrs[ATTR_GEN_AI_RESPONSE_ID] = completion.id;
  if (typeof completion.model === 'string' && completion.model !== '') {
    attrs[ATTR_GEN_AI_RESPONSE_MODEL] = completion.model;
  }
  const reasons = (completion.choices ?? [])
    .map((c) => c.finish_reason)
    .filter((r): r is string => typeof r === 'string');
  if (reasons.length > 0) attrs[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = reasons;
  const usage = completion.usage;
  if (typeof usage?.prompt_tokens === 'number') attrs[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = usage.prompt_tokens;
  if (typeof usage?.completion_tokens === 'number') {
    attrs[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = usage.completion_tokens;
  }
  // Cached prompt tokens cost less: without them a call's cost would be overstated.
  const cached = usage?.prompt_tokens_details?.cached_tokens;
  if (typeof cached === 'number') attrs[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = cached;
  return attrs;
}

export function embeddingResponseAttributes(response: EmbeddingResponse): Attributes {
  const attrs: Attributes = {};
  if (typeof response.model === 'string' && response.model !== '') {
    attrs[ATTR_GEN_AI_RESPONSE_MODEL] = response.model;
  }
  if (typeof response.usage?.prompt_tokens === 'number') {
    attrs[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = response.usage.prompt_tokens;
  }
  const vector = response.data?.[0]?.embedding;
  if (Array.isArray(vector)) attrs[ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = vector.length;
  return attrs;
}
