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
import { ATTR_ERROR_TYPE, ATTR_GEN_AI_RESPONSE_MODEL } from '@spantrack/conventions';
import {
  ATTR_GEN_AI_TOKEN_TYPE,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
} from './genai-client-metrics';

/** Where a model call records: the instrumentation's tracer and its two GenAI client histograms. */
export interface Instruments {
  tracer: Tracer;
  duration: Histogram;
  tokens: Histogram;
}

export interface CallStart {
  spanName: string;
  /** On the span and on both metrics: operation, provider, request model, server. */
  commonAttributes: Attributes;
  /** On the span only: request options, content. */
  spanAttributes: Attributes;
}

export interface CallOutcome {
  /** Set on the span; `gen_ai.response.model` among them also goes on the metrics. */
  attributes: Attributes;
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
}

/** One model request: its client span, and its metrics once it ends (exactly once, either way). */
export class ModelCall {
  readonly span: Span;
  readonly ctx: Context;
  private readonly started = performance.now();
  private readonly common: Attributes;
  private ended = false;

  constructor(
    private readonly instruments: Instruments,
    start: CallStart,
  ) {
    this.common = start.commonAttributes;
    this.span = instruments.tracer.startSpan(start.spanName, {
      kind: SpanKind.CLIENT,
      attributes: { ...start.commonAttributes, ...start.spanAttributes },
    });
    this.ctx = trace.setSpan(context.active(), this.span);
  }

  succeed(outcome: CallOutcome): void {
    if (this.ended) return;
    this.ended = true;
    this.span.setAttributes(outcome.attributes);
    const attrs = { ...this.common };
    const responseModel = outcome.attributes[ATTR_GEN_AI_RESPONSE_MODEL];
    if (responseModel !== undefined) attrs[ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
    this.recordDuration(attrs);
    this.recordTokens(outcome.inputTokens, GEN_AI_TOKEN_TYPE_VALUE_INPUT, attrs);
    this.recordTokens(outcome.outputTokens, GEN_AI_TOKEN_TYPE_VALUE_OUTPUT, attrs);
    this.span.end();
  }

  fail(error: unknown, errorType: string): void {
    if (this.ended) return;
    this.ended = true;
    // The exception's type is the client's class (`RateLimitError`): `error.type` holds only the
    // status, and the client's errors are all named `Error`, with an API code where one was sent.
    if (error instanceof Error) {
      this.span.recordException({ name: error.constructor.name, message: error.message, stack: error.stack });
    }
    this.span.setAttribute(ATTR_ERROR_TYPE, errorType);
    this.span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    this.recordDuration({ ...this.common, [ATTR_ERROR_TYPE]: errorType });
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
