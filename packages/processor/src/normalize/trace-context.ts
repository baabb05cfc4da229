import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_SPANTRACK_ANONYMOUS_ID,
  ATTR_SPANTRACK_APP_SURFACE,
  ATTR_SPANTRACK_CHANNEL,
  ATTR_SPANTRACK_ORG_ID,
  ATTR_SPANTRACK_WORKSPACE_ID,
  ATTR_USER_ID,
} from '@spantrack/conventions';
import type { AttributeValue, SpanLike } from '../span-like';
import { MAX_ID_LENGTH } from './read-span';
import type { TraceContext } from './trace-rules';

/** An id as `readId` takes it (a non-empty string up to MAX_ID_LENGTH, or a finite number), else undefined. */
function idOf(value: AttributeValue | undefined): string | undefined {
  if (typeof value === 'string') return value.length > 0 && value.length <= MAX_ID_LENGTH ? value : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}

/**
 * The ids a span that makes no event of its own carries for the rest of its trace (an HTTP server
 * span with the user's id, say), or undefined when it carries none. Nothing is reported: the span is
 * not translated, its values only lend themselves to its trace.
 */
export function readTraceContext(span: SpanLike): TraceContext | undefined {
  const a = span.attributes;
  const userId = idOf(a[ATTR_USER_ID]);
  const anonymousId = idOf(a[ATTR_SPANTRACK_ANONYMOUS_ID]);
  const conversationId = idOf(a[ATTR_GEN_AI_CONVERSATION_ID]);
  const orgId = idOf(a[ATTR_SPANTRACK_ORG_ID]);
  const workspaceId = idOf(a[ATTR_SPANTRACK_WORKSPACE_ID]);
  const channel = idOf(a[ATTR_SPANTRACK_CHANNEL]);
  const appSurface = idOf(a[ATTR_SPANTRACK_APP_SURFACE]);
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
