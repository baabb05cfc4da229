import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@spantrack/conventions';
import { commonCallAttributes } from '@spantrack/instrumentation/model-call';
import type { OllamaRequest, OllamaResponse } from './internal-types';
import {
  ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  GEN_AI_OUTPUT_TYPE_VALUE_JSON,
  GEN_AI_PROVIDER_NAME_VALUE_OLLAMA,
} from './semconv';

/** Attributes known before the call, shared by the span and both metrics. */
export function commonAttributes(operation: string, request: OllamaRequest, host: string | undefined) {
  return commonCallAttributes(operation, GEN_AI_PROVIDER_NAME_VALUE_OLLAMA, request.model, host);
}

/** One row per sampling option: Ollama's `options` field and the GenAI request attribute. */
const REQUEST_OPTIONS: readonly { option: string; key: string }[] = [
  { option: 'temperature', key: ATTR_GEN_AI_REQUEST_TEMPERATURE },
  { option: 'top_p', key: ATTR_GEN_AI_REQUEST_TOP_P },
  { option: 'top_k', key: ATTR_GEN_AI_REQUEST_TOP_K },
  { option: 'seed', key: ATTR_GEN_AI_REQUEST_SEED },
  { option: 'num_predict', key: ATTR_GEN_AI_REQUEST_MAX_TOKENS },
  { option: 'frequency_penalty', key: ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY },
  { option: 'presence_penalty', key: ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY },
];

/** Span-only request attributes: sampling options and the asked-for output type. */
export function requestAttributes(request: OllamaRequest): Attributes {
  const attrs: Attributes = {};
  const options = (request.options ?? {}) as Record<string, unknown>;
  for (const { option, key } of REQUEST_OPTIONS) {
    const value = options[option];
    if (typeof value === 'number' && Number.isFinite(value)) attrs[key] = value;
  }
  const stop = options.stop;
  if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) {
    attrs[ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop;
  }
  // `format` is 'json' or a JSON schema: either way the answer is JSON.
  if (request.format !== undefined && request.format !== null && request.format !== '') {
    attrs[ATTR_GEN_AI_OUTPUT_TYPE] = GEN_AI_OUTPUT_TYPE_VALUE_JSON;
  }
  return attrs;
}

/** Response attributes: model, usage, finish reason, embedding size. */
export function responseAttributes(response: OllamaResponse): Attributes {
  const attrs: Attributes = {};
  if (typeof response.model === 'string' && response.model !== '') {
    attrs[ATTR_GEN_AI_RESPONSE_MODEL] = response.model;
  }
  if (typeof response.prompt_eval_count === 'number') {
    attrs[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = response.prompt_eval_count;
  }
  if (typeof response.eval_count === 'number') attrs[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = response.eval_count;
  if (typeof response.done_reason === 'string' && response.done_reason !== '') {
    attrs[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [response.done_reason];
  }
  const vector = response.embeddings?.[0] ?? response.embedding;
  if (Array.isArray(vector)) attrs[ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = vector.length;
  return attrs;
}
