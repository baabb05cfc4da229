import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';

/*
 * Span attribute keys spantrack writes or reads.
 *
 * Stable OpenTelemetry keys come from @opentelemetry/semantic-conventions. The GenAI keys are
 * still "development" there and their constants are deprecated, with the package asking
 * libraries to copy the names; so they are spelled out here, current and renamed spellings both.
 */

// ---- Stable OpenTelemetry keys ----------------------------------------------------------------
export {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
};
/** The event name the SDK uses for `span.recordException`. */
export const EXCEPTION_EVENT_NAME = 'exception';
/** `user.id` (OpenTelemetry user attributes, development status). */
export const ATTR_USER_ID = 'user.id';

// ---- GenAI semantic conventions: current names --------------------------------------------------
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_GEN_AI_AGENT_ID = 'gen_ai.agent.id';
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const ATTR_GEN_AI_TOOL_TYPE = 'gen_ai.tool.type';
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';
/** Chat history sent to the model, semconv JSON. Content: written only when capture is on. */
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
/** Messages returned by the model, semconv JSON. Content: written only when capture is on. */
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
/** System instructions, semconv JSON. Content: written only when capture is on. */
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';

// ---- GenAI semantic conventions: older names, still read --------------------------------------
/** @deprecated in semconv, replaced by `gen_ai.provider.name`; read, never written. */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';
/** @deprecated in semconv, replaced by `gen_ai.usage.input_tokens`; read, never written. */
export const ATTR_GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
/** @deprecated in semconv, replaced by `gen_ai.usage.output_tokens`; read, never written. */
export const ATTR_GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';
/** Older spelling of the cache-creation token count (`cache_write`); read, never written. */
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
/** Older span events carrying content (`gen_ai.user.message`, `gen_ai.choice`, ...); read only. */
export const GEN_AI_CONTENT_EVENT_PREFIX = 'gen_ai.';

/** Values of `gen_ai.operation.name` from the GenAI conventions. */
export const GenAiOperationName = {
  CHAT: 'chat',
  TEXT_COMPLETION: 'text_completion',
  GENERATE_CONTENT: 'generate_content',
  EMBEDDINGS: 'embeddings',
  EXECUTE_TOOL: 'execute_tool',
  CREATE_AGENT: 'create_agent',
  INVOKE_AGENT: 'invoke_agent',
} as const;
export type GenAiOperationName = (typeof GenAiOperationName)[keyof typeof GenAiOperationName];

// ---- spantrack.*: what the GenAI conventions have no name for ---------------------------------
// intent
export const ATTR_SPANTRACK_INTENT_NAME = 'spantrack.intent.name';
/** A number in 0..1. */
export const ATTR_SPANTRACK_INTENT_CONFIDENCE = 'spantrack.intent.confidence';

// interaction shape
/** One of {@link InteractionKind}. */
export const ATTR_SPANTRACK_INTERACTION_KIND = 'spantrack.interaction.kind';
export const ATTR_SPANTRACK_PROMPT_TYPE = 'spantrack.prompt.type';
/** Length of the output in characters (a number, never the content). */
export const ATTR_SPANTRACK_OUTPUT_LENGTH = 'spantrack.output.length';
/** Success flag of an interaction, as AI-interaction analytics SDKs report it (`success=False` means the output is the error message). */
export const ATTR_SPANTRACK_SUCCESS = 'spantrack.success';
/**
 * Set on spans started inside a `classify` / `generate` call (LLM client spans among them): the
 * interaction kind of that enclosing span, which already reports the model call's usage and
 * latency. Such LLM spans yield no event of their own, so nothing is counted twice.
 */
export const ATTR_SPANTRACK_REPORTED_BY = 'spantrack.reported_by';
/** Name of a user-defined track event (interaction kind `track` with a custom event). */
export const ATTR_SPANTRACK_EVENT_NAME = 'spantrack.event.name';

// errors beyond error.type
export const ATTR_SPANTRACK_ERROR_RECOVERY_ATTEMPT = 'spantrack.error.recovery_attempt';
export const ATTR_SPANTRACK_ERROR_RECOVERED = 'spantrack.error.recovered';
export const ATTR_SPANTRACK_ERROR_FALLBACK_ACTION = 'spantrack.error.fallback_action';
/** The customer-signals tracking plan's optional `error_code`. */
export const ATTR_SPANTRACK_ERROR_CODE = 'spantrack.error.code';

// who and where
export const ATTR_SPANTRACK_ORG_ID = 'spantrack.org.id';
export const ATTR_SPANTRACK_WORKSPACE_ID = 'spantrack.workspace.id';
/** One of {@link Channel} (or a free-form channel name). */
export const ATTR_SPANTRACK_CHANNEL = 'spantrack.channel';
export const ATTR_SPANTRACK_APP_SURFACE = 'spantrack.app_surface';
export const ATTR_SPANTRACK_ANONYMOUS_ID = 'spantrack.anonymous.id';
export const ATTR_SPANTRACK_MESSAGE_ID = 'spantrack.message.id';
/** Sender of a message: `customer` or `agent` (Segment's AI Copilot spec), or an extension such as `ai_agent`. */
export const ATTR_SPANTRACK_MESSAGE_ROLE = 'spantrack.message.role';
/** Id of the customer's message answered by a `turn` / `track` span (its Message Sent). */
export const ATTR_SPANTRACK_INPUT_MESSAGE_ID = 'spantrack.input.message_id';
/** Id of the agent's answer of a `turn` / `track` span (its Message Received). */
export const ATTR_SPANTRACK_OUTPUT_MESSAGE_ID = 'spantrack.output.message_id';
/** The customer-signals tracking plan's optional `result`. */
export const ATTR_SPANTRACK_RESULT = 'spantrack.result';

