import { type Attributes, diag } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_REQUEST_MODEL,
  GenAiOperationName,
} from '@spantrack/conventions';
import { type Instruments, ModelCall } from '@spantrack/instrumentation/model-call';
import {
  chatRequestAttributes,
  chatResponseAttributes,
  commonAttributes,
  embeddingRequestAttributes,
  embeddingResponseAttributes,
} from './attributes';
import { errorTypeOf } from './error-type';
import type {
  ChatCompletion,
  ChatCompletionParams,
  EmbeddingParams,
  EmbeddingResponse,
} from './internal-types';
import { inputMessages, outputMessages } from './messages';

export type OpenAIOperation = typeof GenAiOperationName.CHAT | typeof GenAiOperationName.EMBEDDINGS;

/** A {@link ModelCall} that reads the openai client's chat and embeddings requests and responses. */
export class OpenAICall {
  private readonly call: ModelCall;

  constructor(
    instruments: Instruments,
    private readonly operation: OpenAIOperation,
    params: ChatCompletionParams & EmbeddingParams,
    baseURL: string | undefined,
    private readonly captureContent: boolean,
  ) {
    const common = commonAttributes(operation, params.model, baseURL);
    let spanAttributes: Attributes;
    if (operation === GenAiOperationName.CHAT) {
      spanAttributes = chatRequestAttributes(params);
      const input = captureContent ? inputMessages(params.messages) : undefined;
      if (input !== undefined) spanAttributes[ATTR_GEN_AI_INPUT_MESSAGES] = input;
    } else {
      spanAttributes = embeddingRequestAttributes(params);
    }
    const model = common[ATTR_GEN_AI_REQUEST_MODEL];
    const spanName = typeof model === 'string' ? `${operation} ${model}` : operation;
    this.call = new ModelCall(instruments, { spanName, commonAttributes: common, spanAttributes });
  }

  get ctx() {
    return this.call.ctx;
  }

  /** Never throws: a result it cannot read still ends the span, and the caller gets it as is. */
  succeed(result: unknown): void {
    try {
      this.record(result);
    } catch (error) {
      diag.debug('@spantrack/instrumentation-openai: could not read an openai response', error);
      this.call.succeed({ attributes: {} });
    }
  }

  private record(result: unknown): void {
    const valid = result !== null && typeof result === 'object' ? result : {};
    if (this.operation === GenAiOperationName.EMBEDDINGS) {
      const response = valid as EmbeddingResponse;
      this.call.succeed({
        attributes: embeddingResponseAttributes(response),
        inputTokens: response.usage?.prompt_tokens,
      });
      return;
    }
    const completion = valid as ChatCompletion;
    const attributes = chatResponseAttributes(completion);
    if (this.captureContent) {
      const output = outputMessages(completion.choices);
      if (output !== undefined) attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] = output;
    }
    this.call.succeed({
      attributes,
      inputTokens: completion.usage?.prompt_tokens,
      outputTokens: completion.usage?.completion_tokens,
    });
  }

  fail(error: unknown): void {
    this.call.fail(error, errorTypeOf(error));
  }
}
