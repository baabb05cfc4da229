/*
 * Enumerated attribute values. Each is a const object (for code) and a union type (for options).
 */

/**
 * Values of `spantrack.interaction.kind`: what one span stands for. The architecture lists all but
 * `message` and `error`, which exist so that a single message or a reported error is a span of its
 * own (see docs/span-model.md).
 */
export const InteractionKind = {
  CLASSIFICATION: 'classification',
  GENERATION: 'generation',
  TOOL: 'tool',
  TURN: 'turn',
  IDENTIFY: 'identify',
  CONVERSATION: 'conversation',
  MESSAGE: 'message',
  FEEDBACK: 'feedback',
  MEDIA: 'media',
  COMPONENT: 'component',
  ERROR: 'error',
  SIGNAL: 'signal',
  TRIAGE: 'triage',
  REPLY: 'reply',
  OUTCOME: 'outcome',
  TRACK: 'track',
} as const;
export type InteractionKind = (typeof InteractionKind)[keyof typeof InteractionKind];
export const INTERACTION_KINDS: readonly InteractionKind[] = Object.values(InteractionKind);

/**
 * Channels named by the tracking plans (the AI agent tracking plan: whatsapp; the conversation
 * tracking plan: whatsapp, web widget, test, api, voice).
 */
export const Channel = {
  WHATSAPP: 'whatsapp',
  WEB_WIDGET: 'web_widget',
  TEST: 'test',
  API: 'api',
  VOICE: 'voice',
} as const;
export type KnownChannel = (typeof Channel)[keyof typeof Channel];
/** A known channel, or any other channel name. */
export type ChannelName = KnownChannel | (string & {});

/** The four error types documented by the AI agent tracking plan; `error.type` may also hold any other string. */
export const AiErrorType = {
  TIMEOUT: 'timeout',
  JSON_PARSE_ERROR: 'json_parse_error',
  NETWORK: 'network',
  CONTEXT_LENGTH: 'context_length',
} as const;
export type KnownAiErrorType = (typeof AiErrorType)[keyof typeof AiErrorType];
export type AiErrorTypeName = KnownAiErrorType | (string & {});
/** Semconv fallback value of `error.type` when nothing better is known. */
export const ERROR_TYPE_OTHER = '_OTHER';

/** Values of `spantrack.conversation.event`. */
export const ConversationEvent = {
  STARTED: 'started',
  ENDED: 'ended',
} as const;
export type ConversationEvent = (typeof ConversationEvent)[keyof typeof ConversationEvent];

/** Message roles of Segment's AI Copilot spec; `role` may be extended (`ai_agent`, `human_agent`, ...). */
export const MessageRole = {
  CUSTOMER: 'customer',
  AGENT: 'agent',
} as const;
export type KnownMessageRole = (typeof MessageRole)[keyof typeof MessageRole];
export type MessageRoleName = KnownMessageRole | (string & {});

/** Values of `spantrack.signal.event`: the suffix of a `customer_signal.*` event. */
export const SignalEvent = {
  DETECTED: 'detected',
  SEVERE_NEGATIVE_DETECTED: 'severe_negative_detected',
  SUCCESS_DETECTED: 'success_detected',
  THEME_CLUSTERED: 'theme_clustered',
} as const;
export type SignalEvent = (typeof SignalEvent)[keyof typeof SignalEvent];

/** Values of `spantrack.triage.event`: the suffix of an `ai_triage.*` event. */
export const TriageEvent = {
  COMPLETED: 'completed',
  ESCALATION_TRIGGERED: 'escalation_triggered',
} as const;
export type TriageEvent = (typeof TriageEvent)[keyof typeof TriageEvent];

/** Values of `spantrack.reply.event`: the suffix of an `ai_reply.*` event. */
export const ReplyEvent = {
  GENERATED: 'generated',
  SENT: 'sent',
  KB_GAP_DETECTED: 'kb_gap_detected',
} as const;
export type ReplyEvent = (typeof ReplyEvent)[keyof typeof ReplyEvent];

/** The customer-signals tracking plan's `reply_mode` values. */
export const ReplyMode = {
  AUTO: 'auto',
  ASSISTED: 'assisted',
  HUMAN: 'human',
} as const;
export type ReplyMode = (typeof ReplyMode)[keyof typeof ReplyMode];

/** Values of `spantrack.outcome.event`: the suffix of an `interaction.outcome_*` event. */
export const OutcomeEvent = {
  RESOLVED: 'resolved',
  RECOVERED: 'recovered',
  REOPENED: 'reopened',
  HANDOFF_COMPLETED: 'handoff_completed',
} as const;
export type OutcomeEvent = (typeof OutcomeEvent)[keyof typeof OutcomeEvent];
