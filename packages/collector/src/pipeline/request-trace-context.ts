import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_SPANTRACK_ANONYMOUS_ID,
  ATTR_SPANTRACK_APP_SURFACE,
  ATTR_SPANTRACK_CHANNEL,
  ATTR_SPANTRACK_ORG_ID,
  ATTR_SPANTRACK_WORKSPACE_ID,
  ATTR_USER_ID,
} from '@spantrack/conventions';
import type { AttributeValue, SpanLike } from '@spantrack/processor/translate';

const isPresent = (v: AttributeValue | undefined): v is AttributeValue => v !== undefined && v !== '';

/**
 * One trace's values, a field per key. Written out key by key below (no loop over the keys): each
 * read is then a named property load, about half the cost of a keyed one on this hot path.
 */
class ContextValues {
  user: AttributeValue | undefined = undefined;
  anonymous: AttributeValue | undefined = undefined;
  conversation: AttributeValue | undefined = undefined;
  org: AttributeValue | undefined = undefined;
  workspace: AttributeValue | undefined = undefined;
  channel: AttributeValue | undefined = undefined;
  surface: AttributeValue | undefined = undefined;
}

type Writable = Record<string, AttributeValue | undefined>;

/**
 * Carries the ids that only some spans of a trace carry (user, conversation, org, workspace,
 * channel, surface) to the other spans of that trace within one request: the in-process processor
 * does the same across a trace (`TraceContextBuffer`). A root span's values (no parent) win over its
 * children's; among children the first wins. Spans lacking nothing are returned as they are.
 * Across requests, the OpenTelemetry Collector's `groupbytrace` processor upstream puts a whole
 * trace in one request.
 *
 * The spans are the request's own (the decoders made them): an attribute object that can take the
 * values is filled in place rather than copied.
 */
export function fillTraceContext(spans: SpanLike[]): SpanLike[] {
  if (spans.length < 2) return spans;
  const contexts = new Map<string, ContextValues>();
  // Per span: its trace's values, or undefined when the span lacks none of the keys.
  const lacking = new Array<ContextValues | undefined>(spans.length);
  let anyLacking = false;
  let shared = false;
  // A trace's spans usually come together: the last trace's values are at hand.
  let lastTraceId: string | undefined;
  let ctx = new ContextValues();
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    if (span.traceId !== lastTraceId) {
      lastTraceId = span.traceId;
      const known = contexts.get(lastTraceId);
      if (known === undefined) {
        ctx = new ContextValues();
        contexts.set(lastTraceId, ctx);
      } else {
        ctx = known;
        shared = true;
      }
    } else shared = true;
    const root = span.parentSpanId === undefined;
    const a = span.attributes;
    let lacks = false;
    let v = a[ATTR_USER_ID];
    if (!isPresent(v)) lacks = true;
    else if (root || ctx.user === undefined) ctx.user = v;
    v = a[ATTR_SPANTRACK_ANONYMOUS_ID];
    if (!isPresent(v)) lacks = true;
    else if (root || ctx.anonymous === undefined) ctx.anonymous = v;
    v = a[ATTR_GEN_AI_CONVERSATION_ID];
    if (!isPresent(v)) lacks = true;
    else if (root || ctx.conversation === undefined) ctx.conversation = v;
    v = a[ATTR_SPANTRACK_ORG_ID];
    if (!isPresent(v)) lacks = true;
    else if (root || ctx.org === undefined) ctx.org = v;
    v = a[ATTR_SPANTRACK_WORKSPACE_ID];
    if (!isPresent(v)) lacks = true;
    else if (root || ctx.workspace === undefined) ctx.workspace = v;
    v = a[ATTR_SPANTRACK_CHANNEL];
    if (!isPresent(v)) lacks = true;
    else if (root || ctx.channel === undefined) ctx.channel = v;
    v = a[ATTR_SPANTRACK_APP_SURFACE];
    if (!isPresent(v)) lacks = true;
    else if (root || ctx.surface === undefined) ctx.surface = v;
    if (lacks) {
      lacking[i] = ctx;
      anyLacking = true;
    }
  }
  // Every span in a trace of its own, or no span lacking anything: nothing to carry.
  if (!shared || !anyLacking) return spans;
  const out = spans.slice();
  for (let i = 0; i < spans.length; i++) {
    const c = lacking[i];
    if (c === undefined) continue;
    const span = spans[i]!;
    const own = span.attributes as Writable;
    // A decoded span's attributes are its own object: filled in place. Shared frozen ones are copied.
    const into = Object.isExtensible(own) ? own : { ...own };
    let filled = false;
    if (c.user !== undefined && !isPresent(own[ATTR_USER_ID])) filled = set(into, ATTR_USER_ID, c.user);
    if (c.anonymous !== undefined && !isPresent(own[ATTR_SPANTRACK_ANONYMOUS_ID]))
      filled = set(into, ATTR_SPANTRACK_ANONYMOUS_ID, c.anonymous);
    if (c.conversation !== undefined && !isPresent(own[ATTR_GEN_AI_CONVERSATION_ID]))
      filled = set(into, ATTR_GEN_AI_CONVERSATION_ID, c.conversation);
    if (c.org !== undefined && !isPresent(own[ATTR_SPANTRACK_ORG_ID]))
      filled = set(into, ATTR_SPANTRACK_ORG_ID, c.org);
    if (c.workspace !== undefined && !isPresent(own[ATTR_SPANTRACK_WORKSPACE_ID]))
      filled = set(into, ATTR_SPANTRACK_WORKSPACE_ID, c.workspace);
    if (c.channel !== undefined && !isPresent(own[ATTR_SPANTRACK_CHANNEL]))
      filled = set(into, ATTR_SPANTRACK_CHANNEL, c.channel);
    if (c.surface !== undefined && !isPresent(own[ATTR_SPANTRACK_APP_SURFACE]))
      filled = set(into, ATTR_SPANTRACK_APP_SURFACE, c.surface);
    if (filled && into !== own) out[i] = { ...span, attributes: into };
  }
  return out;
}

function set(into: Writable, key: string, value: AttributeValue): true {
  into[key] = value;
  return true;
}
