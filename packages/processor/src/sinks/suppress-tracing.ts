import { type Context, createContextKey } from '@opentelemetry/api';

/**
 * The SDK's suppress-tracing flag (`suppressTracing` of `@opentelemetry/core`), set through the API
 * alone: `createContextKey` makes a `Symbol.for` key, and the 2.x and 3.x SDK lines both use this
 * description, so instrumentations of either line see it without a peer on either core package.
 * Spantrack's own requests to Segment run under it, so instrumented HTTP clients never trace them.
 */
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

export function suppressTracing(context: Context): Context {
  return context.setValue(SUPPRESS_TRACING_KEY, true);
}
