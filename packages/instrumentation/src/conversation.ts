import { type Attributes, type Context, context, trace } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_SPANTRACK_ACTION_NAME,
  ATTR_SPANTRACK_ACTION_TYPE,
  ATTR_SPANTRACK_COMPONENT_TYPE,
  ATTR_SPANTRACK_CONVERSATION_EVENT,
  ATTR_SPANTRACK_CONVERSATION_MESSAGE_COUNT,
  ATTR_SPANTRACK_FEEDBACK_RATING,
  ATTR_SPANTRACK_INPUT_MESSAGE_ID,
  ATTR_SPANTRACK_INPUT_TEXT,
  ATTR_SPANTRACK_MEDIA_SUB_TYPE,
  ATTR_SPANTRACK_MEDIA_TYPE,
  ATTR_SPANTRACK_MESSAGE_ID,
  ATTR_SPANTRACK_MESSAGE_ROLE,
  ATTR_SPANTRACK_OUTPUT_LENGTH,
  ATTR_SPANTRACK_OUTPUT_TEXT,
  ConversationEvent,
  GenAiOperationName,
  InteractionKind,
  MessageRole,
} from '@spantrack/conventions';
import { contextAttributesOf, getContextAttributes, setContextAttributes } from './context-scope';
import { HandleKind, type MessageCounter, noFunction, SpanHandle } from './span-handle';
import { nowHrTime, readTimestamp } from './time';
import {
  EMPTY_OPTIONS,
  emitPointSpan,
  optionsOf,
  type RawOptions,
  spanAttributes,
  startSpan,
  type TrackerCore,
} from './tracker-core';
import type {
  ActionOptions,
  ComponentOptions,
  Conversation,
  ConversationEndOptions,
  ConversationOptions,
  FeedbackOptions,
  MediaOptions,
  MessageOptions,
  ToolHandle,
  ToolOptions,
  TurnHandle,
  TurnInput,
} from './types';
import { readFinite, readString } from './validate';

/** The default `type` of `Action Invoked` (Segment's AI Copilot spec) when a tool is run. */
const DEFAULT_ACTION_TYPE = 'tool';

