import { type Attributes, context, SpanStatusCode, type TracerProvider, trace } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OUTPUT_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_SPANTRACK_ANONYMOUS_ID,
  ATTR_SPANTRACK_APP_SURFACE,
  ATTR_SPANTRACK_CHANNEL,
  ATTR_SPANTRACK_ERROR_FALLBACK_ACTION,
  ATTR_SPANTRACK_ERROR_RECOVERED,
  ATTR_SPANTRACK_ERROR_RECOVERY_ATTEMPT,
  ATTR_SPANTRACK_INPUT_TEXT,
  ATTR_SPANTRACK_ORG_ID,
  ATTR_SPANTRACK_PROMPT_TYPE,
  ATTR_SPANTRACK_WORKSPACE_ID,
  ATTR_USER_ID,
  ERROR_TYPE_OTHER,
  InteractionKind,
  SPANTRACK_USER_TRAIT_PREFIX,
} from '@spantrack/conventions';
import { getContextAttributes, runWithContext, setContextAttributes } from './context-scope';
import { ConversationImpl } from './conversation';
import { emitOutcome, emitReply, emitSignal, emitTriage } from './customer-signals';
import { Diagnostics } from './diagnostics';
import { errorMessageOf, errorTypeOf } from './error-type';
import { InteractionImpl, writeInteractionEnd, writeInteractionStart } from './interaction';
import { writeProperties } from './properties';
import { HandleKind, noFunction, SpanHandle } from './span-handle';
import { addMillis, nowHrTime, readTimestamp } from './time';
import {
  agentNameOf,
  optionsOf,
  ownContextOf,
  spanAttributes,
  startSpan,
  type TrackerCore,
} from './tracker-core';
import type {
  AgentTrackerOptions,
  BeginOptions,
  ClassificationResult,
  ClassifyHandle,
  ClassifyOptions,
  ContextAttributes,
  Conversation,
  ConversationOptions,
  ErrorOptions,
  GenerateHandle,
  GenerateOptions,
  IdentifyOptions,
  Interaction,
  OutcomeOptions,
  Properties,
  ReplyOptions,
  SignalOptions,
  TrackOptions,
  TriageOptions,
} from './types';
import { readBoolean, readCount, readNonNegative, readString } from './validate';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

/** The env var of the OpenTelemetry GenAI instrumentations that turns content capture on. */
const CAPTURE_CONTENT_ENV = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';
/** The default agent name of the interaction API (begin/end, track). */
const DEFAULT_AGENT_NAME = 'default';

/** Where `setDefaultCaptureContent` keeps its value: one per process, shared by ESM and CJS copies. */
const CAPTURE_CONTENT_DEFAULT = Symbol.for('spantrack.instrumentation.captureContent');

/**
 * Sets the content-capture default of trackers built without a `captureContent` option, as
 * `@spantrack/node`'s `setup({ privacy: { captureContent } })` does; `undefined` removes it (the
 * env var decides again). Trackers built earlier keep their setting.
 */
export function setDefaultCaptureContent(value: boolean | undefined): void {
  (globalThis as Record<symbol, unknown>)[CAPTURE_CONTENT_DEFAULT] = value;
}

/** The default: what `setDefaultCaptureContent` set, else the OpenTelemetry GenAI env var, else off. */
function defaultCaptureContent(): boolean {
  const set = (globalThis as Record<symbol, unknown>)[CAPTURE_CONTENT_DEFAULT];
  if (typeof set === 'boolean') return set;
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.[CAPTURE_CONTENT_ENV]?.trim().toLowerCase() === 'true';
}

interface ProviderWithLifecycle {
  getDelegate?: () => TracerProvider;
  forceFlush?: () => Promise<unknown>;
  shutdown?: () => Promise<unknown>;
}

/**
 * The manual API: each call makes one span (see docs/span-model.md) through `@opentelemetry/api`.
 * It never throws because of its arguments: bad values are dropped and reported through `diag`.
 */
export class AgentTracker {
  private readonly _core: TrackerCore;
  private readonly _provider: TracerProvider | undefined;

