// What a collector built on protobufjs would do: protobufjs's reflection decoder from the OTLP
// trace schema (field numbers as in opentelemetry-proto), then a conversion of its message objects
// to SpanLike (bytes → hex ids, Long → bigint times, KeyValue lists → attribute maps).
import protobuf from 'protobufjs';

const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5;
  int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10; repeated Event events = 11;
  uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15; fixed32 flags = 16;
  message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
  message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
}
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;

export const RequestType = protobuf.parse(OTLP_PROTO).root.lookupType('otlp.ExportTraceServiceRequest');

export function countSpans(m) {
  let n = 0;
  for (const rs of m.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

const longToBigInt = (v) =>
  typeof v === 'number' ? BigInt(v) : (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);

function anyToValue(v) {
  if (!v) return undefined;
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(longToBigInt(v.intValue));
  if (v.doubleValue !== undefined && v.doubleValue !== null) return v.doubleValue;
  if (v.arrayValue) return v.arrayValue.values.map(anyToValue);
  return undefined;
}

function toAttributes(list) {
  const out = {};
  for (const kv of list) out[kv.key] = anyToValue(kv.value);
  return out;
}

/** protobufjs's message objects → SpanLike. */
export function protobufjsToSpanLike(m) {
  const spans = [];
  for (const rs of m.resourceSpans) {
    const resource = toAttributes(rs.resource?.attributes ?? []);
    for (const ss of rs.scopeSpans) {
      const scope = { name: ss.scope?.name ?? '', version: ss.scope?.version };
      for (const s of ss.spans) {
        spans.push({
          traceId: Buffer.from(s.traceId).toString('hex'),
          spanId: Buffer.from(s.spanId).toString('hex'),
          parentSpanId: s.parentSpanId?.length ? Buffer.from(s.parentSpanId).toString('hex') : undefined,
          name: s.name,
          kind: Math.max(0, s.kind - 1),
          startTimeUnixNano: longToBigInt(s.startTimeUnixNano),
          endTimeUnixNano: longToBigInt(s.endTimeUnixNano),
          attributes: toAttributes(s.attributes),
          events: s.events.map((e) => ({
            name: e.name,
            timeUnixNano: longToBigInt(e.timeUnixNano),
            attributes: toAttributes(e.attributes),
          })),
          status: { code: s.status?.code ?? 0 },
          resource,
          scope,
        });
      }
    }
  }
  return spans;
}
