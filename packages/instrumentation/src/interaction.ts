import { type Attributes, type Span, SpanStatusCode } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_SPANTRACK_INPUT_MESSAGE_ID,
  ATTR_SPANTRACK_INPUT_TEXT,
  ATTR_SPANTRACK_OUTPUT_LENGTH,
  ATTR_SPANTRACK_OUTPUT_MESSAGE_ID,
  ATTR_SPANTRACK_OUTPUT_TEXT,
  ATTR_SPANTRACK_SUCCESS,
  ERROR_TYPE_OTHER,
  GenAiOperationName,
  SPANTRACK_PROPERTY_PREFIX,
} from '@spantrack/conventions';
import { toAttributeValue, writeProperties } from './properties';
import { addMillis, millisToHrTime, spanStartTime } from './time';
import { optionsOf, type RawOptions, type TrackerCore } from './tracker-core';
import type { EndOptions, Interaction, Properties, PropertyValue } from './types';
import { readBoolean, readNonNegative, readString } from './validate';

/*
 * An interaction: `begin()` starts an `invoke_agent` span, `end()` finishes it.
 * `track()` writes the same span in one go.
 */

/** Start attributes of an interaction: operation, input id and (with capture) input text. */
export function writeInteractionStart(
  core: TrackerCore,
  where: string,
  opts: RawOptions,
  attrs: Attributes,
): void {
  attrs[ATTR_GEN_AI_OPERATION_NAME] = GenAiOperationName.INVOKE_AGENT;
  if (opts.input !== undefined) {
    const input = readString(core.diag, where, 'input', opts.input);
    if (input !== undefined && core.captureContent) attrs[ATTR_SPANTRACK_INPUT_TEXT] = input;
  }
  if (opts.inputMessageId !== undefined) {
    const id = readString(core.diag, where, 'inputMessageId', opts.inputMessageId);
    if (id !== undefined) attrs[ATTR_SPANTRACK_INPUT_MESSAGE_ID] = id;
  }
}

/**
 * End attributes of an interaction. Returns the status message when the interaction
 * failed (`success: false`): the output with content capture on (the output is the error
 * message), the error type without it; otherwise `undefined`.
 */
export function writeInteractionEnd(
  core: TrackerCore,
  where: string,
  opts: RawOptions,
  attrs: Attributes,
): string | undefined {
  const d = core.diag;
  const success = readBoolean(d, where, 'success', opts.success) ?? true;
  const output = opts.output === undefined ? undefined : readString(d, where, 'output', opts.output);
  attrs[ATTR_SPANTRACK_SUCCESS] = success;
  if (opts.outputMessageId !== undefined) {
    const id = readString(d, where, 'outputMessageId', opts.outputMessageId);
    if (id !== undefined) attrs[ATTR_SPANTRACK_OUTPUT_MESSAGE_ID] = id;
  }
  if (opts.properties !== undefined) {
    writeProperties(d, where, SPANTRACK_PROPERTY_PREFIX, opts.properties, attrs);
  }
  if (success) {
    if (opts.errorType !== undefined) d.invalid(where, 'errorType', 'only meaningful with success: false');
    if (output !== undefined) {
      attrs[ATTR_SPANTRACK_OUTPUT_LENGTH] = output.length;
      if (core.captureContent) attrs[ATTR_SPANTRACK_OUTPUT_TEXT] = output;
    }
    return undefined;
  }
  // A failed interaction's output is its error message. The status message leaves over OTLP like
  // any attribute, so it carries the output only with content capture on; otherwise the error type.
  const errorType =
    opts.errorType === undefined ? undefined : readString(d, where, 'errorType', opts.errorType);
  const type = errorType ?? ERROR_TYPE_OTHER;
  attrs[ATTR_ERROR_TYPE] = type;
  return core.captureContent && output !== undefined ? output : type;
}

export class InteractionImpl implements Interaction {
  private _ended = false;

  constructor(
    private readonly _core: TrackerCore,
    readonly span: Span,
  ) {}

  setInput(text: string): this {
    const t = readString(this._core.diag, 'setInput', 'input', text);
    if (t !== undefined && this._core.captureContent) this.span.setAttribute(ATTR_SPANTRACK_INPUT_TEXT, t);
    return this;
  }

  setProperty(name: string, value: PropertyValue): this {
    if (typeof name !== 'string' || name.length === 0) {
      this._core.diag.invalid('setProperty', 'name', 'expected a non-empty string', name);
      return this;
    }
    const v = toAttributeValue(this._core.diag, 'setProperty', `properties.${name}`, value);
    if (v !== undefined) this.span.setAttribute(SPANTRACK_PROPERTY_PREFIX + name, v);
    return this;
  }

  setProperties(properties: Properties): this {
    const attrs: Attributes = {};
    writeProperties(this._core.diag, 'setProperties', SPANTRACK_PROPERTY_PREFIX, properties, attrs);
    this.span.setAttributes(attrs);
    return this;
  }

  end(options?: EndOptions): void {
    const core = this._core;
    if (this._ended) {
      core.diag.problem('end', 'called more than once; the later calls are ignored');
      return;
    }
    this._ended = true;
    const opts = optionsOf(core, 'end', options);
    const attrs: Attributes = {};
    const failure = writeInteractionEnd(core, 'end', opts, attrs);
    const span = this.span;
    span.setAttributes(attrs);
    if (failure !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
    if (opts.latency === undefined) {
      span.end();
      return;
    }
    // A given latency fixes the duration: the span ends that long after it started.
    const latency = readNonNegative(core.diag, 'end', 'latency', opts.latency);
    const start = spanStartTime(span);
    span.end(
      latency === undefined ? undefined : start ? addMillis(start, latency) : millisToHrTime(Date.now()),
    );
  }
}
