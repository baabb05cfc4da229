import { Metadata } from '@grpc/grpc-js';
import { encodeStatus } from '../otlp/otlp-response';
import { OUTCOME_STATUS, type RequestOutcome } from '../otlp/outcome-status';

/** A gRPC error answer, with the outcome it is counted under. */
export interface GrpcError {
  code: number;
  details: string;
  metadata: Metadata;
  outcome: RequestOutcome;
}

/** The status of `outcome` (otlp/outcome-status.ts); a retryable one carries RetryInfo with `retryAfterMs`. */
export function grpcError(outcome: RequestOutcome, message: string, retryAfterMs?: number): GrpcError {
  const row = OUTCOME_STATUS[outcome];
  const metadata = new Metadata();
  // google.rpc.Status with RetryInfo: what makes UNAVAILABLE a throttling hint with a delay.
  metadata.set(
    'grpc-status-details-bin',
    encodeStatus(row.grpc, message, row.retryable ? retryAfterMs : undefined),
  );
  return { code: row.grpc, details: message, metadata, outcome };
}
