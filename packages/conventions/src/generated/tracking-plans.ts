// Generated from tracking-plans/*.json by `npm run generate`: do not edit.
// The JSON files are the source of truth; test/generated.test.ts fails when this file is stale.

/** Event names of the AI agent tracking plan, letter for letter. */
export const AiAgentEvent = {
  CLASSIFICATION: 'ai.classification',
  GENERATION: 'ai.generation',
  ERROR: 'ai.error',
} as const;
export type AiAgentEventName = (typeof AiAgentEvent)[keyof typeof AiAgentEvent];

/** Event names of the Segment AI Copilot spec, letter for letter. */
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

/** Event names of the Customer-signals tracking plan, letter for letter. */
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

/** Properties of `ai.classification`. */
export interface AiClassificationProperties {
  /** The user's input that was classified. */
  input_text?: string;
  /** The classified intent (for example "nil_filing", "pin_registration"). */
  detected_intent: string;
  /** Confidence score 0-1. */
  confidence?: number;
  /** Time taken for inference in milliseconds. */
  latency_ms?: number;
  /** Input tokens used (for cost tracking). */
  prompt_tokens?: number;
  /** Output tokens used. */
  completion_tokens?: number;
  /** Model identifier (for example "llama3.2:3b"). */
  model?: string;
  /** Input tokens read from the provider's prompt cache, where the producer reports them. A spantrack addition. */
  cached_input_tokens?: number;
  /** Cost in USD: an explicit spantrack.cost.usd wins, else the producer's own cost, else the shipped price table; absent for unpriced models. A spantrack addition. */
  cost_usd?: number;
}

/** Properties of `ai.generation`. */
export interface AiGenerationProperties {
  /** The kind of prompt answered (for example "clarification"). */
  prompt_type?: string;
  /** Length of the generated output. */
  output_length?: number;
  /** Time taken for the generation in milliseconds. */
  latency_ms?: number;
  /** Model identifier. */
  model?: string;
  /** Input tokens of the model call (for a turn's Message Received: summed over the turn's model calls, counted once). A spantrack addition. */
  prompt_tokens?: number;
  /** Output tokens of the model call (for a turn: summed over its model calls). A spantrack addition. */
  completion_tokens?: number;
  /** Input tokens read from the provider's prompt cache, where the producer reports them. A spantrack addition. */
  cached_input_tokens?: number;
  /** Cost in USD: an explicit spantrack.cost.usd wins, else the producer's own cost, else the shipped price table; absent for unpriced models. A spantrack addition. */
  cost_usd?: number;
}

/** Properties of `ai.error`. */
export interface AiErrorProperties {
  /** The error's type: timeout, json_parse_error, network, context_length, rate_limit (HTTP 429), server_error (HTTP 5xx) where the cause is known, else the producer's own error type (_OTHER when unknown). */
  error_type: string;
  /** Which recovery attempt this was. */
  recovery_attempt?: number;
  /** Whether the agent recovered from the error. */
  recovered?: boolean;
  /** What the agent did instead (for example "agent_handoff"). */
  fallback_action?: string;
  /** The producer's own error class or type (for example APIConnectionTimeoutError), kept when error_type is mapped onto the documented values. A spantrack addition. */
  error_class?: string;
}

/** Properties of `Conversation Started`. */
export interface ConversationStartedProperties {
  /** The conversation's unique identifier. */
  conversationId: string;
}

/** Properties of `Message Sent`. */
export interface MessageSentProperties {
  /** The conversation's unique identifier. */
  conversationId: string;
  /** The message's unique identifier (not Segment's top-level messageId). */
  messageId: string;
  /** The message's content. */
  message_body?: string;
  /** The message's sender; default is "customer". */
  role: string;
}

/** Properties of `Message Received`. */
export interface MessageReceivedProperties {
  /** The conversation's unique identifier. */
  conversationId: string;
  /** The message's unique identifier (not Segment's top-level messageId). */
  messageId: string;
  /** The received message's content. */
  message_body?: string;
  /** The message's sender; default is "agent" (may be extended: ai_agent, human_agent, task_automation_agent, ...). */
  role: string;
  /** Input tokens of the model call (for a turn's Message Received: summed over the turn's model calls, counted once). A spantrack addition. */
  prompt_tokens?: number;
  /** Output tokens of the model call (for a turn: summed over its model calls). A spantrack addition. */
  completion_tokens?: number;
  /** Input tokens read from the provider's prompt cache, where the producer reports them. A spantrack addition. */
  cached_input_tokens?: number;
  /** Cost in USD: an explicit spantrack.cost.usd wins, else the producer's own cost, else the shipped price table; absent for unpriced models. A spantrack addition. */
  cost_usd?: number;
}

/** Properties of `Conversation Ended`. */
export interface ConversationEndedProperties {
  /** The conversation's unique identifier. */
  conversationId: string;
  /** Number of messages in the conversation. */
  message_count?: number;
}

/** Properties of `Action Invoked`. */
export interface ActionInvokedProperties {
  /** The conversation's unique identifier. */
  conversationId: string;
  /** The message's unique identifier (not Segment's top-level messageId). */
  messageId?: string;
  /** The type of action invoked (default "tool"). */
  type: string;
  /** The specific action taken with the tool. */
  action: string;
  /** The message's sender. */
  role?: string;
}

