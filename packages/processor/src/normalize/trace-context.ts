import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_SPANTRACK_ANONYMOUS_ID,
  ATTR_SPANTRACK_APP_SURFACE,
  ATTR_SPANTRACK_CHANNEL,
  ATTR_SPANTRACK_ORG_ID,
  ATTR_SPANTRACK_WORKSPACE_ID,
  ATTR_USER_ID,
} from '@spantrack/conventions';
import type { SpanLike } from '../span-like';
import { idValue } from './read-span';
import type { TraceContext } from './trace-rules';

/**
 * The ids a span that makes no event of its own carries for the rest of its trace (an HTTP server
 * span with the user's id, say), or undefined when it carries none. Nothing is reported: the span is
 * not translated, its values only lend themselves to its trace.
 */
export function readTraceContext(span: SpanLike): TraceContext | undefined {
  const a = span.attributes;
  const userId = idValue(a[ATTR_USER_ID]);
  const anonymousId = idValue(a[ATTR_SPANTRACK_ANONYMOUS_ID]);
  const conversationId = idValue(a[ATTR_GEN_AI_CONVERSATION_ID]);
  const orgId = idValue(a[ATTR_SPANTRACK_ORG_ID]);
  const workspaceId = idValue(a[ATTR_SPANTRACK_WORKSPACE_ID]);
  const channel = idValue(a[ATTR_SPANTRACK_CHANNEL]);
  const appSurface = idValue(a[ATTR_SPANTRACK_APP_SURFACE]);
  if (
    userId === undefined &&
    anonymousId === undefined &&
    conversationId === undefined &&
    orgId === undefined &&
    workspaceId === undefined &&
    channel === undefined &&
    appSurface === undefined
  ) {
    return undefined;
  }
  return { userId, anonymousId, conversationId, orgId, workspaceId, channel, appSurface };
}
