import type { Span, TracerProvider } from '@opentelemetry/api';
import type {
  AiErrorTypeName,
  ChannelName,
  MessageRoleName,
  OutcomeEvent,
  ReplyEvent,
  ReplyMode,
  SignalEvent,
} from '@spantrack/conventions';
import type { PropertyValue } from './properties';

export type { PropertyValue };

/** User properties: written as `spantrack.property.<name>`. */
export type Properties = Readonly<Record<string, PropertyValue>>;

/**
 * A point in time: a Date or epoch milliseconds, after the Unix epoch and no later than
 * 9999-12-31T23:59:59.999Z. Outside that (or an invalid Date) it is reported and now is used.
 */
export type Timestamp = Date | number;

/** Options of `new AgentTracker(...)`. */
export interface AgentTrackerOptions {
  /** `gen_ai.agent.name` of every span unless a call names another agent. Default `"default"`. */
  agentName?: string;
  /** Default `spantrack.channel` of the tracker's spans; a call or scope overrides it. Default none. */
  channel?: ChannelName;
  /** Default `spantrack.org.id` of the tracker's spans. Default none. */
  orgId?: string;
  /** Default `spantrack.workspace.id` of the tracker's spans. Default none. */
  workspaceId?: string;
  /** Default `spantrack.app_surface` of the tracker's spans. Default none. */
  appSurface?: string;
  /** Where spans go. Default the global provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider;
  /**
   * Record content (inputs, outputs, message bodies) on spans. Default: the env var
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` is `true`, else off.
   */
  captureContent?: boolean;
}

/** Who and where: set once per scope with `withContext`, or per call. */
export interface ContextAttributes {
  /** `user.id` */
  userId?: string;
  /** `spantrack.anonymous.id` */
  anonymousId?: string;
  /** `gen_ai.conversation.id` */
  conversationId?: string;
  /** `spantrack.org.id` */
  orgId?: string;
  /** `spantrack.workspace.id` */
  workspaceId?: string;
  /** `spantrack.channel` (whatsapp, web_widget, test, api, voice, or any other name) */
  channel?: ChannelName;
  /** `spantrack.app_surface` */
  appSurface?: string;
}

/** Options every call accepts besides its own. */
export interface CallOptions extends ContextAttributes {
  /** `gen_ai.agent.name` for this call. Default the tracker's. */
  agentName?: string;
  properties?: Properties;
}

// ---- interaction API (begin/end, track, identify) ---------------------------------------------------

/** `tracker.begin(...)`. */
export interface BeginOptions extends CallOptions {
  /** Input text or prompt; content, recorded only with `captureContent`. */
  input?: string;
  /** Id of the message being answered (`spantrack.input.message_id`). */
  inputMessageId?: string;
}

/** `interaction.end(...)`. */
export interface EndOptions {
  /** Output text; when `success` is false, the error message. */
  output?: string;
  /** Default true. False marks the span as an error with `output` as its message. */
  success?: boolean;
  /** Milliseconds; measured from `begin()` when not given. */
  latency?: number;
  /** `error.type` when `success` is false. Default `_OTHER`. */
  errorType?: AiErrorTypeName;
  /** Id of the answer (`spantrack.output.message_id`). */
  outputMessageId?: string;
  properties?: Properties;
}

/** `tracker.track(...)`: a one-shot interaction. */
export interface TrackOptions extends BeginOptions, EndOptions {
  /** When the interaction ended. Default now. */
  timestamp?: Timestamp;
  properties?: Properties;
}

/** What `begin()` returns. */
export interface Interaction {
  readonly span: Span;
  setInput(text: string): this;
  setProperty(name: string, value: PropertyValue): this;
  setProperties(properties: Properties): this;
  /** Ends the interaction; a second call is ignored (and reported). */
  end(options?: EndOptions): void;
}

/** `tracker.identify(userId, traits, options)`. */
export interface IdentifyOptions {
  anonymousId?: string;
  timestamp?: Timestamp;
}

// ---- AI agent tracking plan -------------------------------------------------------------------------

/** Token usage of the model calls inside a classification or generation. */
export interface TokenUsage {
  /** `gen_ai.usage.input_tokens` (`prompt_tokens` in the AI agent tracking plan). */
  inputTokens?: number;
  /** `gen_ai.usage.output_tokens` (`completion_tokens` in the AI agent tracking plan). */
  outputTokens?: number;
}

/** Options shared by `classify` and `generate`. */
export interface ModelCallOptions extends CallOptions {
  /** `gen_ai.request.model` */
  model?: string;
  /** `gen_ai.provider.name` */
  provider?: string;
  /** Input text; content, recorded only with `captureContent`. */
  input?: string;
}

export type ClassifyOptions = ModelCallOptions;

export interface GenerateOptions extends ModelCallOptions {
  /** `spantrack.prompt.type` (`prompt_type` in the AI agent tracking plan, e.g. "clarification"). */
  promptType?: string;
  /** `gen_ai.output.type` (text, json, image, speech). */
  outputType?: string;
}

/** What a classification returns. */
export interface ClassificationResult {
  intent: string;
  /** 0..1 */
  confidence: number;
}

/** Handed to the function of `classify` / `generate` to report what only it knows. */
export interface ModelCallHandle {
  readonly span: Span;
  /** The model that answered (`gen_ai.response.model`; also the request model when none was given). */
  setModel(model: string): this;
  setProvider(provider: string): this;
  setUsage(usage: TokenUsage): this;
  /** `spantrack.cost.usd` */
  setCost(usd: number): this;
  setProperty(name: string, value: PropertyValue): this;
  setProperties(properties: Properties): this;
}

export interface ClassifyHandle extends ModelCallHandle {
  setInput(text: string): this;
}

