import { performance } from 'node:perf_hooks';
import {
  type Attributes,
  type Context,
  context,
  type Histogram,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
} from '@spantrack/conventions';
import { commonAttributes, requestAttributes, responseAttributes } from './attributes';
import { errorTypeOf } from './error-type';
import type { OllamaRequest, OllamaResponse } from './internal-types';
import { inputMessages, outputMessages, systemInstructions } from './messages';
import {
  ATTR_GEN_AI_TOKEN_TYPE,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
} from './semconv';

export interface Instruments {
  tracer: Tracer;
  duration: Histogram;
  tokens: Histogram;
}

/** One model request: its span, and its metrics once it ends (exactly once, either way). */
export class ModelCall {
  readonly span: Span;
  readonly ctx: Context;
  private readonly started = performance.now();
  private readonly metricAttributes: Attributes;
  private ended = false;

  constructor(
    private readonly instruments: Instruments,
    operation: string,
    request: OllamaRequest,
    host: string | undefined,
    private readonly captureContent: boolean,
  ) {
    this.metricAttributes = commonAttributes(operation, request, host);
    const attributes: Attributes = { ...this.metricAttributes, ...requestAttributes(request) };
    if (captureContent) {
      const input = inputMessages(request);
      if (input !== undefined) attributes[ATTR_GEN_AI_INPUT_MESSAGES] = input;
      const system = systemInstructions(request);
      if (system !== undefined) attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = system;
    }
    const model = attributes[ATTR_GEN_AI_REQUEST_MODEL];
    const name = `${attributes[ATTR_GEN_AI_OPERATION_NAME]}${typeof model === 'string' ? ` ${model}` : ''}`;
    this.span = instruments.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes });
    this.ctx = trace.setSpan(context.active(), this.span);
  }

  succeed(response: OllamaResponse | undefined): void {
    if (this.ended) return;
    this.ended = true;
    const attrs = response !== undefined && response !== null ? responseAttributes(response) : {};
    if (this.captureContent && response !== undefined && response !== null) {
      const output = outputMessages(response);
      if (output !== undefined) attrs[ATTR_GEN_AI_OUTPUT_MESSAGES] = output;
    }
    this.span.setAttributes(attrs);
    const metricAttrs = { ...this.metricAttributes };
    const responseModel = attrs[ATTR_GEN_AI_RESPONSE_MODEL];
    if (responseModel !== undefined) metricAttrs[ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
    this.recordDuration(metricAttrs);
    this.recordTokens(response?.prompt_eval_count, GEN_AI_TOKEN_TYPE_VALUE_INPUT, metricAttrs);
    this.recordTokens(response?.eval_count, GEN_AI_TOKEN_TYPE_VALUE_OUTPUT, metricAttrs);
    this.span.end();
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    const type = errorTypeOf(error);
    if (error instanceof Error) this.span.recordException(error);
    this.span.setAttribute(ATTR_ERROR_TYPE, type);
    this.span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    this.recordDuration({ ...this.metricAttributes, [ATTR_ERROR_TYPE]: type });
    this.span.end();
  }

  private recordDuration(attrs: Attributes): void {
    this.instruments.duration.record((performance.now() - this.started) / 1000, attrs);
  }

  private recordTokens(count: number | undefined, type: string, attrs: Attributes): void {
    if (typeof count !== 'number' || !Number.isFinite(count)) return;
    this.instruments.tokens.record(count, { ...attrs, [ATTR_GEN_AI_TOKEN_TYPE]: type });
  }
}
