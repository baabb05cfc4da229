import {
  type Attributes,
  type Context,
  type HrTime,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_SPANTRACK_INTERACTION_KIND,
  type InteractionKind,
  SPANTRACK_PROPERTY_PREFIX,
} from '@spantrack/conventions';
import { writeContextOptions } from './context-scope';
import type { Diagnostics } from './diagnostics';
import { errorMessageOf, errorTypeOf } from './error-type';
import { writeProperties } from './properties';
import { isOptions } from './validate';

/*
 * What the tracker, its interactions and its conversations share, and the few steps every span
 * goes through. Kept free of closures so the hot path allocates only the attributes object.
 */

/** Internal state of one tracker, resolved once in its constructor. */
export interface TrackerCore {
  readonly tracer: Tracer;
  readonly diag: Diagnostics;
  readonly captureContent: boolean;
  readonly agentName: string;
  /** Tracker-level context defaults (channel, org...), or undefined when there are none. */
  readonly defaults: Readonly<Attributes> | undefined;
  /** `invoke_agent {agentName}` etc. for the tracker's own agent name, built once. */
  readonly invokeAgentSpanName: string;
  readonly classifySpanName: string;
  readonly generateSpanName: string;
}

/** The options every call shares, as read from an untyped value. */
export type RawOptions = Readonly<Record<string, unknown>>;

export const EMPTY_OPTIONS: RawOptions = Object.freeze({});

/** `v` when it is an options object; otherwise `{}` (reported unless absent). */
export function optionsOf(core: TrackerCore, where: string, v: unknown): RawOptions {
  return isOptions(core.diag, where, v) ? v : EMPTY_OPTIONS;
}

/**
 * The call's own context options (userId, conversationId...), validated, or `undefined` when it
 * has none, so the common case allocates nothing.
 */
export function ownContextOf(core: TrackerCore, where: string, opts: RawOptions): Attributes | undefined {
  return writeContextOptions(core.diag, where, opts);
}

/**
 * The attributes of a new span: kind and agent, then the tracker defaults, the scope and the
 * call's own context attributes, each overriding the one before, then the call's properties.
 */
export function spanAttributes(
  core: TrackerCore,
  where: string,
  kind: InteractionKind,
  agentName: string,
  scope: Readonly<Attributes> | undefined,
  own: Readonly<Attributes> | undefined,
  properties: unknown,
): Attributes {
  const attrs: Attributes = {
    [ATTR_SPANTRACK_INTERACTION_KIND]: kind,
    [ATTR_GEN_AI_AGENT_NAME]: agentName,
  };
  const defaults = core.defaults;
  if (defaults !== undefined) for (const key in defaults) attrs[key] = defaults[key];
  if (scope !== undefined) for (const key in scope) attrs[key] = scope[key];
  if (own !== undefined) for (const key in own) attrs[key] = own[key];
  if (properties !== undefined) {
    writeProperties(core.diag, where, SPANTRACK_PROPERTY_PREFIX, properties, attrs);
  }
  return attrs;
}

/** The call's `agentName` when valid, else the tracker's. */
export function agentNameOf(core: TrackerCore, where: string, opts: RawOptions): string {
  const v = opts.agentName;
  if (v === undefined) return core.agentName;
  if (typeof v === 'string' && v.length > 0) return v;
  core.diag.invalid(where, 'agentName', 'expected a non-empty string', v);
  return core.agentName;
}

export function startSpan(
  core: TrackerCore,
  name: string,
  attributes: Attributes,
  ctx: Context,
  startTime?: HrTime,
): Span {
  return core.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes, startTime }, ctx);
}

/** A point-in-time fact: a span whose start and end are the same instant. */
export function emitPointSpan(
  core: TrackerCore,
  name: string,
  attributes: Attributes,
  ctx: Context,
  time: HrTime,
): Span {
  const span = core.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes, startTime: time }, ctx);
  span.end(time);
  return span;
}

/** Marks a span as failed by a thrown value: exception event, `error.type`, status ERROR. */
export function recordFailure(span: Span, err: unknown): void {
  if (err instanceof Error || typeof err === 'string') {
    span.recordException(err);
  } else if (err !== null && typeof err === 'object') {
    span.recordException({ message: errorMessageOf(err) });
  }
  span.setAttribute(ATTR_ERROR_TYPE, errorTypeOf(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessageOf(err) });
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null &&
    (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as { then?: unknown }).then === 'function'
  );
}
