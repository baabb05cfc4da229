import { CatalogName, CopilotEvent, MessageRole } from '@spantrack/conventions';
import { DiagnosticCode } from '../diagnostics';
import type { AnalyticsMessage, JsonObject } from '../message';
import type { Interaction } from '../normalize/interaction';
import { addUsage } from './ai-agent';
import type { Catalog, CatalogContext } from './catalog';

/** Suffixes of the message ids derived for a turn's two messages when none are given. */
const INPUT_MESSAGE_SUFFIX = '-in';
const OUTPUT_MESSAGE_SUFFIX = '-out';

/**
 * Every AI Copilot event needs a conversation. A spantrack span missing one is reported (the tracker
 * puts it on every conversation span); other producers' spans often have none and are just skipped.
 */
function missingConversation(it: Interaction, ctx: CatalogContext, event: string): void {
  if (it.source === 'spantrack') {
    ctx.report(it, DiagnosticCode.MISSING_REQUIRED, `no gen_ai.conversation.id: ${event} not sent`, event);
  }
}

function messageProps(
  conversationId: string,
  messageId: string,
  body: string | undefined,
  role: string,
  ctx: CatalogContext,
): JsonObject {
  const p: JsonObject = { conversationId, messageId };
  if (body !== undefined && ctx.captureContent) p.message_body = body;
  p.role = role;
  return p;
}

/**
 * A request / response pair (a `turn`, or a `track` inside a conversation): Message Sent at the
 * span's start (the customer's message arrives then; the conversation tracking plan's response
 * time is the gap), Message Received at its end, with the turn's usage (the sum of its model
 * calls) as additions. A failed turn received no answer: Message Sent only.
 */
function exchange(
  it: Interaction,
  conversationId: string,
  ctx: CatalogContext,
  out: AnalyticsMessage[],
): void {
  out.push(
    ctx.track(
      it,
      CopilotEvent.MESSAGE_SENT,
      messageProps(
        conversationId,
        it.inputMessageId ?? it.spanId + INPUT_MESSAGE_SUFFIX,
        it.inputText,
        MessageRole.CUSTOMER,
        ctx,
      ),
      { timestamp: it.startTimestamp },
    ),
  );
  if (it.failed) return;
  const received = messageProps(
    conversationId,
    it.outputMessageId ?? it.spanId + OUTPUT_MESSAGE_SUFFIX,
    it.outputText,
    MessageRole.AGENT,
    ctx,
  );
  addUsage(it, received);
  out.push(ctx.track(it, CopilotEvent.MESSAGE_RECEIVED, received));
}

/**
 * Segment's AI Copilot spec: Conversation Started / Ended, Message Sent / Received,
 * Action Invoked, Media Generated, Component Loaded, Feedback Submitted, and identify.
 */