export interface GenerateHandle extends ModelCallHandle {
  setInput(text: string): this;
  /** The generated text; a string returned by the function is taken as the output too. */
  setOutput(text: string): this;
}

/** `tracker.error(...)`: `ai.error` of the AI agent tracking plan. */
export interface ErrorOptions extends CallOptions {
  /** timeout, json_parse_error, network, context_length, or any other type. Default from `error`, else `_OTHER`. */
  type?: AiErrorTypeName;
  /** `spantrack.error.recovery_attempt` */
  recoveryAttempt?: number;
  /** `spantrack.error.recovered` */
  recovered?: boolean;
  /** `spantrack.error.fallback_action` (e.g. "agent_handoff") */
  fallbackAction?: string;
  /** Status message. Default the error's message, else the type. */
  message?: string;
  /** The caught error: recorded as an `exception` event, and its type used when `type` is absent. */
  error?: unknown;
  timestamp?: Timestamp;
}

// ---- Segment's AI Copilot spec ----------------------------------------------------------------------

/** `tracker.conversation(...)`. A conversation id is generated when none is given. */
export type ConversationOptions = ContextAttributes;

export interface MessageOptions {
  messageId?: string;
  /** Message text; content, recorded only with `captureContent`. */
  body?: string;
  /** Default `customer` for sent messages and `agent` for received ones. */
  role?: MessageRoleName;
  timestamp?: Timestamp;
  properties?: Properties;
}

/** The customer message a turn answers. */
export interface TurnInput {
  text?: string;
  messageId?: string;
  properties?: Properties;
}

export interface TurnHandle {
  readonly span: Span;
  /** The agent's answer; a string returned by the function is taken as the answer too. */
  setOutput(text: string, messageId?: string): this;
  setOutputMessageId(messageId: string): this;
  setProperty(name: string, value: PropertyValue): this;
  setProperties(properties: Properties): this;
}

export interface ToolOptions {
  /** `gen_ai.tool.call.id` */
  callId?: string;
  /** `spantrack.action.type`. Default `tool`. */
  actionType?: string;
  /** `spantrack.action.name`. Default the tool name. */
  actionName?: string;
  messageId?: string;
  properties?: Properties;
}

export interface ToolHandle {
  readonly span: Span;
  setCallId(callId: string): this;
  setProperty(name: string, value: PropertyValue): this;
  setProperties(properties: Properties): this;
}

export interface ActionOptions {
  /** The action's `type` (Segment's AI Copilot spec). */
  type?: string;
  /** The `action` (Segment's AI Copilot spec). */
  action: string;
  messageId?: string;
  /** Default `customer`. */
  role?: MessageRoleName;
  timestamp?: Timestamp;
  properties?: Properties;
}

export interface MediaOptions {
  /** image, video, audio... */
  type: string;
  /** gif, mp4, wav... */
  subType?: string;
  messageId?: string;
  /** Default `agent`. */
  role?: MessageRoleName;
  timestamp?: Timestamp;
  properties?: Properties;
}

export interface ComponentOptions {
  type: string;
  messageId?: string;
  timestamp?: Timestamp;
  properties?: Properties;
}

export interface FeedbackOptions {
  rating: number;
  messageId?: string;
  timestamp?: Timestamp;
  properties?: Properties;
}

export interface ConversationEndOptions {
  timestamp?: Timestamp;
  properties?: Properties;
}

/** What `tracker.conversation(...)` returns. */
export interface Conversation {
  readonly conversationId: string;
  /** Messages so far (a turn counts two). */
  readonly messageCount: number;
  messageSent(message?: string | MessageOptions): void;
  messageReceived(message?: string | MessageOptions): void;
  /** One customer message and the agent's answer; its duration is the response time. */
  turn<T>(input: string | TurnInput | undefined, fn: (turn: TurnHandle) => T): T;
  tool<T>(name: string, fn: (tool: ToolHandle) => T, options?: ToolOptions): T;
  actionInvoked(options: ActionOptions): void;
  mediaGenerated(options: MediaOptions): void;
  componentLoaded(options: ComponentOptions): void;
  feedback(options: FeedbackOptions): void;
  /** Writes `Conversation Ended` with the message count; later calls are ignored (and reported). */
  end(options?: ConversationEndOptions): void;
}

// ---- customer-signals tracking plan -----------------------------------------------------------------

/** Fields every customer-signals call takes. `userId`, `orgId`, `workspaceId` come from here or the scope. */
export interface CustomerSignalsCommonOptions extends CallOptions {
  /** The customer-signals tracking plan's `channel_type` (written as `spantrack.channel`). */
  channelType?: string;
  /** The customer-signals tracking plan's `result`. */
  result?: string;
  /** The customer-signals tracking plan's `error_code`. */
  errorCode?: string;
  /** Default now. */
  timestamp?: Timestamp;
}

export interface SignalOptions extends CustomerSignalsCommonOptions {
  /** Default `detected`. */
  event?: SignalEvent;
  signalType?: string;
  severity?: string;
  themeId?: string;
}

export interface TriageOptions extends CustomerSignalsCommonOptions {
  triageResult?: string;
  confidenceBand?: string;
  /** Also write `ai_triage.escalation_triggered`. */
  escalated?: boolean;
  escalationReason?: string;
}

export interface ReplyOptions extends CustomerSignalsCommonOptions {
  /** Default `generated`. */
  event?: ReplyEvent;
  replyMode?: ReplyMode;
  kbGapType?: string;
  confidenceBand?: string;
}

export interface OutcomeOptions extends CustomerSignalsCommonOptions {
  event: OutcomeEvent;
  outcomeType?: string;
  previousSignalType?: string;
  timeToResolutionMs?: number;
  handoffTarget?: string;
  resolutionPath?: string;
}
