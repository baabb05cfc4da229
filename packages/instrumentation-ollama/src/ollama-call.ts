import { type Attributes, diag } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
} from '@spantrack/conventions';
import { type Instruments, ModelCall } from '@spantrack/instrumentation/model-call';
import { commonAttributes, requestAttributes, responseAttributes } from './attributes';
import { errorTypeOf } from './error-type';
import type { OllamaRequest, OllamaResponse } from './internal-types';
import { inputMessages, outputMessages, systemInstructions } from './messages';

/** A {@link ModelCall} that reads Ollama's requests and responses. */
export class OllamaCall {
  private readonly call: ModelCall;

  constructor(
    instruments: Instruments,
    operation: string,
    request: OllamaRequest,
    host: string | undefined,
    private readonly captureContent: boolean,
  ) {
    const common = commonAttributes(operation, request, host);
    const spanAttributes = requestAttributes(request);
    if (captureContent) {
      const input = inputMessages(request);
      if (input !== undefined) spanAttributes[ATTR_GEN_AI_INPUT_MESSAGES] = input;
      const system = systemInstructions(request);
      if (system !== undefined) spanAttributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = system;
    }
    const model = common[ATTR_GEN_AI_REQUEST_MODEL];
    const spanName = typeof model === 'string' ? `${operation} ${model}` : operation;
    this.call = new ModelCall(instruments, { spanName, commonAttributes: common, spanAttributes });
  }

  get ctx() {
    return this.call.ctx;
  }

  /** Never throws: a response it cannot read still ends the span, and the caller gets it as is. */
  succeed(response: OllamaResponse | undefined): void {
    const valid = response !== null && typeof response === 'object' ? response : undefined;
    let attributes: Attributes = {};
    try {
      attributes = valid !== undefined ? responseAttributes(valid) : {};
      if (this.captureContent && valid !== undefined) {
        const output = outputMessages(valid);
        if (output !== undefined) attributes[ATTR_GEN_AI_OUTPUT_MESSAGES] = output;
      }
    } catch (error) {
      diag.debug('@spantrack/instrumentation-ollama: could not read an ollama response', error);
    }
    this.call.succeed({ attributes, inputTokens: valid?.prompt_eval_count, outputTokens: valid?.eval_count });
  }

  fail(error: unknown): void {
    this.call.fail(error, errorTypeOf(error));
  }
}