export const segmentCopilotCatalog: Catalog = {
  name: CatalogName.SEGMENT_COPILOT,
  map(it: Interaction, ctx: CatalogContext): readonly AnalyticsMessage[] {
    const out: AnalyticsMessage[] = [];
    const conversationId = it.conversationId;

    if (it.kind === 'identify') {
      const message = ctx.identify(it);
      if (message !== undefined) out.push(message);
      return out;
    }

    // Lifecycle events are keyed by conversation: whichever span reports them, they dedupe. They
    // carry no user properties, so that every report of one conversation's start is identical.
    if (it.conversationEvent === 'started') {
      if (conversationId === undefined) missingConversation(it, ctx, CopilotEvent.CONVERSATION_STARTED);
      else
        out.push(
          ctx.track(
            it,
            CopilotEvent.CONVERSATION_STARTED,
            { conversationId },
            { conversationScoped: true, userProperties: false, timestamp: it.startTimestamp },
          ),
        );
    }

    switch (it.kind) {
      case 'message': {
        const customer = it.role === undefined || it.role === MessageRole.CUSTOMER;
        const event = customer ? CopilotEvent.MESSAGE_SENT : CopilotEvent.MESSAGE_RECEIVED;
        if (conversationId === undefined) {
          missingConversation(it, ctx, event);
          break;
        }
        const body = customer ? (it.inputText ?? it.outputText) : (it.outputText ?? it.inputText);
        const role = it.role ?? MessageRole.CUSTOMER;
        out.push(
          ctx.track(it, event, messageProps(conversationId, it.messageId ?? it.spanId, body, role, ctx)),
        );
        break;
      }
      case 'turn':
        // A turn inside another turn (an agent span inside conversation.turn()): the outer one reports.
        if (it.reportedBy !== undefined) break;
        if (conversationId === undefined) missingConversation(it, ctx, CopilotEvent.MESSAGE_SENT);
        else exchange(it, conversationId, ctx, out);
        break;
      case 'track':
        if (it.eventName !== undefined) {
          // A user-defined event: Segment's "Standard Track Call" with the conversation identifiers.
          const p: JsonObject = {};
          if (conversationId !== undefined) p.conversationId = conversationId;
          if (it.messageId !== undefined) p.messageId = it.messageId;
          out.push(ctx.track(it, it.eventName, p));
        } else if (conversationId !== undefined) {
          exchange(it, conversationId, ctx, out);
        }
        break;
      case 'tool': {
        // A second span of the same tool execution (two instrumentations): the outer one reports.
        if (it.reportedBy !== undefined) break;
        if (conversationId === undefined) {
          missingConversation(it, ctx, CopilotEvent.ACTION_INVOKED);
          break;
        }
        const action = it.actionName ?? it.toolName;
        if (action === undefined) {
          ctx.report(
            it,
            DiagnosticCode.MISSING_REQUIRED,
            'tool without an action or tool name: Action Invoked not sent',
            CopilotEvent.ACTION_INVOKED,
          );
          break;
        }
        const p: JsonObject = { conversationId };
        if (it.messageId !== undefined) p.messageId = it.messageId;
        p.type = it.actionType ?? 'tool';
        p.action = action;
        if (it.role !== undefined) p.role = it.role;
        out.push(ctx.track(it, CopilotEvent.ACTION_INVOKED, p));
        break;
      }
      case 'media': {
        if (conversationId === undefined) {
          missingConversation(it, ctx, CopilotEvent.MEDIA_GENERATED);
          break;
        }
        if (it.mediaType === undefined) {
          ctx.report(
            it,
            DiagnosticCode.MISSING_REQUIRED,
            'no spantrack.media.type: Media Generated not sent',
            CopilotEvent.MEDIA_GENERATED,
          );
          break;
        }
        const p: JsonObject = { conversationId };
        if (it.messageId !== undefined) p.messageId = it.messageId;
        p.type = it.mediaType;
        if (it.mediaSubType !== undefined) p.sub_type = it.mediaSubType;
        p.role = it.role ?? MessageRole.AGENT;
        out.push(ctx.track(it, CopilotEvent.MEDIA_GENERATED, p));
        break;
      }
      case 'component': {
        if (conversationId === undefined) {
          missingConversation(it, ctx, CopilotEvent.COMPONENT_LOADED);
          break;
        }
        if (it.componentType === undefined) {
          ctx.report(
            it,
            DiagnosticCode.MISSING_REQUIRED,
            'no spantrack.component.type: Component Loaded not sent',
            CopilotEvent.COMPONENT_LOADED,
          );
          break;
        }
        const p: JsonObject = { conversationId };
        if (it.messageId !== undefined) p.messageId = it.messageId;
        p.type = it.componentType;
        out.push(ctx.track(it, CopilotEvent.COMPONENT_LOADED, p));
        break;
      }
      case 'feedback': {
        if (conversationId === undefined) {
          missingConversation(it, ctx, CopilotEvent.FEEDBACK_SUBMITTED);
          break;
        }
        if (it.feedbackRating === undefined) {
          ctx.report(
            it,
            DiagnosticCode.MISSING_REQUIRED,
            'no usable spantrack.feedback.rating: Feedback Submitted not sent',
            CopilotEvent.FEEDBACK_SUBMITTED,
          );
          break;
        }
        const p: JsonObject = { conversationId };
        if (it.messageId !== undefined) p.messageId = it.messageId;
        p.rating = it.feedbackRating;
        out.push(ctx.track(it, CopilotEvent.FEEDBACK_SUBMITTED, p));
        break;
      }
      case 'conversation':
        if (it.conversationEvent === 'ended') {
          if (conversationId === undefined) {
            missingConversation(it, ctx, CopilotEvent.CONVERSATION_ENDED);
            break;
          }
          const p: JsonObject = { conversationId };
          if (it.messageCount !== undefined) p.message_count = it.messageCount;
          out.push(
            ctx.track(it, CopilotEvent.CONVERSATION_ENDED, p, {
              conversationScoped: true,
              userProperties: false,
            }),
          );
        }
        break;
    }
    return out;
  },
};
