import { GrpcCode } from './otlp-response';

/**
 * How an export request ended. Each is also the `outcome` label of
 * `spantrack_collector_requests_total`, the same over HTTP and gRPC.
 */
export type RequestOutcome =
  | 'ok'
  | 'partial'
  | 'invalid'
  | 'unauthorized'
  | 'too_large'
  | 'unsupported'
  | 'throttled'
  | 'unavailable'
  /** The client disconnected before its body was read: no answer was sent. */
  | 'aborted';

/** The answer to one outcome on each transport. */
export interface OutcomeStatus {
  /** The HTTP status of an OTLP/HTTP answer. */
  readonly http: number;
  /** The gRPC status code (also the `google.rpc.Status.code` in an OTLP/HTTP error body). */
  readonly grpc: number;
  /** The sender should retry: the answer carries `Retry-After` (HTTP) or `RetryInfo` (gRPC). */
  readonly retryable: boolean;
}

/**
 * The one status table of both receivers, after the OpenTelemetry Collector's mapping (400
 * INVALID_ARGUMENT, 401 UNAUTHENTICATED, 503 UNAVAILABLE). Throttling is UNAVAILABLE, not
 * RESOURCE_EXHAUSTED: the OTLP spec's retryable code, where RESOURCE_EXHAUSTED is retried only with
 * RetryInfo and by fewer clients; an oversized request is RESOURCE_EXHAUSTED without RetryInfo, so
 * it is not retried. Keyed by the outcome, which is the metric label.
 */
export const OUTCOME_STATUS: Readonly<Record<RequestOutcome, OutcomeStatus>> = {
  ok: { http: 200, grpc: GrpcCode.OK, retryable: false },
  partial: { http: 200, grpc: GrpcCode.OK, retryable: false },
  invalid: { http: 400, grpc: GrpcCode.INVALID_ARGUMENT, retryable: false },
  unauthorized: { http: 401, grpc: GrpcCode.UNAUTHENTICATED, retryable: false },
  too_large: { http: 413, grpc: GrpcCode.RESOURCE_EXHAUSTED, retryable: false },
  unsupported: { http: 415, grpc: GrpcCode.UNIMPLEMENTED, retryable: false },
  throttled: { http: 429, grpc: GrpcCode.UNAVAILABLE, retryable: true },
  unavailable: { http: 503, grpc: GrpcCode.UNAVAILABLE, retryable: true },
  // Never written (nobody is waiting); the codes say what the request was, for logs.
  aborted: { http: 400, grpc: GrpcCode.CANCELLED, retryable: false },
};
