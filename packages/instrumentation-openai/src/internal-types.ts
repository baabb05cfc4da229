// The parts of the openai client's requests and responses this package reads, written structurally
// so that building it needs no `openai` and fields a version lacks are simply absent.

export interface ChatContentPart {
  type?: string;
  text?: string;
  refusal?: string;
}

export interface ChatToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

export interface ChatMessageParam {
  role?: string;
  content?: string | ChatContentPart[] | null;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
}

export interface ChatCompletionParams {
  model?: string;
  messages?: ChatMessageParam[];
  stream?: boolean | null;
  temperature?: number | null;
  top_p?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  seed?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  frequency_penalty?: number | null;
  presence_penalty?: number | null;
  response_format?: { type?: string } | null;
}

export interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  /** Of the prompt tokens, those read from the provider's prompt cache. */
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

export interface ChatChoice {
  index?: number;
  finish_reason?: string | null;
  message?: ChatMessageParam;
  /** stream chunks */
  delta?: ChatMessageParam & { tool_calls?: (ChatToolCall & { index?: number })[] };
}

export interface ChatCompletion {
  id?: string;
  model?: string;
  choices?: ChatChoice[];
  usage?: Usage | null;
}

export interface EmbeddingParams {
  model?: string;
  encoding_format?: string;
  dimensions?: number;
}

export interface EmbeddingResponse {
  model?: string;
  data?: { embedding?: number[] | string }[];
  usage?: { prompt_tokens?: number };
}

/** `client.baseURL`, the only client field read. */
export interface ResourceLike {
  _client?: { baseURL?: string };
}

/** The client's `Stream`: an async iterable whose `iterator` member `tee()` also uses. */
export interface OpenAIStream {
  iterator: () => AsyncIterator<ChatCompletion>;
}

export type CreateMethod = (this: ResourceLike, ...args: unknown[]) => PromiseLike<unknown>;

export interface OpenAIModuleExports {
  OpenAI?: {
    Chat?: { Completions?: { prototype: Record<string, unknown> } };
    Embeddings?: { prototype: Record<string, unknown> };
  };
}
