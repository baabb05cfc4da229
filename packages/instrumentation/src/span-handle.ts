import { type Context, context, type Span } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_SPANTRACK_COST_USD,
  ATTR_SPANTRACK_INPUT_TEXT,
  ATTR_SPANTRACK_INTENT_CONFIDENCE,
  ATTR_SPANTRACK_INTENT_NAME,
  ATTR_SPANTRACK_OUTPUT_LENGTH,
  ATTR_SPANTRACK_OUTPUT_MESSAGE_ID,
  ATTR_SPANTRACK_OUTPUT_TEXT,
  SPANTRACK_PROPERTY_PREFIX,
} from '@spantrack/conventions';
import { toAttributeValue, writeProperties } from './properties';
import { isThenable, recordFailure, type TrackerCore } from './tracker-core';
import type {
  ClassifyHandle,
  GenerateHandle,
  Properties,
  PropertyValue,
  TokenUsage,
  ToolHandle,
  TurnHandle,
} from './types';
import { readConfidence, readCount, readNonNegative, readString } from './validate';

/** What a span run by a handle stands for; decides what its function's result means. */
export const HandleKind = {
  Classification: 0,
  Generation: 1,
  Turn: 2,
  Tool: 3,
} as const;
export type HandleKind = (typeof HandleKind)[keyof typeof HandleKind];

/** Told how many messages a turn made (the conversation counts them for `message_count`). */
export interface MessageCounter {
  countMessages(n: number): void;
}

/**
 * `classify`, `generate`, `turn` or `tool` called without a function: nothing happened, so no span
 * is written and no message counted. Reported (once) through diag; the call returns undefined.
 */
export function noFunction<T>(core: TrackerCore, where: string, fn: unknown): T {
  core.diag.invalid(where, 'fn', 'expected a function; nothing was recorded', fn);
  return undefined as T;
}

/**
 * The handle given to the function of `classify`, `generate`, `turn` and `tool`. One class for
 * all four keeps call sites monomorphic; the public types show each only its own methods.
 */
export class SpanHandle implements ClassifyHandle, GenerateHandle, TurnHandle, ToolHandle {
  private _output: string | undefined = undefined;
  private _outputMessageId: string | undefined = undefined;
  private _requestModel: boolean;
  private _ended = false;

  constructor(
    private readonly _core: TrackerCore,
    readonly span: Span,
    private readonly _kind: HandleKind,
    private readonly _where: string,
    requestModelSet: boolean,
    private readonly _counter: MessageCounter | undefined,
  ) {
    this._requestModel = requestModelSet;
  }

  /**
   * Runs `fn` with this handle, in `ctx` (where the span is active), and ends the span. The caller
   * has checked that `fn` is a function before starting the span (`noFunction` otherwise).
   */
  run<T>(ctx: Context, fn: (handle: this) => T): T {
    let result: T;
    try {
      result = context.with(ctx, fn, undefined, this);
    } catch (err) {
      this._fail(err);
      throw err;
    }
    if (isThenable(result)) {
      return result.then(
        (value) => {
          this._succeed(value);
          return value;
        },
        (err: unknown) => {
          this._fail(err);
          throw err;
        },
      ) as T;
    }
    this._succeed(result);
    return result;
  }

