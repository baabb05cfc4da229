import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { getContextAttributes } from './context-scope';

/**
 * Copies the attributes of the enclosing `withContext` scope onto every span at `onStart`, so
 * that spans of other libraries (LLM clients, HTTP) carry the user and conversation too. A key
 * the span already has is left alone: the span's own value is more specific.
 *
 * Register it before processors that export or translate spans.
 */
export class ContextAttributesSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const attrs = getContextAttributes(parentContext);
    if (attrs === undefined) return;
    const current = span.attributes;
    for (const key in attrs) {
      const value = attrs[key];
      if (value !== undefined && current[key] === undefined) span.setAttribute(key, value);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
