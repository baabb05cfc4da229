// Response bodies, written by hand (field numbers from collector/trace/v1/trace_service.proto and
// google/rpc/status.proto, google/rpc/error_details.proto).

/** `partial_success` of an `ExportTraceServiceResponse`; absent on full success. */
export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

function varint(value: number, out: number[]): void {
  let v = Math.max(0, Math.floor(value));
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function lengthDelimited(field: number, bytes: Uint8Array | number[], out: number[]): void {
  out.push((field << 3) | 2);
  varint(bytes.length, out);
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!);
}

const EMPTY = Buffer.alloc(0);

/** `ExportTraceServiceResponse` in protobuf: empty on full success, `partial_success` {1: rejected_spans, 2: error_message} otherwise. */
export function encodeExportResponse(partial: PartialSuccess | undefined): Buffer {
  if (partial === undefined) return EMPTY;
  const inner: number[] = [];
  if (partial.rejectedSpans > 0) {
    inner.push((1 << 3) | 0);
    varint(partial.rejectedSpans, inner);
  }
  if (partial.errorMessage) lengthDelimited(2, Buffer.from(partial.errorMessage, 'utf8'), inner);
  const out: number[] = [];
  lengthDelimited(1, inner, out);
  return Buffer.from(out);
}

/** `ExportTraceServiceResponse` in OTLP/JSON (int64 as a decimal string). */
export function encodeExportResponseJson(partial: PartialSuccess | undefined): string {
  if (partial === undefined) return '{}';
  return JSON.stringify({
    partialSuccess: { rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage },
  });
}

/** gRPC status codes used here. */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** `google.rpc.RetryInfo` packed in an `Any`, for a status's details. */
function retryInfoAny(retryAfterMs: number): number[] {
  const duration: number[] = [];
  const seconds = Math.floor(retryAfterMs / 1000);
  const nanos = (retryAfterMs % 1000) * 1_000_000;
  if (seconds > 0) {
    duration.push((1 << 3) | 0);
    varint(seconds, duration);
  }
  if (nanos > 0) {
    duration.push((2 << 3) | 0);
    varint(nanos, duration);
  }
  const retryInfo: number[] = [];
  lengthDelimited(1, duration, retryInfo);
  const any: number[] = [];
  lengthDelimited(1, Buffer.from('type.googleapis.com/google.rpc.RetryInfo'), any);
  lengthDelimited(2, retryInfo, any);
  return any;
}

/**
 * `google.rpc.Status` {1: code, 2: message, 3: details}: the body of OTLP/HTTP 4xx/5xx answers, and
 * the `grpc-status-details-bin` of gRPC errors. With `retryAfterMs`, details carry a `RetryInfo`.
 */
export function encodeStatus(code: number, message: string, retryAfterMs?: number): Buffer {
  const out: number[] = [];
  if (code !== 0) {
    out.push((1 << 3) | 0);
    varint(code, out);
  }
  if (message) lengthDelimited(2, Buffer.from(message, 'utf8'), out);
  if (retryAfterMs !== undefined) lengthDelimited(3, retryInfoAny(retryAfterMs), out);
  return Buffer.from(out);
}

/** `google.rpc.Status` in JSON, for OTLP/JSON requests. */
export function encodeStatusJson(code: number, message: string): string {
  return JSON.stringify({ code, message });
}
