/** An attribute value as OpenTelemetry defines it (homogeneous arrays of primitives). */
export type AttributeValue =
  | string
  | number
  | boolean
  | ReadonlyArray<string | null | undefined>
  | ReadonlyArray<number | null | undefined>
  | ReadonlyArray<boolean | null | undefined>;

export type Attributes = Readonly<Record<string, AttributeValue | undefined>>;

export interface SpanEventLike {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
}

/**
 * What both entry points produce: the in-process span processor (from a `ReadableSpan`) and the
 * collector (from OTLP). Ids are lowercase hex; times are nanoseconds since the Unix epoch.
 */
export interface SpanLike {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OpenTelemetry `SpanKind` (0 internal, 1 server, 2 client, 3 producer, 4 consumer). */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  events: readonly SpanEventLike[];
  /** 0 unset, 1 ok, 2 error. */
  status: { code: 0 | 1 | 2; message?: string };
  resource: Attributes;
  scope: { name: string; version?: string };
}
