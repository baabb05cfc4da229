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
import { type DecodedTraces, TooManySpansError } from '../otlp/decoded-traces';
import { decodeProtobufTracesSliced } from '../otlp/otlp-protobuf-decoder';
import { encodeExportResponse } from '../otlp/otlp-response';
import type { CollectorPipeline, ExportOutcome } from '../pipeline/collector-pipeline';
import { type MemoryBudget, Reservation, SPAN_COST_BYTES } from '../pipeline/memory-budget';
import { nextTurn } from '../slicing/time-slice';
import type { CollectorMetrics } from '../telemetry/collector-metrics';
import { admissionInterceptor } from './admission-interceptor';
import { type GrpcError, grpcError } from './grpc-error';

export const TRACE_SERVICE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

const identity = (value: Buffer) => value;

/** Calls that may wait for room in the memory budget before being refused UNAVAILABLE. */
const MAX_WAITING_CALLS = 1_000;

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
  /** Memory shared with the HTTP receiver: a message and its decoded spans, once received. */
  budget: MemoryBudget;
  /** Bytes messages may inflate into at once: a call waits for room for its largest message before it is read. */
  inflationBudget: MemoryBudget;
  /** Spans one message may hold; past it, RESOURCE_EXHAUSTED. */
  maxSpansPerRequest: number;
  /** RetryInfo of UNAVAILABLE when too many calls wait for the budget, ms. */
  busyRetryAfterMs: number;
  /** Takes each decodable message for the trace backend (sent there as `application/x-protobuf`). */
  forward?: ForwardRequest;
}

export interface GrpcReceiver {
  readonly url: string;
  readonly port: number;
  /** Stops accepting calls, waits for open ones (forcing them after `timeoutMs`). */
  close(timeoutMs: number): Promise<void>;
}

function outcomeError(outcome: Exclude<ExportOutcome, { kind: 'ok' }>): GrpcError {
  return grpcError(
    outcome.kind === 'throttled' ? 'throttled' : 'unavailable',
    outcome.message,
    outcome.retryAfterMs,
  );
}

/** Starts the OTLP/gRPC receiver (`opentelemetry.proto.collector.trace.v1.TraceService/Export`). */
export async function startGrpcReceiver(options: GrpcReceiverOptions): Promise<GrpcReceiver> {
  const { pipeline, metrics } = options;
  const server = new Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': 1024 * 1024,
    // Per-call channelz bookkeeping the collector never reads: work on every call, refused ones too.
    'grpc.enable_channelz': 0,
    // Token and memory are checked on the metadata, before any message is read or inflated.
    interceptors: [
      admissionInterceptor({
        auth: options.auth,
        budget: options.inflationBudget,
        maxMessageBytes: options.maxMessageBytes,
        maxWaitingCalls: MAX_WAITING_CALLS,
        retryAfterMs: options.busyRetryAfterMs,
        onRefused: (outcome) => metrics.recordRequest('grpc', outcome, 0),
      }),
    ],
  });

  async function exportCall(
    call: ServerUnaryCall<Buffer, Buffer>,
    reservation: Reservation,
  ): Promise<Buffer> {
    const early = pipeline.admit(options.forward !== undefined);
    if (early !== undefined) throw outcomeError(early as Exclude<ExportOutcome, { kind: 'ok' }>);
    const busy = () =>
      grpcError(
        'throttled',
        `collector busy: ${options.budget.used} of ${options.budget.limit} bytes of its memory budget in use`,
        options.busyRetryAfterMs,
      );
    if (!reservation.take(call.request.length)) throw busy();
    let decoded: DecodedTraces;
    // grpc-js has just assembled the message (a copy of up to 32 MiB): decoding starts on a new turn.
    await nextTurn();
    try {
      decoded = await decodeProtobufTracesSliced(call.request, options.maxSpansPerRequest);
    } catch (error) {
      if (error instanceof TooManySpansError) throw grpcError('too_large', error.message);
      throw grpcError('invalid', `undecodable message: ${(error as Error).message}`);
    }
    // The message, its decoded spans (their strings about as many bytes again) and their messages
    // live until the answer, counted in the shared budget.
    const spans = decoded.spans.length + decoded.invalidSpans;
    if (!reservation.take(call.request.length + spans * SPAN_COST_BYTES)) throw busy();
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
      const reservation = new Reservation(options.budget);
      exportCall(call, reservation).then(
        (response) => {
          reservation.release();
          const partial = response.length > 0;
          metrics.recordRequest('grpc', partial ? 'partial' : 'ok', (performance.now() - started) / 1000);
          callback(null, response);
        },
        (thrown: unknown) => {
          reservation.release();
          const error =
            (thrown as GrpcError)?.metadata instanceof Metadata
              ? (thrown as GrpcError)
              : grpcError('unavailable', `internal error: ${String(thrown)}`, 1000);
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
