/**
 * A span processor as a tracer provider calls it, typed structurally: the SDK's `SpanProcessor` of
 * the 2.x (`sdk-trace-base`) and 3.x (`sdk-trace`) lines both fit it and accept it, so the
 * declarations of this package name neither line.
 */
export interface SpanProcessorLike {
  onStart(span: unknown, parentContext: unknown): void;
  onEnd(span: unknown): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
