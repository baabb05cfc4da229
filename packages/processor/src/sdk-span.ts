/*
 * What the processor reads of the OpenTelemetry SDK's types, restated structurally. The 2.x line
 * (`@opentelemetry/sdk-trace-base`) and the 3.x line (`@opentelemetry/sdk-trace`) both satisfy
 * these, so the published declarations import neither and compile against either.
 */

/**
 * Attributes as the SDK holds them. `@opentelemetry/api` 1.10 types every value as `unknown`
 * (`AnyValue`), earlier versions as primitives and arrays of them: this accepts both.
 */
export type SdkAttributes = Readonly<Record<string, unknown>>;

/** `HrTime`: [seconds, nanoseconds] since the epoch. */
export type HrTimeLike = readonly [number, number];

/** The parts of an SDK `SpanContext` the processor reads. */
export interface SpanContextLike {
  readonly traceId: string;
  readonly spanId: string;
  readonly isRemote?: boolean;
}

/** An SDK `TimedEvent` (a span event). */
export interface TimedEventLike {
  readonly name: string;
  readonly time: HrTimeLike;
  readonly attributes?: SdkAttributes;
}

/**
 * An ended SDK span (`ReadableSpan` of either line, and 1.x field names): what the span processor,
 * the span exporter and `fromReadableSpan` read.
 */
export interface ReadableSpanLike {
  readonly name: string;
  /** `SpanKind`. */
  readonly kind: number;
  spanContext(): SpanContextLike;
  /** 2.x and later; 1.x spans have `parentSpanId` instead. */
  readonly parentSpanContext?: SpanContextLike;
  readonly startTime: HrTimeLike;
  readonly endTime: HrTimeLike;
  /** `SpanStatus`: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message?: string };
  readonly attributes: SdkAttributes;
  readonly events: readonly TimedEventLike[];
  readonly resource?: { readonly attributes: SdkAttributes };
  /** 1.x spans have `instrumentationLibrary` instead. */
  readonly instrumentationScope?: { readonly name: string; readonly version?: string };
}

/**
 * The SDK's `ExportResult` (`@opentelemetry/core`), restated so the exporter needs no peer on
 * either line's core package.
 */
export interface ExportResultLike {
  /** `ExportResultCode`: SUCCESS = 0, FAILED = 1. */
  code: 0 | 1;
  error?: Error;
}
