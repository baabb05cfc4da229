import { credentials, Metadata, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { TRACE_SERVICE_EXPORT_PATH } from '@spantrack/collector';

/** TraceService/Export on raw bytes: the call handle can cancel it. */
export type RawExport = (
  body: Buffer,
  metadata: Metadata,
  options: { deadline?: number },
  callback: (error: ServiceError | null, response?: Buffer) => void,
) => { cancel(): void };

/** Bytes through unchanged, both ways. */
const raw = (b: Buffer) => b;
const AS_IS = {
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
};

/**
 * A gRPC client of the collector's TraceService/Export that sends and receives raw bytes (so a test
 * can send what no exporter would), with grpc-js `channelOptions` (compression, message limits).
 * `call` resolves with the status code and details, and the response bytes on success; never rejects.
 */
export function rawGrpcClient(address: string, channelOptions: Record<string, unknown> = {}) {
  const Client = makeGenericClientConstructor(
    { Export: { path: TRACE_SERVICE_EXPORT_PATH, requestStream: false, responseStream: false, ...AS_IS } },
    'TraceService',
  );
  const client = new Client(new URL(address).host, credentials.createInsecure(), channelOptions);
  const call = (body: Buffer, metadata = new Metadata()) =>
    new Promise<{ code: number; details: string; response?: Buffer }>((resolve) => {
      (client as unknown as { Export: RawExport }).Export(body, metadata, {}, (error, response) =>
        resolve(
          error
            ? { code: error.code, details: error.details }
            : { code: 0, details: '', response: response! },
        ),
      );
    });
  return { client, call };
}