  setModel(model: string): this {
    const m = readString(this._core.diag, this._where, 'model', model);
    if (m !== undefined) {
      this.span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, m);
      if (!this._requestModel) {
        this.span.setAttribute(ATTR_GEN_AI_REQUEST_MODEL, m);
        this._requestModel = true;
      }
    }
    return this;
  }

  setProvider(provider: string): this {
    const p = readString(this._core.diag, this._where, 'provider', provider);
    if (p !== undefined) this.span.setAttribute(ATTR_GEN_AI_PROVIDER_NAME, p);
    return this;
  }

  setUsage(usage: TokenUsage): this {
    if (usage === null || typeof usage !== 'object') {
      this._core.diag.invalid(this._where, 'usage', 'expected an object', usage);
      return this;
    }
    const d = this._core.diag;
    const input = readCount(d, this._where, 'inputTokens', usage.inputTokens);
    if (input !== undefined) this.span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, input);
    const output = readCount(d, this._where, 'outputTokens', usage.outputTokens);
    if (output !== undefined) this.span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, output);
    return this;
  }

  setCost(usd: number): this {
    const c = readNonNegative(this._core.diag, this._where, 'cost', usd);
    if (c !== undefined) this.span.setAttribute(ATTR_SPANTRACK_COST_USD, c);
    return this;
  }

  setInput(text: string): this {
    const t = readString(this._core.diag, this._where, 'input', text);
    if (t !== undefined && this._core.captureContent) this.span.setAttribute(ATTR_SPANTRACK_INPUT_TEXT, t);
    return this;
  }

  setOutput(text: string, messageId?: string): this {
    const t = readString(this._core.diag, this._where, 'output', text);
    if (t !== undefined) this._output = t;
    if (messageId !== undefined) this.setOutputMessageId(messageId);
    return this;
  }

  setOutputMessageId(messageId: string): this {
    const id = readString(this._core.diag, this._where, 'outputMessageId', messageId);
    if (id !== undefined) this._outputMessageId = id;
    return this;
  }

  setCallId(callId: string): this {
    const id = readString(this._core.diag, this._where, 'callId', callId);
    if (id !== undefined) this.span.setAttribute(ATTR_GEN_AI_TOOL_CALL_ID, id);
    return this;
  }

  setProperty(name: string, value: PropertyValue): this {
    if (typeof name !== 'string' || name.length === 0) {
      this._core.diag.invalid(this._where, 'property name', 'expected a non-empty string', name);
      return this;
    }
    const v = toAttributeValue(this._core.diag, this._where, `properties.${name}`, value);
    if (v !== undefined) this.span.setAttribute(SPANTRACK_PROPERTY_PREFIX + name, v);
    return this;
  }

  setProperties(properties: Properties): this {
    const attrs: Record<string, never> = {};
    writeProperties(this._core.diag, this._where, SPANTRACK_PROPERTY_PREFIX, properties, attrs);
    this.span.setAttributes(attrs);
    return this;
  }

  private _succeed(value: unknown): void {
    if (this._ended) return;
    this._ended = true;
    const span = this.span;
    switch (this._kind) {
      case HandleKind.Classification:
        this._writeClassification(value);
        break;
      case HandleKind.Generation:
        if (typeof value === 'string' && this._output === undefined) this._output = value;
        this._writeOutput();
        break;
      case HandleKind.Turn:
        if (typeof value === 'string' && this._output === undefined) this._output = value;
        this._writeOutput();
        this._counter?.countMessages(2);
        break;
      case HandleKind.Tool:
        break;
    }
    span.end();
  }

  private _fail(err: unknown): void {
    if (this._ended) return;
    this._ended = true;
    recordFailure(this.span, err);
    // the customer's message was sent even though no answer came
    if (this._kind === HandleKind.Turn) this._counter?.countMessages(1);
    this.span.end();
  }

  private _writeClassification(value: unknown): void {
    if (value === null || typeof value !== 'object') {
      this._core.diag.invalid(this._where, 'result', 'expected { intent, confidence }', value);
      return;
    }
    const d = this._core.diag;
    const { intent, confidence } = value as { intent?: unknown; confidence?: unknown };
    if (typeof intent === 'string' && intent.length > 0) {
      this.span.setAttribute(ATTR_SPANTRACK_INTENT_NAME, intent);
    } else {
      d.invalid(this._where, 'intent', 'expected a non-empty string', intent);
    }
    const c = readConfidence(d, this._where, 'confidence', confidence);
    if (c !== undefined) this.span.setAttribute(ATTR_SPANTRACK_INTENT_CONFIDENCE, c);
  }

  private _writeOutput(): void {
    const output = this._output;
    if (output !== undefined) {
      this.span.setAttribute(ATTR_SPANTRACK_OUTPUT_LENGTH, output.length);
      if (this._core.captureContent) this.span.setAttribute(ATTR_SPANTRACK_OUTPUT_TEXT, output);
    }
    if (this._outputMessageId !== undefined) {
      this.span.setAttribute(ATTR_SPANTRACK_OUTPUT_MESSAGE_ID, this._outputMessageId);
    }
  }
}
