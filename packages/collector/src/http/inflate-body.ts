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
 * and `reservation` as it comes: a gzip bomb costs at most that much. The size the gzip trailer
 * announces is reserved before anything is inflated, so a request the budget cannot hold is
 * refused at once instead of half inflated and thrown away. Chunks are copied straight into one
 * buffer of that size, so the body is never held twice (chunks plus their concatenation) and no
 * copy of all of it runs in one piece at the end; the buffer grows if the hint was short. Rejects
 * with `InflateError`.
 */
export function inflateBody(
  body: Buffer,
  encoding: 'gzip' | 'deflate',
  maxOutputLength: number,
  reservation: Reservation,
): Promise<Buffer> {
  const hint = encoding === 'gzip' ? gzipSizeHint(body) : undefined;
  const upfront = Math.min(hint ?? 0, maxOutputLength);
  if (upfront > 0 && !reservation.take(upfront))
    return Promise.reject(new InflateError('busy', 'memory budget exhausted before inflating'));
  /** Bytes of this body counted in the reservation so far. */
  let reserved = upfront;
  const inflater =
    encoding === 'deflate'
      ? createInflate({ chunkSize: CHUNK_BYTES })
      : createGunzip({ chunkSize: CHUNK_BYTES });
  // Unwritten pages of a large allocation cost no memory, so a lying hint costs nothing until filled.
  let out = Buffer.allocUnsafeSlow(upfront > 0 ? upfront : Math.min(CHUNK_BYTES, maxOutputLength));
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
      const end = size + chunk.length;
      if (end > maxOutputLength) {
        fail(new InflateError('too_large', `decompressed body exceeds ${maxOutputLength} bytes`));
        return;
      }
      if (end > reserved) {
        if (!reservation.take(end - reserved)) {
          fail(new InflateError('busy', 'memory budget exhausted while inflating'));
          return;
        }
        reserved = end;
      }
      if (end > out.length) {
        const grown = Buffer.allocUnsafeSlow(Math.min(Math.max(out.length * 2, end), maxOutputLength));
        out.copy(grown, 0, 0, size);
        out = grown;
      }
      chunk.copy(out, size);
      size = end;
    });
    inflater.on('error', (error) =>
      fail(new InflateError('invalid', `body is not valid ${encoding}: ${error.message}`)),
    );
    inflater.on('end', () => {
      if (done) return;
      done = true;
      // A trailer that promised more than came: only what was inflated stays counted.
      reservation.giveBack(reserved - size);
      resolve(out.subarray(0, size));
    });
    inflater.end(body);
  });
}