/** Properties of `Media Generated`. */
export interface MediaGeneratedProperties {
  /** The conversation's unique identifier. */
  conversationId: string;
  /** The message's unique identifier (not Segment's top-level messageId). */
  messageId?: string;
  /** The type of media generated (like "image", "video"). */
  type: string;
  /** Media data type (like "gif", "mp4", "wav"). */
  sub_type?: string;
  /** The message's sender; default is "agent". */
  role: string;
}

/** Properties of `Component Loaded`. */
export interface ComponentLoadedProperties {
  /** The conversation's unique identifier. */
  conversationId: string;
  /** The message's unique identifier (not Segment's top-level messageId). */
  messageId?: string;
  /** The type of custom component loaded. */
  type: string;
}

/** Properties of `Feedback Submitted`. */
export interface FeedbackSubmittedProperties {
  /** The conversation's unique identifier. */
  conversationId: string;
  /** The message's unique identifier (not Segment's top-level messageId). */
  messageId?: string;
  /** The rating given by the user. */
  rating: number;
}

/** Properties of `customer_signal.detected`, `customer_signal.severe_negative_detected`, `customer_signal.success_detected`, `customer_signal.theme_clustered`. */
export interface CustomerSignalProperties {
  /** Internal organisation id (not PII). */
  org_id: string;
  /** Internal workspace id (not PII). */
  workspace_id: string;
  /** Internal user id; pseudonymised when pseudonymisation is on (then equal to userId). */
  user_id: string;
  /** When it happened, ISO 8601 (the same as the message's timestamp). */
  timestamp: string;
  /** The channel (from spantrack.channel). */
  channel_type?: string;
  /** Where in the product it happened. */
  app_surface?: string;
  /** The result. */
  result?: string;
  /** An error code. */
  error_code?: string;
  /** The signal bucket (for example "dissatisfaction"). */
  signal_type?: string;
  /** How severe the signal is. */
  severity?: string;
  /** The friction or opportunity theme the signal belongs to. */
  theme_id?: string;
}

/** Properties of `ai_triage.completed`, `ai_triage.escalation_triggered`. */
export interface AiTriageProperties {
  /** Internal organisation id (not PII). */
  org_id: string;
  /** Internal workspace id (not PII). */
  workspace_id: string;
  /** Internal user id; pseudonymised when pseudonymisation is on (then equal to userId). */
  user_id: string;
  /** When it happened, ISO 8601 (the same as the message's timestamp). */
  timestamp: string;
  /** The channel (from spantrack.channel). */
  channel_type?: string;
  /** Where in the product it happened. */
  app_surface?: string;
  /** The result. */
  result?: string;
  /** An error code. */
  error_code?: string;
  /** How the item was classified and routed. */
  triage_result?: string;
  /** The confidence band of the triage. */
  confidence_band?: string;
  /** Why the item was escalated. */
  escalation_reason?: string;
}

/** Properties of `ai_reply.generated`, `ai_reply.sent`, `ai_reply.kb_gap_detected`. */
export interface AiReplyProperties {
  /** Internal organisation id (not PII). */
  org_id: string;
  /** Internal workspace id (not PII). */
  workspace_id: string;
  /** Internal user id; pseudonymised when pseudonymisation is on (then equal to userId). */
  user_id: string;
  /** When it happened, ISO 8601 (the same as the message's timestamp). */
  timestamp: string;
  /** The channel (from spantrack.channel). */
  channel_type?: string;
  /** Where in the product it happened. */
  app_surface?: string;
  /** The result. */
  result?: string;
  /** An error code. */
  error_code?: string;
  /** How the reply was made. */
  reply_mode?: 'auto' | 'assisted' | 'human';
  /** The kind of knowledge gap. */
  kb_gap_type?: string;
  /** The confidence band of the reply. */
  confidence_band?: string;
}

/** Properties of `interaction.outcome_resolved`, `interaction.outcome_recovered`, `interaction.outcome_reopened`, `interaction.outcome_handoff_completed`. */
export interface InteractionOutcomeProperties {
  /** Internal organisation id (not PII). */
  org_id: string;
  /** Internal workspace id (not PII). */
  workspace_id: string;
  /** Internal user id; pseudonymised when pseudonymisation is on (then equal to userId). */
  user_id: string;
  /** When it happened, ISO 8601 (the same as the message's timestamp). */
  timestamp: string;
  /** The channel (from spantrack.channel). */
  channel_type?: string;
  /** Where in the product it happened. */
  app_surface?: string;
  /** The result. */
  result?: string;
  /** An error code. */
  error_code?: string;
  /** The kind of outcome. */
  outcome_type?: string;
  /** The signal type before the outcome. */
  previous_signal_type?: string;
  /** Time to resolution in milliseconds. */
  time_to_resolution_ms?: number;
  /** Who the interaction was handed off to. */
  handoff_target?: string;
  /** How the issue was resolved. */
  resolution_path?: string;
}

/** Every event name of the built-in plans and the type of its properties. */
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
