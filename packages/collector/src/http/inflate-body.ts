import { createGunzip, createInflate } from 'node:zlib';
import type { Reservation } from '../pipeline/memory-budget';

/** Why an inflation stopped: past the size limit, past the shared budget, or not valid compressed data. */
export class InflateError extends Error {
  constructor(
    readonly reason: 'too_large' | 'busy' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'InflateError';
  }
}

/** zlib's output chunk: larger than its 16 KiB default, so a 32 MiB body is 512 callbacks, not 2,048. */
const CHUNK_BYTES = 64 * 1024;

/**
 * The inflated size a gzip body announces in its trailer (ISIZE, the size modulo 2^32 of its last
 * member), or undefined when it cannot tell. Only a hint: a sender may lie, or send several members.
 */
export function gzipSizeHint(body: Buffer): number | undefined {
  if (body.length < 18 || body[0] !== 0x1f || body[1] !== 0x8b) return undefined;
  const size = body.readUInt32LE(body.length - 4);
  return size > 0 ? size : undefined;
}

/**
 * Inflates `body` (gzip or deflate) chunk by chunk, counting each chunk against `maxOutputLength`
 * and `reservation` as it comes: a gzip bomb costs at most that much. Chunks are copied straight
 * into one buffer sized from the gzip trailer, so the body is never held twice (chunks plus their
 * concatenation) and no 32 MiB copy runs in one piece at the end; the buffer grows if the hint was
 * short. Rejects with `InflateError`.
 */
export function inflateBody(
  body: Buffer,
  encoding: 'gzip' | 'deflate',
  maxOutputLength: number,
  reservation: Reservation,
): Promise<Buffer> {
  const inflater =
    encoding === 'deflate'
      ? createInflate({ chunkSize: CHUNK_BYTES })
      : createGunzip({ chunkSize: CHUNK_BYTES });
  const hint = encoding === 'gzip' ? gzipSizeHint(body) : undefined;
  // Unwritten pages of a large allocation cost no memory, so a lying hint costs nothing until filled.
  let out = Buffer.allocUnsafeSlow(Math.min(hint ?? 4 * CHUNK_BYTES, maxOutputLength));
  let size = 0;
  return new Promise((resolve, reject) => {
    let done = false;
    const fail = (error: InflateError) => {
      if (done) return;
      done = true;
      inflater.destroy();
      reject(error);
    };
    inflater.on('data', (chunk: Buffer) => {
      if (done) return;
      if (size + chunk.length > maxOutputLength) {
        fail(new InflateError('too_large', `decompressed body exceeds ${maxOutputLength} bytes`));
        return;
      }
      if (!reservation.take(chunk.length)) {
        fail(new InflateError('busy', 'memory budget exhausted while inflating'));
        return;
      }
      if (size + chunk.length > out.length) {
        const grown = Buffer.allocUnsafeSlow(
          Math.min(Math.max(out.length * 2, size + chunk.length), maxOutputLength),
        );
        out.copy(grown, 0, 0, size);
        out = grown;
      }
      chunk.copy(out, size);
      size += chunk.length;
    });
    inflater.on('error', (error) =>
      fail(new InflateError('invalid', `body is not valid ${encoding}: ${error.message}`)),
    );
    inflater.on('end', () => {
      if (done) return;
      done = true;
      resolve(out.subarray(0, size));
    });
    inflater.end(body);
  });
}