  constructor(options: AgentTrackerOptions = {}) {
    const d = new Diagnostics();
    const opts = options !== null && typeof options === 'object' ? options : {};
    const agentName = readString(d, 'AgentTracker', 'agentName', opts.agentName) ?? DEFAULT_AGENT_NAME;
    const defaults: Attributes = {};
    let hasDefaults = false;
    for (const [option, key] of [
      ['channel', ATTR_SPANTRACK_CHANNEL],
      ['orgId', ATTR_SPANTRACK_ORG_ID],
      ['workspaceId', ATTR_SPANTRACK_WORKSPACE_ID],
      ['appSurface', ATTR_SPANTRACK_APP_SURFACE],
    ] as const) {
      const v = readString(d, 'AgentTracker', option, opts[option]);
      if (v !== undefined) {
        defaults[key] = v;
        hasDefaults = true;
      }
    }
    const provider = opts.tracerProvider;
    if (provider != null && typeof (provider as Partial<TracerProvider>).getTracer !== 'function') {
      d.invalid('AgentTracker', 'tracerProvider', 'expected a TracerProvider', provider);
    }
    this._provider = provider != null && typeof provider.getTracer === 'function' ? provider : undefined;
    this._core = {
      tracer: (this._provider ?? trace.getTracerProvider()).getTracer(PACKAGE_NAME, PACKAGE_VERSION),
      diag: d,
      captureContent:
        readBoolean(d, 'AgentTracker', 'captureContent', opts.captureContent) ?? defaultCaptureContent(),
      agentName,
      defaults: hasDefaults ? defaults : undefined,
      invokeAgentSpanName: `invoke_agent ${agentName}`,
      classifySpanName: `classify ${agentName}`,
      generateSpanName: `generate ${agentName}`,
    };
  }

  /** Whether content (inputs, outputs, message bodies) is recorded on spans. */
  get captureContent(): boolean {
    return this._core.captureContent;
  }

  // ---- interaction API (begin/end, track, identify) ---------------------------------------------

  /** Starts an interaction to be completed with `end()`; its latency is measured unless given. */
  begin(options?: BeginOptions): Interaction {
    const core = this._core;
    const opts = optionsOf(core, 'begin', options);
    const ctx = context.active();
    const agentName = agentNameOf(core, 'begin', opts);
    const attrs = spanAttributes(
      core,
      'begin',
      InteractionKind.TRACK,
      agentName,
      getContextAttributes(ctx),
      ownContextOf(core, 'begin', opts),
      opts.properties,
    );
    writeInteractionStart(core, 'begin', opts, attrs);
    const name = agentName === core.agentName ? core.invokeAgentSpanName : `invoke_agent ${agentName}`;
    return new InteractionImpl(core, startSpan(core, name, attrs, ctx));
  }

