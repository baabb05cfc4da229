// The parts of the ollama client's requests and responses this package reads, written structurally
// so that no version of `ollama` is needed to build it and fields missing in older versions are
// simply absent.

export interface OllamaToolCall {
  function?: { name?: string; arguments?: unknown };
}

export interface OllamaMessage {
  role?: string;
  content?: string;
  thinking?: string;
  images?: unknown[];
  tool_calls?: OllamaToolCall[];
  tool_name?: string;
}

export interface OllamaOptions {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  seed?: number;
  num_predict?: number;
  stop?: string[];
  frequency_penalty?: number;
  presence_penalty?: number;
}

export interface OllamaRequest {
  model?: string;
  stream?: boolean;
  format?: unknown;
  options?: Partial<OllamaOptions>;
  /** chat */
  messages?: OllamaMessage[];
  /** generate */
  prompt?: string;
  system?: string;
  /** embed: one text or many; embeddings (older API): `prompt` */
  input?: string | string[];
}

export interface OllamaResponse {
  model?: string;
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  /** chat */
  message?: OllamaMessage;
  /** generate */
  response?: string;
  /** embed */
  embeddings?: number[][];
  /** embeddings (older API) */
  embedding?: number[];
}

/** What the client's `chat` / `generate` return with `stream: true`. */
export interface OllamaStream extends AsyncIterable<OllamaResponse> {
  abort?(): void;
}

/** The client's `config.host`, the only instance field read. */
export interface OllamaClientLike {
  config?: { host?: string };
}

export type OllamaMethod = (this: OllamaClientLike, request: OllamaRequest) => Promise<unknown>;

/** The module's exports, CommonJS or ESM: the `Ollama` class whose prototype is patched. */
export interface OllamaModuleExports {
  Ollama?: { prototype: Record<string, unknown> };
  [Symbol.toStringTag]?: string;
  default?: unknown;
}
