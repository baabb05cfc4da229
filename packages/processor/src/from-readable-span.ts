import type { HrTimeLike, ReadableSpanLike } from './sdk-span';
import type { Attributes, SpanEventLike, SpanLike } from './span-like';

const NS_PER_S = 1_000_000_000n;
const EMPTY_ATTRIBUTES: Attributes = Object.freeze({});

/** OpenTelemetry `HrTime` ([seconds, nanoseconds]) as nanoseconds since the epoch. */
export function hrTimeToNanos(time: HrTimeLike): bigint {
  return BigInt(time[0]) * NS_PER_S + BigInt(time[1]);
}

/** SDK 1.x spans name the parent and the scope differently. */
interface LegacyReadableSpan {
  parentSpanId?: string;
  instrumentationLibrary?: { name: string; version?: string };
}

/**
 * The SDK's `ReadableSpan` (3.x and 2.x, and 1.x field names) as a `SpanLike`. Attribute objects are
 * shared, not copied: the SDK does not change a span after it ended. Values outside OpenTelemetry's
 * attribute types (api 1.10 allows any) pass as they are: every reader checks the type it reads.
 */
export function fromReadableSpan(span: ReadableSpanLike): SpanLike {
  const context = span.spanContext();
  const legacy = span as unknown as LegacyReadableSpan;
  const parentSpanId = span.parentSpanContext?.spanId ?? legacy.parentSpanId;
  const scope = span.instrumentationScope ?? legacy.instrumentationLibrary ?? { name: '' };
  const events: SpanEventLike[] = new Array(span.events.length);
  for (let i = 0; i < span.events.length; i++) {
    const e = span.events[i]!;
    events[i] = {
      name: e.name,
      timeUnixNano: hrTimeToNanos(e.time),
      attributes: (e.attributes as Attributes | undefined) ?? EMPTY_ATTRIBUTES,
    };
  }
  const status = span.status;
  const code = status.code as SpanLike['status']['code'];
  const out: SpanLike = {
    traceId: context.traceId,
    spanId: context.spanId,
    // Always present (undefined for a root): every span then has one shape for the translator.
    parentSpanId: parentSpanId === '' ? undefined : parentSpanId,
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: hrTimeToNanos(span.startTime),
    endTimeUnixNano: hrTimeToNanos(span.endTime),
    attributes: span.attributes as Attributes,
    events,
    status: status.message === undefined ? { code } : { code, message: status.message },
    resource: (span.resource?.attributes as Attributes | undefined) ?? EMPTY_ATTRIBUTES,
    scope: scope.version === undefined ? { name: scope.name } : { name: scope.name, version: scope.version },
  };
  return out;
}