function newConversationId(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * A conversation of Segment's AI Copilot spec. Every span it makes carries its conversation id, user and channel,
 * and so do spans started inside its `turn` and `tool` functions (LLM client spans included).
 */
export class ConversationImpl implements Conversation, MessageCounter {
  readonly conversationId: string;
  /** The conversation's own context attributes, above the scope's. */
  private readonly _own: Attributes;
  private _count = 0;
  private _started = false;
  private _ended = false;

  constructor(
    private readonly _core: TrackerCore,
    options: ConversationOptions | undefined,
  ) {
    const opts = optionsOf(_core, 'conversation', options);
    this._own = contextAttributesOf(_core.diag, 'conversation', opts);
    const id = this._own[ATTR_GEN_AI_CONVERSATION_ID];
    if (typeof id === 'string') {
      this.conversationId = id;
    } else {
      this.conversationId = newConversationId();
      this._own[ATTR_GEN_AI_CONVERSATION_ID] = this.conversationId;
    }
  }

  get messageCount(): number {
    return this._count;
  }

  countMessages(n: number): void {
    this._count += n;
  }

  messageSent(message?: string | MessageOptions): void {
    this._message(
      'messageSent',
      message,
      MessageRole.CUSTOMER,
      'message customer',
      ATTR_SPANTRACK_INPUT_TEXT,
    );
  }

  messageReceived(message?: string | MessageOptions): void {
    this._message('messageReceived', message, MessageRole.AGENT, 'message agent', ATTR_SPANTRACK_OUTPUT_TEXT);
  }

  turn<T>(input: string | TurnInput | undefined, fn: (turn: TurnHandle) => T): T {
    const core = this._core;
    if (typeof fn !== 'function') return noFunction(core, 'turn', fn);
    const opts: RawOptions = typeof input === 'string' ? { text: input } : optionsOf(core, 'turn', input);
    const ctx = context.active();
    const attrs = this._attributes('turn', InteractionKind.TURN, ctx, opts);
    attrs[ATTR_GEN_AI_OPERATION_NAME] = GenAiOperationName.INVOKE_AGENT;
    const text = readString(core.diag, 'turn', 'input', opts.text);
    if (text !== undefined && core.captureContent) attrs[ATTR_SPANTRACK_INPUT_TEXT] = text;
    const messageId = readString(core.diag, 'turn', 'messageId', opts.messageId);
    if (messageId !== undefined) attrs[ATTR_SPANTRACK_INPUT_MESSAGE_ID] = messageId;
    this._markStarted(attrs);
    const span = startSpan(core, core.invokeAgentSpanName, attrs, ctx);
    const handle = new SpanHandle(core, span, HandleKind.Turn, 'turn', true, this);
    return handle.run(trace.setSpan(setContextAttributes(ctx, this._own), span), fn);
  }

  tool<T>(name: string, fn: (tool: ToolHandle) => T, options?: ToolOptions): T {
    const core = this._core;
    if (typeof fn !== 'function') return noFunction(core, 'tool', fn);
    const d = core.diag;
    const opts = optionsOf(core, 'tool', options);
    const ctx = context.active();
    const attrs = this._attributes('tool', InteractionKind.TOOL, ctx, opts);
    const toolName = readString(d, 'tool', 'name', name);
    attrs[ATTR_GEN_AI_OPERATION_NAME] = GenAiOperationName.EXECUTE_TOOL;
    if (toolName !== undefined) attrs[ATTR_GEN_AI_TOOL_NAME] = toolName;
    const callId = readString(d, 'tool', 'callId', opts.callId);
    if (callId !== undefined) attrs[ATTR_GEN_AI_TOOL_CALL_ID] = callId;
    attrs[ATTR_SPANTRACK_ACTION_TYPE] =
      readString(d, 'tool', 'actionType', opts.actionType) ?? DEFAULT_ACTION_TYPE;
    const actionName = readString(d, 'tool', 'actionName', opts.actionName) ?? toolName;
    if (actionName !== undefined) attrs[ATTR_SPANTRACK_ACTION_NAME] = actionName;
    const messageId = readString(d, 'tool', 'messageId', opts.messageId);
    if (messageId !== undefined) attrs[ATTR_SPANTRACK_MESSAGE_ID] = messageId;
    attrs[ATTR_SPANTRACK_MESSAGE_ROLE] = MessageRole.AGENT;
    const spanName = toolName === undefined ? GenAiOperationName.EXECUTE_TOOL : `execute_tool ${toolName}`;
    const span = startSpan(core, spanName, attrs, ctx);
    const handle = new SpanHandle(core, span, HandleKind.Tool, 'tool', true, undefined);
    return handle.run(trace.setSpan(setContextAttributes(ctx, this._own), span), fn);
  }

  actionInvoked(options: ActionOptions): void {
    const d = this._core.diag;
    const opts = optionsOf(this._core, 'actionInvoked', options);
    const attrs = this._attributes('actionInvoked', InteractionKind.TOOL, context.active(), opts);
    const type = readString(d, 'actionInvoked', 'type', opts.type);
    if (type !== undefined) attrs[ATTR_SPANTRACK_ACTION_TYPE] = type;
    const action = readString(d, 'actionInvoked', 'action', opts.action);
    if (action !== undefined) attrs[ATTR_SPANTRACK_ACTION_NAME] = action;
    this._messageRef('actionInvoked', opts, attrs, MessageRole.CUSTOMER);
    this._point('actionInvoked', action === undefined ? 'action' : `action ${action}`, attrs, opts);
  }

  mediaGenerated(options: MediaOptions): void {
    const d = this._core.diag;
    const opts = optionsOf(this._core, 'mediaGenerated', options);
    const attrs = this._attributes('mediaGenerated', InteractionKind.MEDIA, context.active(), opts);
    const type = readString(d, 'mediaGenerated', 'type', opts.type);
    if (type !== undefined) attrs[ATTR_SPANTRACK_MEDIA_TYPE] = type;
    const subType = readString(d, 'mediaGenerated', 'subType', opts.subType);
    if (subType !== undefined) attrs[ATTR_SPANTRACK_MEDIA_SUB_TYPE] = subType;
    this._messageRef('mediaGenerated', opts, attrs, MessageRole.AGENT);
    this._point('mediaGenerated', type === undefined ? 'media' : `media ${type}`, attrs, opts);
  }

  componentLoaded(options: ComponentOptions): void {
    const d = this._core.diag;
    const opts = optionsOf(this._core, 'componentLoaded', options);
    const attrs = this._attributes('componentLoaded', InteractionKind.COMPONENT, context.active(), opts);
    const type = readString(d, 'componentLoaded', 'type', opts.type);
    if (type !== undefined) attrs[ATTR_SPANTRACK_COMPONENT_TYPE] = type;
    this._messageRef('componentLoaded', opts, attrs, undefined);
    this._point('componentLoaded', type === undefined ? 'component' : `component ${type}`, attrs, opts);
  }

  feedback(options: FeedbackOptions): void {
    const opts = optionsOf(this._core, 'feedback', options);
    const attrs = this._attributes('feedback', InteractionKind.FEEDBACK, context.active(), opts);
    const rating = readFinite(this._core.diag, 'feedback', 'rating', opts.rating);
    if (rating !== undefined) attrs[ATTR_SPANTRACK_FEEDBACK_RATING] = rating;
    this._messageRef('feedback', opts, attrs, undefined);
    this._point('feedback', 'feedback', attrs, opts);
  }

  end(options?: ConversationEndOptions): void {
    if (this._ended) {
      this._core.diag.problem('conversation.end', 'called more than once; the later calls are ignored');
      return;
    }
    this._ended = true;
    const opts = optionsOf(this._core, 'conversation.end', options);
    const attrs = this._attributes('conversation.end', InteractionKind.CONVERSATION, context.active(), opts);
    attrs[ATTR_SPANTRACK_CONVERSATION_EVENT] = ConversationEvent.ENDED;
    attrs[ATTR_SPANTRACK_CONVERSATION_MESSAGE_COUNT] = this._count;
    this._point('conversation.end', 'conversation ended', attrs, opts);
  }

  private _attributes(where: string, kind: InteractionKind, ctx: Context, opts: RawOptions): Attributes {
    return spanAttributes(
      this._core,
      where,
      kind,
      this._core.agentName,
      getContextAttributes(ctx),
      this._own,
      opts.properties,
    );
  }

  /** The first message of the conversation also stands for `Conversation Started`. */
  private _markStarted(attrs: Attributes): void {
    if (this._started) return;
    this._started = true;
    attrs[ATTR_SPANTRACK_CONVERSATION_EVENT] = ConversationEvent.STARTED;
  }

  private _message(
    where: string,
    message: string | MessageOptions | undefined,
    defaultRole: string,
    spanName: string,
    contentKey: string,
  ): void {
    const core = this._core;
    const opts: RawOptions =
      typeof message === 'string'
        ? { body: message }
        : message === undefined
          ? EMPTY_OPTIONS
          : optionsOf(core, where, message);
    const attrs = this._attributes(where, InteractionKind.MESSAGE, context.active(), opts);
    this._messageRef(where, opts, attrs, defaultRole);
    const body = readString(core.diag, where, 'body', opts.body);
    if (body !== undefined) {
      if (contentKey === ATTR_SPANTRACK_OUTPUT_TEXT) attrs[ATTR_SPANTRACK_OUTPUT_LENGTH] = body.length;
      if (core.captureContent) attrs[contentKey] = body;
    }
    this._markStarted(attrs);
    this._count++;
    this._point(where, spanName, attrs, opts);
  }

  /** `spantrack.message.id`, and `spantrack.message.role` (the event's default unless given) for events that have one. */
  private _messageRef(
    where: string,
    opts: RawOptions,
    attrs: Attributes,
    defaultRole: string | undefined,
  ): void {
    const d = this._core.diag;
    const messageId = readString(d, where, 'messageId', opts.messageId);
    if (messageId !== undefined) attrs[ATTR_SPANTRACK_MESSAGE_ID] = messageId;
    // Segment's AI Copilot spec gives Component Loaded and Feedback Submitted no role: none is written for them.
    if (defaultRole === undefined) return;
    attrs[ATTR_SPANTRACK_MESSAGE_ROLE] = readString(d, where, 'role', opts.role) ?? defaultRole;
  }

  private _point(where: string, name: string, attrs: Attributes, opts: RawOptions): void {
    const time = readTimestamp(this._core.diag, where, opts.timestamp) ?? nowHrTime();
    emitPointSpan(this._core, name, attrs, context.active(), time);
  }
}
