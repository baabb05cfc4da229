import type { InteractionKind } from '@spantrack/conventions';
import type { JsonObject } from '../message';

/** An error as read from `error.type`, span status and `exception` events alike. */
export interface InteractionError {
  /**
   * The documented `error_type` when the cause is known from the class, message or HTTP status
   * (`timeout`, `json_parse_error`, `network`, `context_length`, `rate_limit`, `server_error`); else
   * spantrack's own `error.type` as written; else `_OTHER`.
   */
  type: string;
  /** The producer's own `error.type` / `exception.type` when it differs from `type` (`APIConnectionTimeoutError`). */
  class?: string;
  /** The status message, else the `exception` event's `exception.message`. */
  message?: string;
  recoveryAttempt?: number;
  recovered?: boolean;
  fallbackAction?: string;
}

/**
 * One span, normalized: what happened, independent of which library produced the span. Catalogs
 * read only this. Every field is present on every instance (undefined when unknown) so that all
 * interactions share one object shape.
 */
export interface Interaction {
  kind: InteractionKind;
  /** Name of the `InteractionSource` that recognised the span (`spantrack`, `gen_ai`, ...). */
  source: string;
  /**
   * For an LLM client's span made inside a spantrack `classify` / `generate` call: that call's
   * kind (`spantrack.reported_by`). The enclosing span already reports the model call, so the
   * catalogs make no event of this one.
   */
  reportedBy?: string;
  /**
   * A failed turn whose error is the failure itself, not a model call's (no model call under it
   * failed; set by the trace rules): the turn reports it as `ai.error` (invalid JSON output found
   * after a successful call, say).
   */
  reportsOwnError?: boolean;

  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  /** The span's name (used only where an id must be derived and the span ids are unusable). */
  spanName: string;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  /** Span duration in whole milliseconds; undefined when the times are unusable. */
  durationMs: number | undefined;
  /** ISO 8601 with milliseconds: the span's end time. */
  timestamp: string;
  /** ISO 8601 with milliseconds: the span's start time. */
  startTimestamp: string;

  // who and where
  userId: string | undefined;
  anonymousId: string | undefined;
  conversationId: string | undefined;
  orgId: string | undefined;
  workspaceId: string | undefined;
  channel: string | undefined;
  appSurface: string | undefined;
  agentName: string | undefined;

  // model call
  operationName: string | undefined;
  /** The response model when known, else the request model. */
  model: string | undefined;
  provider: string | undefined;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  cacheReadTokens: number | undefined;
  cacheCreationTokens: number | undefined;
  costUsd: number | undefined;

  // classification / generation
  intent: string | undefined;
  confidence: number | undefined;
  promptType: string | undefined;
  outputLength: number | undefined;
  outputType: string | undefined;

  // outcome
  /** Whether the interaction failed (status ERROR, `error.type`, an `exception` event, success=false). */
  failed: boolean;
  /** `spantrack.success` as written (the AI-interaction SDK's `success`). */
  success: boolean | undefined;
  error: InteractionError | undefined;
  /** The customer-signals tracking plan's `error_code`. */
  errorCode: string | undefined;
  /** The customer-signals tracking plan's `result`. */
  result: string | undefined;
  /** `spantrack.event.name`: a user-defined track event. */
  eventName: string | undefined;

  // conversation (Segment's AI Copilot spec)
  messageId: string | undefined;
  role: string | undefined;
  inputMessageId: string | undefined;
  outputMessageId: string | undefined;
  conversationEvent: 'started' | 'ended' | undefined;
  messageCount: number | undefined;
  actionType: string | undefined;
  actionName: string | undefined;
  toolName: string | undefined;
  toolCallId: string | undefined;
  mediaType: string | undefined;
  mediaSubType: string | undefined;
  componentType: string | undefined;
  feedbackRating: number | undefined;

  // the customer-signals tracking plan
  signalEvent: string | undefined;
  signalType: string | undefined;
  severity: string | undefined;
  themeId: string | undefined;
  triageEvent: string | undefined;
  triageResult: string | undefined;
  /** `spantrack.triage.confidence_band` or `spantrack.reply.confidence_band`. */
  confidenceBand: string | undefined;
  escalationReason: string | undefined;
  replyEvent: string | undefined;
  replyMode: string | undefined;
  kbGapType: string | undefined;
  outcomeEvent: string | undefined;
  outcomeType: string | undefined;
  previousSignalType: string | undefined;
  timeToResolutionMs: number | undefined;
  handoffTarget: string | undefined;
  resolutionPath: string | undefined;

  // content: only read when capture is on
  inputText: string | undefined;
  outputText: string | undefined;

  /** `spantrack.property.<name>` attributes, keyed by `<name>`; undefined when there are none. */
  properties: JsonObject | undefined;
  /** `spantrack.user.trait.<name>` attributes, keyed by `<name>`; undefined when there are none. */
  traits: JsonObject | undefined;
}
