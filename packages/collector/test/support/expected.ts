import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { CONTEXT_ATTRIBUTE_KEYS } from '@spantrack/conventions';
import { type AnalyticsMessage, createTranslator, fromReadableSpan } from '@spantrack/processor';

/**
 * The messages the in-process pipeline makes of these spans when each trace's root context (user,
 * conversation, ...) reaches its children: what the collector must deliver for them.
 */
export function expectedMessages(spans: readonly ReadableSpan[]): AnalyticsMessage[] {
  const translate = createTranslator();
  const roots = new Map<string, Record<string, unknown>>();
  for (const s of spans) {
    if (s.parentSpanContext === undefined) roots.set(s.spanContext().traceId, s.attributes);
  }
  const out: AnalyticsMessage[] = [];
  for (const s of spans) {
    const span = fromReadableSpan(s);
    const root = roots.get(span.traceId) ?? {};
    const context: Record<string, unknown> = {};
    for (const key of CONTEXT_ATTRIBUTE_KEYS) if (root[key] !== undefined) context[key] = root[key];
    out.push(
      ...translate({ ...span, attributes: { ...context, ...span.attributes } as typeof span.attributes })
        .messages,
    );
  }
  return out;
}

export function messageIds(spans: readonly ReadableSpan[]): Set<string> {
  return new Set(expectedMessages(spans).map((m) => m.messageId));
}