  /** A one-shot interaction, ending at `timestamp` (default now) and lasting `latency` ms. */
  track(options: TrackOptions): void {
    const core = this._core;
    const opts = optionsOf(core, 'track', options);
    const ctx = context.active();
    const agentName = agentNameOf(core, 'track', opts);
    const attrs = spanAttributes(
      core,
      'track',
      InteractionKind.TRACK,
      agentName,
      getContextAttributes(ctx),
      ownContextOf(core, 'track', opts),
      undefined,
    );
    writeInteractionStart(core, 'track', opts, attrs);
    const failure = writeInteractionEnd(core, 'track', opts, attrs);
    const end = readTimestamp(core.diag, 'track', opts.timestamp) ?? nowHrTime();
    const latency = readNonNegative(core.diag, 'track', 'latency', opts.latency);
    const name = agentName === core.agentName ? core.invokeAgentSpanName : `invoke_agent ${agentName}`;
    const span = startSpan(core, name, attrs, ctx, latency === undefined ? end : addMillis(end, -latency));
    if (failure !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
    span.end(end);
  }

  /** Associates traits with a user (`identify`, as in Segment's AI Copilot spec). */
  identify(userId: string | undefined, traits?: Properties, options?: IdentifyOptions): void {
    const core = this._core;
    const opts = optionsOf(core, 'identify', options);
    const ctx = context.active();
    const attrs = spanAttributes(
      core,
      'identify',
      InteractionKind.IDENTIFY,
      core.agentName,
      getContextAttributes(ctx),
      undefined,
      undefined,
    );
    const user = readString(core.diag, 'identify', 'userId', userId);
    if (user !== undefined) attrs[ATTR_USER_ID] = user;
    const anonymousId = readString(core.diag, 'identify', 'anonymousId', opts.anonymousId);
    if (anonymousId !== undefined) attrs[ATTR_SPANTRACK_ANONYMOUS_ID] = anonymousId;
    if (attrs[ATTR_USER_ID] === undefined && attrs[ATTR_SPANTRACK_ANONYMOUS_ID] === undefined) {
      core.diag.problem('identify', 'neither a userId nor an anonymousId is known');
    }
    if (traits !== undefined)
      writeProperties(core.diag, 'identify', SPANTRACK_USER_TRAIT_PREFIX, traits, attrs);
    const time = readTimestamp(core.diag, 'identify', opts.timestamp) ?? nowHrTime();
    const span = startSpan(core, 'identify', attrs, ctx, time);
    span.end(time);
  }

  /** Sends what the tracer provider holds (`forceFlush`). Never rejects. */
  flush(): Promise<void> {
    return this._callProvider('forceFlush');
  }

  /** Flushes and shuts the tracer provider down. Never rejects. */
  shutdown(): Promise<void> {
    return this._callProvider('shutdown');
  }

  // ---- AI agent tracking plan -------------------------------------------------------------------

  /**
   * Runs an intent classification: `fn` returns `{ intent, confidence }` (or a promise of it) and
   * may report model and token usage through its handle. Returns what `fn` returns; an error
   * thrown by `fn` is recorded on the span and rethrown unchanged.
   */
  classify<T extends ClassificationResult | PromiseLike<ClassificationResult>>(
    options: ClassifyOptions,
    fn: (handle: ClassifyHandle) => T,
  ): T {
    return this._modelCall(options, fn, HandleKind.Classification);
  }

  /** Runs a generation: a string returned by `fn` (or set with `setOutput`) is its output. */
  generate<T>(options: GenerateOptions, fn: (handle: GenerateHandle) => T): T {
    return this._modelCall(options, fn, HandleKind.Generation);
  }

  /** Reports an AI error (`ai.error` of the AI agent tracking plan) that the agent handled. */
  error(options: ErrorOptions): void {
    const core = this._core;
    const d = core.diag;
    const opts = optionsOf(core, 'error', options);
    const ctx = context.active();
    const attrs = spanAttributes(
      core,
      'error',
      InteractionKind.ERROR,
      agentNameOf(core, 'error', opts),
      getContextAttributes(ctx),
      ownContextOf(core, 'error', opts),
      opts.properties,
    );
    const caught = opts.error;
    const type =
      readString(d, 'error', 'type', opts.type) ??
      (caught === undefined ? ERROR_TYPE_OTHER : errorTypeOf(caught));
    attrs[ATTR_ERROR_TYPE] = type;
    const attempt = readCount(d, 'error', 'recoveryAttempt', opts.recoveryAttempt);
    if (attempt !== undefined) attrs[ATTR_SPANTRACK_ERROR_RECOVERY_ATTEMPT] = attempt;
    const recovered = readBoolean(d, 'error', 'recovered', opts.recovered);
    if (recovered !== undefined) attrs[ATTR_SPANTRACK_ERROR_RECOVERED] = recovered;
    const fallback = readString(d, 'error', 'fallbackAction', opts.fallbackAction);
    if (fallback !== undefined) attrs[ATTR_SPANTRACK_ERROR_FALLBACK_ACTION] = fallback;
    const message =
      readString(d, 'error', 'message', opts.message) ??
      (caught === undefined ? type : errorMessageOf(caught));
    const time = readTimestamp(d, 'error', opts.timestamp) ?? nowHrTime();
    const span = startSpan(core, `error ${type}`, attrs, ctx, time);
    if (caught instanceof Error || typeof caught === 'string') span.recordException(caught, time);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    span.end(time);
  }

  // ---- Segment's AI Copilot spec ----------------------------------------------------------------

  /** A conversation (Segment's AI Copilot spec); its first message marks it started. */
  conversation(options?: ConversationOptions): Conversation {
    return new ConversationImpl(this._core, options);
  }

  // ---- customer-signals tracking plan -----------------------------------------------------------

  /** `customer_signal.*` (default `detected`). */
  signal(options: SignalOptions): void {
    emitSignal(this._core, options);
  }

  /** `ai_triage.completed`, and `ai_triage.escalation_triggered` when `escalated`. */
  triage(options: TriageOptions): void {
    emitTriage(this._core, options);
  }

  /** `ai_reply.*` (default `generated`). */
  reply(options: ReplyOptions): void {
    emitReply(this._core, options);
  }

  /** `interaction.outcome_*`. */
  outcome(options: OutcomeOptions): void {
    emitOutcome(this._core, options);
  }

  // ---- context ----------------------------------------------------------------------------------

  /**
   * Runs `fn` so that every span started inside it carries these context attributes (spans of
   * other libraries too, with `ContextAttributesSpanProcessor` registered). Returns `fn`'s result.
   */
  withContext<R>(values: ContextAttributes, fn: () => R): R {
    return runWithContext(this._core.diag, values, fn);
  }

  private _modelCall<T, H>(options: unknown, fn: (handle: H) => T, kind: HandleKind): T {
    const core = this._core;
    const d = core.diag;
    const classification = kind === HandleKind.Classification;
    const where = classification ? 'classify' : 'generate';
    if (typeof fn !== 'function') return noFunction(core, where, fn);
    const opts = optionsOf(core, where, options);
    const ctx = context.active();
    const agentName = agentNameOf(core, where, opts);
    const own = ownContextOf(core, where, opts);
    const attrs = spanAttributes(
      core,
      where,
      classification ? InteractionKind.CLASSIFICATION : InteractionKind.GENERATION,
      agentName,
      getContextAttributes(ctx),
      own,
      opts.properties,
    );
    const model = opts.model === undefined ? undefined : readString(d, where, 'model', opts.model);
    if (model !== undefined) attrs[ATTR_GEN_AI_REQUEST_MODEL] = model;
    if (opts.provider !== undefined) {
      const provider = readString(d, where, 'provider', opts.provider);
      if (provider !== undefined) attrs[ATTR_GEN_AI_PROVIDER_NAME] = provider;
    }
    if (opts.input !== undefined) {
      const input = readString(d, where, 'input', opts.input);
      if (input !== undefined && core.captureContent) attrs[ATTR_SPANTRACK_INPUT_TEXT] = input;
    }
    let name: string;
    if (classification) {
      name = agentName === core.agentName ? core.classifySpanName : `classify ${agentName}`;
    } else {
      name = agentName === core.agentName ? core.generateSpanName : `generate ${agentName}`;
      const promptType = readString(d, where, 'promptType', opts.promptType);
      if (promptType !== undefined) attrs[ATTR_SPANTRACK_PROMPT_TYPE] = promptType;
      const outputType = readString(d, where, 'outputType', opts.outputType);
      if (outputType !== undefined) attrs[ATTR_GEN_AI_OUTPUT_TYPE] = outputType;
    }
    const span = startSpan(core, name, attrs, ctx);
    const handle = new SpanHandle(core, span, kind, where, model !== undefined, undefined);
    // The call's own user/conversation reach the LLM spans inside fn, like a withContext scope.
    const inner = trace.setSpan(own === undefined ? ctx : setContextAttributes(ctx, own), span);
    return handle.run(inner, fn as unknown as (h: SpanHandle) => T);
  }

  private async _callProvider(method: 'forceFlush' | 'shutdown'): Promise<void> {
    try {
      let provider = (this._provider ?? trace.getTracerProvider()) as ProviderWithLifecycle;
      const delegate = typeof provider.getDelegate === 'function' ? provider.getDelegate() : undefined;
      if (delegate != null) provider = delegate as ProviderWithLifecycle;
      const call = provider[method];
      if (typeof call === 'function') await call.call(provider);
    } catch (err) {
      this._core.diag.problem(method, 'the tracer provider failed', errorMessageOf(err));
    }
  }
}
