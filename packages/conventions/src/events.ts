/*
 * Event names and property types of the three catalogs, letter for letter as the seeds spell them.
 */

// ---- ai-agent (seed 000) ------------------------------------------------------------------------
export const AiAgentEvent = {
  CLASSIFICATION: 'ai.classification',
  GENERATION: 'ai.generation',
  ERROR: 'ai.error',
} as const;
export type AiAgentEventName = (typeof AiAgentEvent)[keyof typeof AiAgentEvent];

/** Properties of `ai.classification`. `input_text` is content: present only when capture is on. */
export interface AiClassificationProperties {
  input_text?: string;
  detected_intent: string;
  confidence: number;
  latency_ms: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  model?: string;
}

/** Properties of `ai.generation`. */
export interface AiGenerationProperties {
  prompt_type?: string;
  output_length?: number;
  latency_ms: number;
  model?: string;
}

/** Properties of `ai.error`. */
export interface AiErrorProperties {
  error_type: string;
  recovery_attempt?: number;
  recovered?: boolean;
  fallback_action?: string;
}

/** `context` of every ai-agent event. */
export interface AiAgentContext {
  channel?: string;
}

// ---- segment-copilot (seed 004: Segment's "Spec: AI Copilot") -------------------------------------
export const CopilotEvent = {
  CONVERSATION_STARTED: 'Conversation Started',
  MESSAGE_SENT: 'Message Sent',
  MESSAGE_RECEIVED: 'Message Received',
  CONVERSATION_ENDED: 'Conversation Ended',
  ACTION_INVOKED: 'Action Invoked',
  MEDIA_GENERATED: 'Media Generated',
  COMPONENT_LOADED: 'Component Loaded',
  FEEDBACK_SUBMITTED: 'Feedback Submitted',
} as const;
export type CopilotEventName = (typeof CopilotEvent)[keyof typeof CopilotEvent];

export interface ConversationStartedProperties {
  conversationId: string;
}
/** `message_body` is content: present only when capture is on. `role` defaults to "customer". */
export interface MessageSentProperties {
  conversationId: string;
  messageId: string;
  message_body?: string;
  role: string;
}
/** `message_body` is content: present only when capture is on. `role` defaults to "agent". */
export interface MessageReceivedProperties {
  conversationId: string;
  messageId: string;
  message_body?: string;
  role: string;
}
export interface ConversationEndedProperties {
  conversationId: string;
  message_count?: number;
}
export interface ActionInvokedProperties {
  conversationId: string;
  messageId?: string;
  type: string;
  action: string;
  role?: string;
}
export interface MediaGeneratedProperties {
  conversationId: string;
  messageId?: string;
  type: string;
  sub_type?: string;
  role?: string;
}
export interface ComponentLoadedProperties {
  conversationId: string;
  messageId?: string;
  type: string;
}
export interface FeedbackSubmittedProperties {
  conversationId: string;
  messageId?: string;
  rating: number;
}

// ---- customer-signals (seed 002) ------------------------------------------------------------------
export const CustomerSignalEvent = {
  SIGNAL_DETECTED: 'customer_signal.detected',
  SIGNAL_SEVERE_NEGATIVE_DETECTED: 'customer_signal.severe_negative_detected',
  SIGNAL_SUCCESS_DETECTED: 'customer_signal.success_detected',
  SIGNAL_THEME_CLUSTERED: 'customer_signal.theme_clustered',
  TRIAGE_COMPLETED: 'ai_triage.completed',
  TRIAGE_ESCALATION_TRIGGERED: 'ai_triage.escalation_triggered',
  REPLY_GENERATED: 'ai_reply.generated',
  REPLY_SENT: 'ai_reply.sent',
  REPLY_KB_GAP_DETECTED: 'ai_reply.kb_gap_detected',
  OUTCOME_RESOLVED: 'interaction.outcome_resolved',
  OUTCOME_RECOVERED: 'interaction.outcome_recovered',
  OUTCOME_REOPENED: 'interaction.outcome_reopened',
  OUTCOME_HANDOFF_COMPLETED: 'interaction.outcome_handoff_completed',
} as const;
export type CustomerSignalEventName = (typeof CustomerSignalEvent)[keyof typeof CustomerSignalEvent];

/**
 * Required on every event of the customer-signals catalog. `user_id` is the internal id; no
 * message content or PII ever appears in these payloads.
 */
export interface CustomerSignalsRequiredProperties {
  org_id: string;
  workspace_id: string;
  user_id: string;
  /** ISO 8601. */
  timestamp: string;
}
/** Optional on every event of the catalog. */
export interface CustomerSignalsCommonProperties {
  channel_type?: string;
  app_surface?: string;
  result?: string;
  error_code?: string;
}
export interface CustomerSignalProperties
  extends CustomerSignalsRequiredProperties,
    CustomerSignalsCommonProperties {
  signal_type?: string;
  severity?: string;
  theme_id?: string;
}
export interface AiTriageProperties
  extends CustomerSignalsRequiredProperties,
    CustomerSignalsCommonProperties {
  triage_result?: string;
  confidence_band?: string;
  escalation_reason?: string;
}
export interface AiReplyProperties
  extends CustomerSignalsRequiredProperties,
    CustomerSignalsCommonProperties {
  reply_mode?: 'auto' | 'assisted' | 'human';
  kb_gap_type?: string;
  confidence_band?: string;
}
export interface InteractionOutcomeProperties
  extends CustomerSignalsRequiredProperties,
    CustomerSignalsCommonProperties {
  outcome_type?: string;
  previous_signal_type?: string;
  time_to_resolution_ms?: number;
  handoff_target?: string;
  resolution_path?: string;
}

/** Every event name and its property type, for typed user code and catalogs. */
export interface EventPropertiesMap {
  'ai.classification': AiClassificationProperties;
  'ai.generation': AiGenerationProperties;
  'ai.error': AiErrorProperties;
  'Conversation Started': ConversationStartedProperties;
  'Message Sent': MessageSentProperties;
  'Message Received': MessageReceivedProperties;
  'Conversation Ended': ConversationEndedProperties;
  'Action Invoked': ActionInvokedProperties;
  'Media Generated': MediaGeneratedProperties;
  'Component Loaded': ComponentLoadedProperties;
  'Feedback Submitted': FeedbackSubmittedProperties;
  'customer_signal.detected': CustomerSignalProperties;
  'customer_signal.severe_negative_detected': CustomerSignalProperties;
  'customer_signal.success_detected': CustomerSignalProperties;
  'customer_signal.theme_clustered': CustomerSignalProperties;
  'ai_triage.completed': AiTriageProperties;
  'ai_triage.escalation_triggered': AiTriageProperties;
  'ai_reply.generated': AiReplyProperties;
  'ai_reply.sent': AiReplyProperties;
  'ai_reply.kb_gap_detected': AiReplyProperties;
  'interaction.outcome_resolved': InteractionOutcomeProperties;
  'interaction.outcome_recovered': InteractionOutcomeProperties;
  'interaction.outcome_reopened': InteractionOutcomeProperties;
  'interaction.outcome_handoff_completed': InteractionOutcomeProperties;
}
export type CatalogEventName = keyof EventPropertiesMap;

/** Names of the built-in catalogs. */
export const CatalogName = {
  AI_AGENT: 'ai-agent',
  SEGMENT_COPILOT: 'segment-copilot',
  CUSTOMER_SIGNALS: 'customer-signals',
} as const;
export type BuiltinCatalogName = (typeof CatalogName)[keyof typeof CatalogName];