// conversation lifecycle
/** One of {@link ConversationEvent}. */
export const ATTR_SPANTRACK_CONVERSATION_EVENT = 'spantrack.conversation.event';
export const ATTR_SPANTRACK_CONVERSATION_MESSAGE_COUNT = 'spantrack.conversation.message_count';

// Segment's AI Copilot spec: payloads
export const ATTR_SPANTRACK_ACTION_TYPE = 'spantrack.action.type';
export const ATTR_SPANTRACK_ACTION_NAME = 'spantrack.action.name';
export const ATTR_SPANTRACK_MEDIA_TYPE = 'spantrack.media.type';
export const ATTR_SPANTRACK_MEDIA_SUB_TYPE = 'spantrack.media.sub_type';
export const ATTR_SPANTRACK_COMPONENT_TYPE = 'spantrack.component.type';
export const ATTR_SPANTRACK_FEEDBACK_RATING = 'spantrack.feedback.rating';

// customer-signals tracking plan: customer signals
/** One of {@link SignalEvent}. */
export const ATTR_SPANTRACK_SIGNAL_EVENT = 'spantrack.signal.event';
export const ATTR_SPANTRACK_SIGNAL_TYPE = 'spantrack.signal.signal_type';
export const ATTR_SPANTRACK_SIGNAL_SEVERITY = 'spantrack.signal.severity';
export const ATTR_SPANTRACK_SIGNAL_THEME_ID = 'spantrack.signal.theme_id';
// customer-signals tracking plan: AI triage
/** One of {@link TriageEvent}. */
export const ATTR_SPANTRACK_TRIAGE_EVENT = 'spantrack.triage.event';
export const ATTR_SPANTRACK_TRIAGE_RESULT = 'spantrack.triage.triage_result';
export const ATTR_SPANTRACK_TRIAGE_CONFIDENCE_BAND = 'spantrack.triage.confidence_band';
export const ATTR_SPANTRACK_TRIAGE_ESCALATION_REASON = 'spantrack.triage.escalation_reason';
// customer-signals tracking plan: AI replies
/** One of {@link ReplyEvent}. */
export const ATTR_SPANTRACK_REPLY_EVENT = 'spantrack.reply.event';
/** One of {@link ReplyMode}. */
export const ATTR_SPANTRACK_REPLY_MODE = 'spantrack.reply.reply_mode';
export const ATTR_SPANTRACK_REPLY_KB_GAP_TYPE = 'spantrack.reply.kb_gap_type';
export const ATTR_SPANTRACK_REPLY_CONFIDENCE_BAND = 'spantrack.reply.confidence_band';
// customer-signals tracking plan: interaction outcomes
/** One of {@link OutcomeEvent}. */
export const ATTR_SPANTRACK_OUTCOME_EVENT = 'spantrack.outcome.event';
export const ATTR_SPANTRACK_OUTCOME_TYPE = 'spantrack.outcome.outcome_type';
export const ATTR_SPANTRACK_OUTCOME_PREVIOUS_SIGNAL_TYPE = 'spantrack.outcome.previous_signal_type';
export const ATTR_SPANTRACK_OUTCOME_TIME_TO_RESOLUTION_MS = 'spantrack.outcome.time_to_resolution_ms';
export const ATTR_SPANTRACK_OUTCOME_HANDOFF_TARGET = 'spantrack.outcome.handoff_target';
export const ATTR_SPANTRACK_OUTCOME_RESOLUTION_PATH = 'spantrack.outcome.resolution_path';

// cost
export const ATTR_SPANTRACK_COST_USD = 'spantrack.cost.usd';

// content: written only when capture is on
export const ATTR_SPANTRACK_INPUT_TEXT = 'spantrack.input.text';
export const ATTR_SPANTRACK_OUTPUT_TEXT = 'spantrack.output.text';

// free-form
/** Prefix of user-supplied event properties: `spantrack.property.<name>`. */
export const SPANTRACK_PROPERTY_PREFIX = 'spantrack.property.';
/** Prefix of identify traits: `spantrack.user.trait.<name>`. */
export const SPANTRACK_USER_TRAIT_PREFIX = 'spantrack.user.trait.';

/**
 * Attributes that describe who and where. They are set once per scope (`withContext`) and copied
 * onto every span started inside it, and carried across a trace by the processor.
 */
export const CONTEXT_ATTRIBUTE_KEYS = [
  ATTR_USER_ID,
  ATTR_SPANTRACK_ANONYMOUS_ID,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_SPANTRACK_ORG_ID,
  ATTR_SPANTRACK_WORKSPACE_ID,
  ATTR_SPANTRACK_CHANNEL,
  ATTR_SPANTRACK_APP_SURFACE,
] as const;
export type ContextAttributeKey = (typeof CONTEXT_ATTRIBUTE_KEYS)[number];

/** Attributes that carry message content, prompts or outputs: dropped unless capture is on. */
export const CONTENT_ATTRIBUTE_KEYS = [
  ATTR_SPANTRACK_INPUT_TEXT,
  ATTR_SPANTRACK_OUTPUT_TEXT,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
] as const;
