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

/** zlib's output chunk when the body announces no size: larger than its 16 KiB default, so a 32 MiB body is 512 callbacks, not 2,048. */
const CHUNK_BYTES = 64 * 1024;
/** zlib refuses output chunks below 64 bytes. */
const MIN_CHUNK_BYTES = 64;

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
 * refused at once instead of half inflated and thrown away. That size is also zlib's output chunk:
 * a body that tells the truth comes out in one chunk, which is the result as it is (no copy, one
 * call into zlib). Otherwise chunks are copied into one buffer as they come, so the body is never
 * held twice (chunks plus their concatenation). Rejects with `InflateError`.
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
  // One byte more than announced: zlib then finishes the stream inside the first chunk instead of
  // filling it exactly and ending with an empty one. Never less than the body itself (nothing real
  // inflates to much less), so a trailer that understates cannot make the chunks tiny. Unwritten
  // pages of a large allocation cost no memory, so one that overstates costs nothing until filled.
  const chunkSize =
    upfront > 0
      ? Math.max(Math.min(Math.max(upfront + 1, body.length), maxOutputLength), MIN_CHUNK_BYTES)
      : CHUNK_BYTES;
  const inflater = encoding === 'deflate' ? createInflate({ chunkSize }) : createGunzip({ chunkSize });
  /** The first chunk, kept as it is until a second one comes. */
  let first: Buffer | undefined;
  /** Where the chunks are gathered once there is more than one. */
  let out: Buffer | undefined;
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
      if (size === 0) {
        // zlib hands out slices of its output buffer and never writes over one it handed out.
        first = chunk;
        size = end;
        return;
      }
      if (out === undefined) {
        out = Buffer.allocUnsafeSlow(Math.min(Math.max(upfront, size * 2, end), maxOutputLength));
        first!.copy(out, 0);
        first = undefined;
      } else if (end > out.length) {
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
      resolve(out !== undefined ? out.subarray(0, size) : (first ?? Buffer.alloc(0)));
    });
    inflater.end(body);
  });
}
