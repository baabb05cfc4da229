import { performance } from 'node:perf_hooks';
import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
} from '@grpc/grpc-js';
import type { BearerAuth } from '../http/bearer-auth';
import type { ForwardRequest } from '../http/http-receiver';
import type { CollectorMetrics, RequestOutcome } from '../metrics';
import { decodeProtobufTraces } from '../otlp/otlp-protobuf-decoder';
import { encodeExportResponse, encodeStatus, GrpcCode } from '../otlp/otlp-response';
import type { CollectorPipeline, ExportOutcome } from '../pipeline/collector-pipeline';

export const TRACE_SERVICE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

const identity = (value: Buffer) => value;

/**
 * `TraceService/Export` without a .proto file: messages stay bytes on the way in and out, and
 * the collector's own decoder and encoder run in the handler (so a bad message is INVALID_ARGUMENT,
 * not a transport error).
 */
const TRACE_SERVICE: ServiceDefinition = {
  Export: {
    path: TRACE_SERVICE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

export interface GrpcReceiverOptions {
  host: string;
  port: number;
  pipeline: CollectorPipeline;
  metrics: CollectorMetrics;
  auth: BearerAuth | undefined;
  /** Largest message accepted, after decompression (grpc-js checks it while decompressing). */
  maxMessageBytes: number;
  /** Takes each decodable message for the trace backend (sent there as `application/x-protobuf`). */
  forward?: ForwardRequest;
}

export interface GrpcReceiver {
  readonly url: string;
  readonly port: number;
  /** Stops accepting calls, waits for open ones (forcing them after `timeoutMs`). */
  close(timeoutMs: number): Promise<void>;
}

interface GrpcError {
  code: number;
  details: string;
  metadata: Metadata;
  outcome: RequestOutcome;
}

function grpcError(code: number, message: string, outcome: RequestOutcome, retryAfterMs?: number): GrpcError {
  const metadata = new Metadata();
  // google.rpc.Status with RetryInfo: what makes UNAVAILABLE / RESOURCE_EXHAUSTED a throttling hint.
  metadata.set('grpc-status-details-bin', encodeStatus(code, message, retryAfterMs));
  return { code, details: message, metadata, outcome };
}

function outcomeError(outcome: Exclude<ExportOutcome, { kind: 'ok' }>): GrpcError {
  // UNAVAILABLE for both: the spec's retryable code; RESOURCE_EXHAUSTED is retried only with RetryInfo
  // and by fewer clients. RetryInfo carries the delay either way.
  return grpcError(
    GrpcCode.UNAVAILABLE,
    outcome.message,
    outcome.kind === 'throttled' ? 'throttled' : 'unavailable',
    outcome.retryAfterMs,
  );
}

/** Starts the OTLP/gRPC receiver (`opentelemetry.proto.collector.trace.v1.TraceService/Export`). */
export async function startGrpcReceiver(options: GrpcReceiverOptions): Promise<GrpcReceiver> {
  const { pipeline, metrics } = options;
  const server = new Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': 1024 * 1024,
  });

  async function exportCall(call: ServerUnaryCall<Buffer, Buffer>): Promise<Buffer> {
    if (options.auth !== undefined) {
      const header = call.metadata.get('authorization')[0];
      if (!options.auth.check(typeof header === 'string' ? header : undefined)) {
        throw grpcError(GrpcCode.UNAUTHENTICATED, 'missing or wrong bearer token', 'unauthorized');
      }
    }
    const early = pipeline.admit(options.forward !== undefined);
    if (early !== undefined) throw outcomeError(early as Exclude<ExportOutcome, { kind: 'ok' }>);
    let decoded: ReturnType<typeof decodeProtobufTraces>;
    try {
      decoded = decodeProtobufTraces(call.request);
    } catch (error) {
      throw grpcError(
        GrpcCode.INVALID_ARGUMENT,
        `undecodable message: ${(error as Error).message}`,
        'invalid',
      );
    }
    // The message is an ExportTraceServiceRequest, the very body OTLP/HTTP protobuf carries.
    if (options.forward !== undefined && decoded.spans.length + decoded.invalidSpans > 0) {
      options.forward(call.request, 'application/x-protobuf', undefined, call.request);
    }
    const result = await pipeline.export(decoded);
    if (result.kind !== 'ok') throw outcomeError(result);
    return encodeExportResponse(result.partial);
  }

  server.addService(TRACE_SERVICE, {
    Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      const started = performance.now();
      exportCall(call).then(
        (response) => {
          const partial = response.length > 0;
          metrics.recordRequest('grpc', partial ? 'partial' : 'ok', (performance.now() - started) / 1000);
          callback(null, response);
        },
        (thrown: unknown) => {
          const error =
            (thrown as GrpcError)?.metadata instanceof Metadata
              ? (thrown as GrpcError)
              : grpcError(GrpcCode.UNAVAILABLE, `internal error: ${String(thrown)}`, 'unavailable', 1000);
          metrics.recordRequest('grpc', error.outcome, (performance.now() - started) / 1000);
          callback(error, null);
        },
      );
    },
  });

  // An IPv6 literal needs brackets in the bind target ("[::1]:4317"), as in the URL.
  const host =
    options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });

  return {
    url: `http://${host}:${port}`,
    port,
    close(timeoutMs: number) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, timeoutMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
