import { CONTEXT_ATTRIBUTE_KEYS } from '@spantrack/conventions';
import type { AttributeValue, SpanLike } from '@spantrack/processor/translate';

type ContextValues = Partial<Record<(typeof CONTEXT_ATTRIBUTE_KEYS)[number], AttributeValue>>;

const isPresent = (v: AttributeValue | undefined): v is AttributeValue => v !== undefined && v !== '';

/**
 * Carries the ids that only some spans of a trace carry (user, conversation, org, workspace,
 * channel, surface) to the other spans of that trace within one request: the in-process processor
 * does the same across a trace (`TraceContextBuffer`). A root span's values (no parent) win over its
 * children's; among children the first wins. Spans lacking nothing are returned as they are.
 * Across requests, the OpenTelemetry Collector's `groupbytrace` processor upstream puts a whole
 * trace in one request.
 */
export function fillTraceContext(spans: SpanLike[]): SpanLike[] {
  if (spans.length < 2) return spans;
  const contexts = new Map<string, ContextValues>();
  let shared = false;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    let ctx = contexts.get(span.traceId);
    if (ctx === undefined) {
      ctx = {};
      contexts.set(span.traceId, ctx);
    } else shared = true;
    const isRoot = span.parentSpanId === undefined;
    const attributes = span.attributes;
    for (const key of CONTEXT_ATTRIBUTE_KEYS) {
      const value = attributes[key];
      if (isPresent(value) && (isRoot || ctx[key] === undefined)) ctx[key] = value;
    }
  }
  // Every span in a trace of its own: nothing to carry.
  if (!shared) return spans;
  const out = new Array<SpanLike>(spans.length);
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const ctx = contexts.get(span.traceId)!;
    let attributes: Record<string, AttributeValue | undefined> | undefined;
    for (const key of CONTEXT_ATTRIBUTE_KEYS) {
      const value = ctx[key];
      if (value !== undefined && !isPresent(span.attributes[key])) {
        attributes ??= { ...span.attributes };
        attributes[key] = value;
      }
    }
    out[i] = attributes === undefined ? span : { ...span, attributes };
  }
  return out;
}
