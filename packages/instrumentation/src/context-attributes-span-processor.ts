import { type Attributes, type AttributeValue, type Context, trace } from '@opentelemetry/api';
import {
  ATTR_SPANTRACK_INTERACTION_KIND,
  ATTR_SPANTRACK_REPORTED_BY,
  InteractionKind,
} from '@spantrack/conventions';
import { getContextAttributes } from './context-scope';

/**
 * What this processor uses of the SDK's span at `onStart`. Typed structurally from the API's types,
 * so the class fits any SDK's `SpanProcessor` and its declarations need only `@opentelemetry/api`.
 */
export interface StartingSpan {
  readonly attributes: Attributes;
  setAttribute(key: string, value: AttributeValue): unknown;
}

/**
 * Copies the attributes of the enclosing `withContext` scope onto every span at `onStart`, so
 * that spans of other libraries (LLM clients, HTTP) carry the user and conversation too. A key
 * the span already has is left alone: the span's own value is more specific.
 *
 * It also marks spans started inside a `classify` / `generate` call (the LLM client's span, and
 * what that starts) with `spantrack.reported_by`: the enclosing call already reports the model
 * call, so the processor makes no second event of them.
 *
 * Register it before processors that export or translate spans.
 */
export class ContextAttributesSpanProcessor {
  onStart(span: StartingSpan, parentContext: Context): void {
    markReportedBy(span, parentContext);
    const attrs = getContextAttributes(parentContext);
    if (attrs === undefined) return;
    const current = span.attributes;
    for (const key in attrs) {
      const value = attrs[key];
      if (value !== undefined && current[key] === undefined) span.setAttribute(key, value);
    }
  }

  onEnd(_span: unknown): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Copies the enclosing classify/generate kind (or the parent's own mark) onto a new span. */
function markReportedBy(span: StartingSpan, parentContext: Context): void {
  // The parent is an SDK span of this process when it has attributes; anything else is skipped.
  const parent = trace.getSpan(parentContext) as { attributes?: Attributes } | undefined;
  const parentAttributes = parent?.attributes;
  if (parentAttributes === undefined || span.attributes[ATTR_SPANTRACK_REPORTED_BY] !== undefined) return;
  let by = parentAttributes[ATTR_SPANTRACK_REPORTED_BY];
  if (by === undefined) {
    const kind = parentAttributes[ATTR_SPANTRACK_INTERACTION_KIND];
    if (kind === InteractionKind.CLASSIFICATION || kind === InteractionKind.GENERATION) by = kind;
  }
  if (typeof by === 'string') span.setAttribute(ATTR_SPANTRACK_REPORTED_BY, by);
}
